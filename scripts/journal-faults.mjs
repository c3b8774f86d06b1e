#!/usr/bin/env node
/* global process, fetch, setTimeout, setInterval, clearInterval, console */
// Fault injection on the summary journal (audit 14), with real server processes: kill -9 at chosen moments of
// sustained ingest (some of it client retries of acknowledged events, so some group commits fail and are aborted),
// then restarts on the data dir as the kill left it and on copies whose last journal file is cut at every record
// boundary, inside records at random offsets, or has a byte flipped. Each restart's /health count is compared with the
// events in the DuckDB file read after the server stopped:
//   uncut journal: counted == stored; cut or corrupt journal: counted <= stored, and when fewer, the start said so.
// Usage: npm run build && node scripts/journal-faults.mjs [rounds per moment, default 4] [random cuts per kill, default 4]
// Ports 42100-42199. Not part of the test suite (minutes); test/audit14-journal.test.ts holds the short version.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { parseRecords } = await import(join(root, 'dist/src/ingest/journal.js'));
const { DuckDbStore } = await import(join(root, 'dist/src/storage/duckdb/store.js'));
const { seededRandom } = await import(join(root, 'dist/src/core/random/rng.js'));

const ROUNDS = Number(process.argv[2] ?? 4);
const CUTS = Number(process.argv[3] ?? 4);
const MODEL = 'm';
const T0 = Date.now();
const HOUR = 3_600_000;
const rnd = seededRandom(1414);
let port = 42100;
const nextPort = () => (port = port >= 42199 ? 42100 : port + 1);
const tmp = (p) => mkdtempSync(join(tmpdir(), p));

function serve(data) {
  const proc = spawn(process.execPath, [join(root, 'bin/lookout.js'), 'serve', '--quiet', '--data-dir', data, '--port', String(nextPort())], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise((r) => proc.once('exit', (code, sig) => r(code ?? sig)));
  const listening = new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    void exited.then((c) => reject(new Error(`exited ${c} before listening:\n${err}`)));
  });
  listening.catch(() => undefined);
  return { proc, listening, exited, stderr: () => err };
}

async function call(url, method, path, body) {
  const res = await fetch(url + path, { method, ...(body && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

const evs = (prefix, n) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, model: MODEL, version: '1', timestamp: T0, features: { x: i % 7 }, prediction: String(i % 2), score: 0.5 }));

async function counted(data) {
  const s = serve(data);
  const url = await s.listening;
  const h = await call(url, 'GET', `/v1/models/${MODEL}/health?from=${T0 - HOUR}&to=${T0 + HOUR}`);
  s.proc.kill('SIGTERM');
  const code = await s.exited;
  const store = await DuckDbStore.open(join(data, 'lookout.duckdb'));
  const stored = await store.countEvents(MODEL);
  await store.close();
  return { counted: h.body.events, stored, warned: /summary journal lacks the records/.test(s.stderr()), code, stderr: s.stderr() };
}

const journalDir = (data) => {
  const id = readdirSync(join(data, 'journal')).find((f) => /^[0-9a-f-]{36}$/.test(f));
  return join(data, 'journal', id);
};
const logs = (dir) => readdirSync(dir).filter((f) => /^journal-\d{16}\.log$/.test(f)).sort();

const figures = { restarts: 0, exact: 0, cutRestarts: 0, under: 0, underWarned: 0, over: 0, failedStarts: 0, problems: [] };
function check(what, r, cut) {
  figures.restarts++;
  if (r.code !== 0) figures.problems.push(`${what}: shutdown exit ${r.code}`);
  if (!cut) {
    if (r.counted === r.stored) figures.exact++;
    else figures.problems.push(`${what}: uncut journal, counted ${r.counted} stored ${r.stored}\n${r.stderr}`);
    return;
  }
  figures.cutRestarts++;
  if (r.counted > r.stored) {
    figures.over++;
    figures.problems.push(`${what}: counted ${r.counted} > stored ${r.stored}`);
  } else if (r.counted < r.stored) {
    figures.under++;
    if (r.warned) figures.underWarned++;
    else figures.problems.push(`${what}: counted ${r.counted} < stored ${r.stored}, no warning`);
  }
}

/** Sustained ingest from 2 senders (every 5th request re-sends 50 acknowledged ids with 50 new ones) until killed. */
function senders(url, tag) {
  let stop = false;
  const loops = [0, 1].map(async (s) => {
    for (let n = 0; !stop; n++) {
      const fresh = evs(`${tag}-s${s}-b${n}`, 200);
      const body = n % 5 === 4 ? [...evs(`${tag}-s${s}-b${n - 1}`, 50), ...fresh.slice(0, 50)] : fresh;
      try {
        await call(url, 'POST', '/v1/events', { events: body });
      } catch {
        return;
      }
    }
  });
  return { stop: async () => { stop = true; await Promise.all(loops); } };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One kill at `moment`, then the uncut restart and the cut ones. */
async function round(moment, i) {
  const data = tmp('lookout-a14-faults-');
  let s = serve(data);
  let url = await s.listening;
  await call(url, 'POST', '/v1/models', { name: MODEL, outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  await call(url, 'POST', `/v1/models/${MODEL}/versions`, { version: '1' });
  const load = senders(url, `r${i}`);
  await sleep(300 + rnd.int(1500));
  if (moment === 'ingest') s.proc.kill('SIGKILL');
  if (moment === 'checkpoint') {
    // A read starts a checkpoint at once; the kill lands during it or just after.
    void call(url, 'GET', `/v1/models/${MODEL}/health?from=${T0 - HOUR}&to=${T0 + HOUR}`).catch(() => undefined);
    await sleep(rnd.int(40));
    s.proc.kill('SIGKILL');
  }
  if (moment === 'shutdown') {
    s.proc.kill('SIGTERM');
    await sleep(rnd.int(60));
    s.proc.kill('SIGKILL');
  }
  if (moment === 'after-replay') {
    // Killed with unsummarised groups, restarted, killed again right after (or during) the start-up replay.
    s.proc.kill('SIGKILL');
    await s.exited;
    await load.stop();
    s = serve(data);
    await Promise.race([s.listening.catch(() => undefined), new Promise((r) => { const t = setInterval(() => { if (/recovered the summaries/.test(s.stderr())) { clearInterval(t); r(); } }, 1); })]);
    await sleep(rnd.int(30));
    s.proc.kill('SIGKILL');
  }
  await s.exited;
  await load.stop();
  const pristine = tmp('lookout-a14-pristine-');
  cpSync(data, pristine, { recursive: true });
  check(`${moment} #${i} uncut`, await counted(data), false);
  rmSync(data, { recursive: true, force: true });
  // Cuts of the last journal file with records in it (skip when a clean shutdown left none).
  const dir0 = journalDir(pristine);
  const file = logs(dir0).reverse().find((f) => parseRecords(readFileSync(join(dir0, f))).length > 0);
  if (file !== undefined) {
    const bytes = readFileSync(join(dir0, file));
    const records = parseRecords(bytes);
    const ends = [0];
    for (const r of records) ends.push(ends.at(-1) + 17 + r.payload.length);
    const cuts = [...ends.slice(0, -1).map((e) => ['cut', e]), ...Array.from({ length: CUTS }, () => ['cut', rnd.int(bytes.length)]), ['flip', rnd.int(bytes.length)]];
    for (const [kind, at] of cuts) {
      const d = tmp('lookout-a14-cut-');
      cpSync(pristine, d, { recursive: true });
      const path = join(journalDir(d), file);
      if (kind === 'cut') truncateSync(path, at);
      else { const b = readFileSync(path); b[at] ^= 0xff; writeFileSync(path, b); }
      check(`${moment} #${i} ${kind} at ${at} of ${bytes.length} (${records.length} records)`, await counted(d), true);
      rmSync(d, { recursive: true, force: true });
    }
  }
  // The journal directory deleted after the crash.
  const d = tmp('lookout-a14-nodir-');
  cpSync(pristine, d, { recursive: true });
  rmSync(journalDir(d), { recursive: true, force: true });
  check(`${moment} #${i} journal dir deleted`, await counted(d), true);
  rmSync(d, { recursive: true, force: true });
  rmSync(pristine, { recursive: true, force: true });
}

const t0 = Date.now();
for (const moment of ['ingest', 'checkpoint', 'after-replay', 'shutdown']) {
  for (let i = 0; i < ROUNDS; i++) {
    try {
      await round(moment, i);
    } catch (e) {
      figures.failedStarts++;
      figures.problems.push(`${moment} #${i}: ${e.stack ?? e}`);
    }
  }
}
const { problems, ...rest } = figures;
console.log(JSON.stringify({ ...rest, seconds: Math.round((Date.now() - t0) / 1000) }));
for (const p of problems) console.log(`PROBLEM ${p}`);
process.exitCode = problems.length > 0 ? 1 : 0;
