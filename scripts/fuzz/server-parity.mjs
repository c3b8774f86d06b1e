/* global process, console, URL */
// Differential fuzz of the two storage backends: two real `lookout serve` processes, one on a fresh DuckDB data dir and
// one on a fresh PostgreSQL schema, are sent the same seeded traffic through the HTTP API (models, versions, references
// uploaded and from a past range, events with edge values, rejected rows, labels, registry operations, a restart of
// each mid-way), then every read endpoint is asked the same questions on both and the JSON answers compared.
// Usage: npx tsc -p . && node scripts/fuzz/server-parity.mjs FIRST_SEED COUNT
// PARITY_PG_URL: the PostgreSQL database (default postgres://postgres@127.0.0.1:5432/test); each seed uses a schema
// of its own (parity_<pid>_<seed>), dropped at the end. PARITY_VERBOSE=1 prints every difference (else the first 40)
// and the answers' statuses; PARITY_QUICK=1 asks fewer questions (the smoke run of test/audit16-parity); PARITY_DUMP=FILE appends each request and the DuckDB server's answer to FILE (JSON lines).
// Exits 1 when a difference is found. The answers must be equal but for the fields in EXCLUDED below.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diff, inStableOrder } from './parity-compare.mjs';
import { referenceCsv, rng, scenario, SCHEMA } from './parity-scenario.mjs';
import { eachSeed } from './seeds.mjs';
import { request, serve } from './serve.mjs';

const pgUrl = process.env.PARITY_PG_URL ?? process.env.LOOKOUT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 5);

async function psql(sql) {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

async function runSeed(seed, totals) {
  const schema = `parity_${process.pid}_${seed}`;
  const dirs = [mkdtempSync(join(tmpdir(), 'lookout-parity-duck-')), mkdtempSync(join(tmpdir(), 'lookout-parity-pg-'))];
  const config = join(dirs[0], '..', `lookout-parity-${process.pid}-${seed}.yaml`);
  // every event kept with its features (the sample is drawn from a clock-seeded source, which differs per server)
  // some seeds with a small labelled-events cap (a sample by id) and a small segment limit (folded into __other__)
  // and a model declared by the file, with its reference file (built at the first start, kept at the next)
  const refFile = join(dirs[0], '..', `lookout-parity-${process.pid}-${seed}.csv`);
  writeFileSync(refFile, referenceCsv(rng(seed * 13), 'cfg', seed % 2 === 0 ? 120 : 1100));
  writeFileSync(config, JSON.stringify({
    ingest: { sampleRate: 1, ...(seed % 2 === 0 && { maxSegmentsPerModel: 6 }) },
    ...(seed % 3 === 0 && { server: { maxLabelledEvents: 100 } }),
    models: [{ name: 'cfg', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region'], inputSchema: SCHEMA, description: 'from lookout.yaml', versions: [{ version: '1.0.0', metadata: { from: 'config' }, reference: { file: refFile, label: 'label', score: 'score' } }] }],
  }));
  const store = new URL(pgUrl);
  store.searchParams.set('schema', schema);
  const argsOf = [['--config', config, '--data-dir', dirs[0]], ['--config', config, '--data-dir', dirs[1], '--store', store.toString()]];
  const start = async () => {
    const started = await Promise.allSettled(argsOf.map((args) => serve(args, 120_000)));
    const failed = started.find((x) => x.status === 'rejected');
    if (!failed) return started.map((x) => x.value);
    await Promise.all(started.filter((x) => x.status === 'fulfilled').map((x) => x.value.stop()));
    throw failed.reason;
  };
  let servers = await start();
  // Ctrl-C: stop both servers and drop the schema before leaving
  const onInt = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(config, { force: true });
    rmSync(refFile, { force: true });
    process.exit(130);
  };
  process.once('SIGINT', onInt);
  const diffs = [];
  const near = [];
  let checks = 0;
  const both = async (method, path, body, type) => {
    // each server's data dir, named in answers (a reference file's path, an upload's error), is DATA_DIR in both
    const [a, b] = (await Promise.all(servers.map((s) => request(s.url, method, path, body, type))))
      .map((x, i) => ({ ...x, body: JSON.parse(JSON.stringify(x.body).replaceAll(JSON.stringify(dirs[i]).slice(1, -1), 'DATA_DIR')
        // and a kept reference upload is named by its millisecond, DATA_DIR/references/NAME/V-<ms>.csv
        .replace(/(DATA_DIR\/references\/[^"]*?-)\d{13}((-\d+)?\.\w+)/g, '$1<ms>$2')) }));
    checks++;
    if (process.env.PARITY_DUMP) appendFileSync(process.env.PARITY_DUMP, JSON.stringify({ method, path, status: a.status, body: a.body }) + '\n');
    const kind = `${method} ${path.split('?')[0].replace(/\/v1\/models\/[^/]+/, '/v1/models/:m').replace(/features\/[^/]+/, 'features/:f')} ${a.status}`;
    totals.statuses[kind] = (totals.statuses[kind] ?? 0) + 1;
    const before = diffs.length;
    if (a.status !== b.status) diffs.push(`${method} ${path}: status duckdb ${a.status} postgres ${b.status}: ${JSON.stringify(a.body).slice(0, 300)} / ${JSON.stringify(b.body).slice(0, 300)}`);
    else {
      if (/^\/v1\/alerts(\?|$)/.test(path) && Array.isArray(a.body.alerts) && Array.isArray(b.body.alerts)) for (const x of [a, b]) x.body = { ...x.body, alerts: inStableOrder(x.body.alerts) };
      const out = [];
      const nearHere = [];
      diff(a.body, b.body, '', out, nearHere);
      for (const x of nearHere) near.push(`${method} ${path.slice(0, 160)} -> ${x}`);
      for (const d of out) diffs.push(`${method} ${path.slice(0, 160)} -> ${d}`);
    }
    if (diffs.length > before) totals.diffRequests++;
    return a;
  };
  // the restart: a clean stop (SIGTERM), or for every fourth seed a crash (SIGKILL: the next start replays the journal)
  const restart = async () => {
    await Promise.all(servers.map((s) => s.stop(seed % 4 === 1 ? 'SIGKILL' : 'SIGTERM')));
    servers = [];
    servers = await start();
  };
  try {
    await scenario(seed, both, restart, process.env.PARITY_QUICK === '1');
  } catch (e) {
    diffs.push(`scenario failed: ${e.stack}`);
  } finally {
    process.off('SIGINT', onInt);
    await Promise.all(servers.map((s) => s.stop()));
    await psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(config, { force: true });
    rmSync(refFile, { force: true });
  }
  totals.checks += checks;
  totals.near += near.length;
  if (process.env.PARITY_VERBOSE) for (const x of near) console.log(`seed ${seed} within 1e-12: ${x}`);
  return diffs;
}

const totals = { seeds: 0, checks: 0, near: 0, diffRequests: 0, statuses: {} };
const t0 = Date.now();
const all = await eachSeed(first, count, totals, runSeed, 8);
if (process.env.PARITY_VERBOSE) console.log(totals.statuses);
delete totals.statuses;
console.log(JSON.stringify({ ...totals, differences: all.length, seconds: (Date.now() - t0) / 1000 }));
for (const x of process.env.PARITY_VERBOSE ? all : all.slice(0, 40)) console.log(x);
process.exitCode = all.length > 0 ? 1 : 0;
