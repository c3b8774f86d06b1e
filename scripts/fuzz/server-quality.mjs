/* global process, console, URL */
// Differential fuzz of the server's label-based metrics (GET /performance, /performance/buckets) against scikit-learn:
// seeded scenarios of test/helpers/quality-scenario.ts against real in-process servers (DuckDB files, injected clocks).
// Usage: npx tsc -p . && node scripts/fuzz/server-quality.mjs FIRST_SEED COUNT [maxLabelled]
// QUALITY_PG_URL=postgres://.../db?schema=NAME: the server on that PostgreSQL schema instead of a DuckDB file.
const { runScenario, compareWithSklearn } = await import(new URL('../../dist/test/helpers/quality-scenario.js', import.meta.url).href);
const { testServer } = await import(new URL('../../dist/test/helpers/server.js', import.meta.url).href);
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 100);
const maxLabelled = process.argv[4] ? Number(process.argv[4]) : undefined;
const world = { now: Date.UTC(2026, 10, 20, 12, 0, 0) };
const s = await testServer({ clock: () => world.now, configure: (c) => { if (maxLabelled) c.server.maxLabelledEvents = maxLabelled; if (process.env.QUALITY_PG_URL) c.storage = process.env.QUALITY_PG_URL; } });
const checks = [];
const failures = [];
const t0 = Date.now();
try {
  for (let seed = first; seed < first + count; seed++) {
    const res = await runScenario(s.url, world, seed, { queries: 4, fineBuckets: true, ...(maxLabelled && { maxLabelled }) });
    checks.push(...res.checks);
    failures.push(...res.failures);
  }
} finally {
  await s.close();
}
const worst = {};
failures.push(...compareWithSklearn(checks, worst));
console.log(JSON.stringify({ scenarios: count, checks: checks.length, rows: checks.reduce((a, c) => a + c.oracle.y.length, 0), seconds: (Date.now() - t0) / 1000, worst }));
console.log(`${failures.length} failures`);
for (const f of failures.slice(0, 80)) console.log(f);
