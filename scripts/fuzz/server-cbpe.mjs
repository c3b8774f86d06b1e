/* global process, console, URL */
// Differential fuzz of the server's CBPE estimates (GET /performance, /performance/buckets, /timeseries estimated*)
// against scikit-learn's IsotonicRegression (scripts/fuzz/cbpe_oracle.py): seeded scenarios of test/helpers/cbpe-scenario.ts
// against a real in-process server (DuckDB file, injected clock).
// Usage: npx tsc -p . && node scripts/fuzz/server-cbpe.mjs FIRST_SEED COUNT
// CBPE_PG_URL=postgres://.../db?schema=NAME: the server on that PostgreSQL schema instead of a DuckDB file.
// CBPE_RESTART=1: then a new server on the same data dir (and store) answers every query again, the same way.
const { runCbpeScenario, compareWithOracle } = await import(new URL('../../dist/test/helpers/cbpe-scenario.js', import.meta.url).href);
const { testServer, call } = await import(new URL('../../dist/test/helpers/server.js', import.meta.url).href);
const { tempDir } = await import(new URL('../../dist/test/helpers/cli.js', import.meta.url).href);
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 50);
const world = { now: Date.UTC(2026, 10, 20, 12, 0, 0) };
const dataDir = tempDir('lookout-cbpe-fuzz-');
const boot = () => testServer({ clock: () => world.now, configure: (c) => { c.dataDir = dataDir; if (process.env.CBPE_PG_URL) c.storage = process.env.CBPE_PG_URL; } });
let s = await boot();
const checks = [];
const failures = [];
const gets = [];
const t0 = Date.now();
try {
  for (let seed = first; seed < first + count; seed++) {
    const res = await runCbpeScenario(s.url, world, seed);
    checks.push(...res.checks);
    failures.push(...res.failures);
    gets.push(...res.gets);
  }
  if (process.env.CBPE_RESTART) {
    await s.close();
    s = await boot();
    for (const g of gets) {
      const again = await call(s.url, 'GET', g.path);
      if (JSON.stringify(again.body) !== JSON.stringify(g.body)) failures.push(`after a restart ${g.path}: ${again.status} ${JSON.stringify(again.body).slice(0, 400)} where ${JSON.stringify(g.body).slice(0, 400)}`);
    }
  }
} finally {
  await s.close();
}
failures.push(...compareWithOracle(checks));
console.log(JSON.stringify({ scenarios: count, checks: checks.length, estimated: checks.filter((c) => c.got !== null).length, seconds: (Date.now() - t0) / 1000 }));
console.log(`${failures.length} failures`);
for (const f of failures.slice(0, 80)) console.log(f);
