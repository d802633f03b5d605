#!/usr/bin/env bash
# Screenshots of the viewer for the README, taken with headless Chromium from the real runs in a store:
#   docs/images/runs.png     the runs list
#   docs/images/run.png      the run page of the finished run with the lowest FID
#   docs/images/compare.png  the compare page of that run and the most recent other finished run (cell 5 picked)
#   docs/images/first-look.png  the run page of the newest finished first-look run (the preset scripts/run.sh queues), if any
# Usage: scripts/screenshots.sh [data folder] [first-look]   (first-look: only that screenshot; default folder: $DIGITGAN_DATA or ~/.local/share/digitgan, the store that
# scripts/run.sh and scripts/train.sh use). It needs two finished runs there; rerun it whenever the UI changes.
set -euo pipefail
cd "$(dirname "$0")/.."

data="${1:-${DIGITGAN_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/digitgan}}"
out="docs/images"
port="${SCREENSHOT_PORT:-5091}"
url="http://127.0.0.1:$port"
dll="src/Web/bin/Release/net10.0/DigitGan.Web.dll"

[ -x /usr/bin/chromium ] || scripts/test-services.sh >/dev/null
[ -f "$dll" ] && [ -d tests/DigitGan.EndToEnd.Tests/bin/Release/net10.0/.playwright ] || dotnet build DigitGan.sln -c Release -v q -nologo >/dev/null

# The viewer only: no local worker, so nothing in the store changes while it is photographed.
DIGITGAN_DATA="$data" ASPNETCORE_URLS="$url" dotnet "$dll" --DigitGan:LocalWorker:Enabled=false >/tmp/digitgan-screenshots.log 2>&1 &
web=$!
trap 'kill $web 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fs "$url/api/runs" >/dev/null 2>&1 && break; sleep 0.5; done

shoot() { # file, width, height, path: once the Blazor circuit is connected and the charts have drawn
  node scripts/screenshot.js "$url$4" "$1" "$2" "$3"
  echo "screenshots: $1 <- $4"
}
first_look=$(curl -fs "$url/api/runs?status=Succeeded&tag=first-look&pageSize=1" | node -e '
  let body = ""; process.stdin.on("data", d => body += d).on("end", () => { const r = JSON.parse(body).runs[0]; console.log(r ? r.runId : ""); });')

mkdir -p "$out"
[ -n "$first_look" ] && shoot "$out/first-look.png" 1400 1500 "/runs/$first_look"
[ "${2:-}" = "first-look" ] && exit 0
read -r best other < <(curl -fs "$url/api/runs?status=Succeeded&pageSize=200" | node -e '
  let body = ""; process.stdin.on("data", d => body += d).on("end", () => {
    const runs = JSON.parse(body).runs;
    if (runs.length < 2) { console.error("screenshots: the store needs two finished runs (scripts/train.sh trains one)"); process.exit(1); }
    const score = r => r.bestFid ?? Number.POSITIVE_INFINITY;
    const best = [...runs].sort((a, b) => score(a) - score(b) || b.epoch - a.epoch)[0];
    const other = runs.find(r => r.runId !== best.runId);
    console.log(best.runId, other.runId);
  });')

shoot "$out/runs.png" 1400 700 "/runs"
shoot "$out/run.png" 1400 1500 "/runs/$best"
shoot "$out/compare.png" 1400 1700 "/compare?runs=$best,$other&cell=5"
