// Prints "N passed, N failed" from the TRX reports in a folder; exits 1 when there are none.
const fs = require("fs");
const path = require("path");
const folder = process.argv[2] ?? "TestResults";
const reports = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith(".trx")) : [];
let passed = 0;
let failed = 0;
for (const report of reports) {
  const counters = fs.readFileSync(path.join(folder, report), "utf8").match(/<Counters [^>]*>/)?.[0] ?? "";
  const count = (name) => Number(counters.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  passed += count("passed");
  failed += count("failed") + count("error") + count("timeout") + count("aborted");
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(reports.length === 0 ? 1 : 0);
