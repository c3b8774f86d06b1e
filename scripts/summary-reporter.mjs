// Node test-runner reporter that ends the run with the slowest test files and one line:
// "N passed, N failed, N skipped". Counts leaf tests only (suites are not counted), so the figures match
// what was executed. A file's time is the sum of its top-level tests' durations (its process start-up aside).
// LOOKOUT_TEST_SLOWEST=N lists N files (default 15); LOOKOUT_TEST_TIMES=FILE writes every file's time there (JSON), for
// finding where the run's time goes.
import { writeFileSync } from 'node:fs';

export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const fileMs = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (d.nesting === 0 && d.file) fileMs.set(d.file, (fileMs.get(d.file) ?? 0) + (d.details?.duration_ms ?? 0));
    if (d.details?.type === 'suite') {
      if (d.skip) skipped++; // a whole suite skipped (e.g. no PostgreSQL) counts once
      continue;
    }
    if (d.skip || d.todo) skipped++;
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  if (process.env.LOOKOUT_TEST_TIMES) writeFileSync(process.env.LOOKOUT_TEST_TIMES, JSON.stringify(Object.fromEntries(fileMs), null, 1));
  const slowest = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.LOOKOUT_TEST_SLOWEST ?? 15));
  if (slowest.length > 1) {
    const cwd = process.cwd() + '/';
    yield '\nslowest test files:\n';
    for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file.replace(cwd, '')}\n`;
  }
  yield `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
