// Prints vitest's JSON report as the plain closing line CI reads: "N passed, N failed[, N skipped]".
// Usage: node scripts/test-summary.mjs [.vitest-report.json]
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.vitest-report.json';
if (!existsSync(path)) {
  console.log('0 passed, 1 failed');
  console.error(`test-summary: no vitest report at ${path} (did the test run start?)`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(path, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A file that failed to load has no assertions but must count as a failure.
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
).length;
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed${skipped ? `, ${skipped} skipped` : ''}`,
);
