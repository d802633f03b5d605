// Takes one screenshot of a DigitGan page with headless Chromium once the Blazor circuit is connected (the app bar's
// links and the controls appear only then) and the page's charts have drawn. Uses the Playwright driver that the
// end-to-end test project ships (built by scripts/setup.sh). Usage: node scripts/screenshot.js URL FILE WIDTH HEIGHT
const path = require("path");
const { chromium } = require(path.join(__dirname, "..", "tests/DigitGan.EndToEnd.Tests/bin/Release/net10.0/.playwright/package"));

(async () => {
  const [url, file, width, height] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
    await page.goto(url);
    await page.waitForSelector("#circuit-live", { state: "attached", timeout: 60000 });
    // Charts draw after the circuit connects; wait for them, when the page has any.
    await page.waitForSelector(".js-plotly-plot .main-svg", { timeout: 20000 }).catch(() => {});
    await page.waitForTimeout(2000);
    await page.screenshot({ path: file });
  } finally {
    await browser.close();
  }
})().catch(error => { console.error(`screenshot: ${error.message}`); process.exit(1); });
