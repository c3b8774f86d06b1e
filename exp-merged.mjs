setTimeout(() => { console.log("EXIT by timer"); process.exit(3); }, 20000).unref();
import { defaultConfig } from './dist/src/config.js';
import { startServer } from './dist/src/server.js';
import { driftOf } from './dist/src/monitoring/drift-query.js';
const NOW = Date.UTC(2026, 0, 31, 15, 27, 30);
const config = defaultConfig();
config.dataDir = process.argv[2];
config.server.host = "127.0.0.1"; config.server.port = 0; config.server.warmUpDays = 0;
const s = await startServer({ config, clock: () => NOW });
const v = s.deps.reader.resolveVersion('m', '1');
const store = (await import('./dist/src/storage/duckdb/store.js')).DuckDbStore.prototype;
const orig = store.querySummaries;
let sqlMs = 0, sqlN = 0, bytes = 0;
store.querySummaries = async function (q) { const t = performance.now(); const r = await orig.call(this, q); sqlMs += performance.now() - t; sqlN++; for (const x of r) bytes += x.data.length; return r; };
const origK = store.querySummaryKeys;
let kMs = 0;
store.querySummaryKeys = async function (q) { const t = performance.now(); const r = await origK.call(this, q); kMs += performance.now() - t; return r; };
for (let i = 0; i < 20; i++) {
  s.deps.reader.cache.clear(); sqlMs = 0; sqlN = 0; bytes = 0; kMs = 0;
  const t = performance.now();
  const m = await s.deps.reader.merged(v, '', NOW - 86400000, NOW);
  const t1 = performance.now();
  driftOf(v, m);
  console.log(`merged ${(t1 - t).toFixed(1)} ms (keys ${kMs.toFixed(1)}, rows ${sqlMs.toFixed(1)} in ${sqlN} queries, ${(bytes / 1e6).toFixed(2)} MB) drift ${(performance.now() - t1).toFixed(1)}`);
}
await s.close();
