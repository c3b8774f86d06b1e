/* global process, console, URL */
// Differential fuzz of the server's CBPE estimates (GET /performance, /performance/buckets, /timeseries estimated*)
// against scikit-learn's IsotonicRegression (scripts/fuzz/cbpe_oracle.py): seeded scenarios of test/helpers/cbpe-scenario.ts
// against a real in-process server (DuckDB file, injected clock).
// Usage: npx tsc -p . && node scripts/fuzz/server-cbpe.mjs FIRST_SEED COUNT
// CBPE_PG_URL=postgres://.../db?schema=NAME: the server on that PostgreSQL schema instead of a DuckDB file.
const { runCbpeScenario, compareWithOracle } = await import(new URL('../../dist/test/helpers/cbpe-scenario.js', import.meta.url).href);
const { testServer } = await import(new URL('../../dist/test/helpers/server.js', import.meta.url).href);
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 50);
const world = { now: Date.UTC(2026, 10, 20, 12, 0, 0) };
const s = await testServer({ clock: () => world.now, configure: (c) => { if (process.env.CBPE_PG_URL) c.storage = process.env.CBPE_PG_URL; } });
const checks = [];
const failures = [];
const t0 = Date.now();
try {
  for (let seed = first; seed < first + count; seed++) {
    const res = await runCbpeScenario(s.url, world, seed);
    checks.push(...res.checks);
    failures.push(...res.failures);
  }
} finally {
  await s.close();
}
failures.push(...compareWithOracle(checks));
console.log(JSON.stringify({ scenarios: count, checks: checks.length, estimated: checks.filter((c) => c.got !== null).length, seconds: (Date.now() - t0) / 1000 }));
console.log(`${failures.length} failures`);
for (const f of failures.slice(0, 80)) console.log(f);
