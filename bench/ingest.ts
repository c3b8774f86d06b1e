/**
 * bench:ingest — sustained ingest throughput of the real server.
 *
 * Starts `lookout serve` as a child process on 127.0.0.1 with a fresh data dir, declares a model with 20
 * features (14 numerical, 6 categorical) and a reference, then posts pre-serialised batches of 500 events
 * (unique ids patched into a template) with several requests in flight for BENCH_SECONDS (default 60).
 * Prints accepted events/s (overall and per 5 s), ack latency per request, the server's RSS over time,
 * the single-core JSON.parse rate for the same payloads (the ceiling) and checks that the store holds
 * exactly the acknowledged events. Env: BENCH_SECONDS, BENCH_CONCURRENCY (8), BENCH_BATCH (500),
 * BENCH_PROFILE=1 (run the server under --cpu-prof and print where its time goes), BENCH_SERVE_FLAGS (the server's Node
 * flags; default npm start's, SERVE_NODE_FLAGS; '' for none), BENCH_RATE (events/s: an open loop instead, see below),
 * BENCH_SPREAD_HOURS (events dated over the last H hours instead of now: a back-fill touching thousands of windows).
 *
 * By default a closed loop: BENCH_CONCURRENCY requests always in flight, each sent when one returns, which finds the
 * highest rate and gives the ack latency at that rate (Little's law ties the two). BENCH_RATE=N offers N events/s
 * instead, a request every BATCH/N seconds whether or not earlier ones have returned (open loop, at most
 * MAX_OPEN_IN_FLIGHT in flight; a request that would exceed it is counted as not sent), and times each ack from the
 * request's scheduled send time, so that a stalled server shows in the latency of every request it held up: the ack
 * latency a client sending at that rate sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/core/random/rng.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { api, declareModel, featureSet, makeRow, priorityLine, referenceCsv, serveConfigArgs } from './lib-data.js';
import { printProfile, type CpuProfile } from './lib-profile.js';
import { fmtInt, fmtMs, msSummary, quantile, slope, verdict } from './lib-stats.js';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-node-flags.js';
import { duckdbAllocatorLabel, freshPageMicros, procCounters } from './lib-proc.js';

const SECONDS = Math.max(1, Number(process.env['BENCH_SECONDS'] ?? 60));
const CONCURRENCY = Math.max(1, Math.min(64, Number(process.env['BENCH_CONCURRENCY'] ?? 8)));
const BATCH = Math.max(1, Math.min(10_000, Number(process.env['BENCH_BATCH'] ?? 500)));
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** Open loop: events/s offered (BENCH_RATE); null: the closed loop of CONCURRENCY requests. */
const RATE = process.env['BENCH_RATE'] === undefined ? null : Number(process.env['BENCH_RATE']);
if (RATE !== null && !(Number.isFinite(RATE) && RATE >= 1)) throw new Error(`BENCH_RATE must be a number of events/s >= 1, not "${process.env['BENCH_RATE']}"`);
const MAX_OPEN_IN_FLIGHT = 64;
/** BENCH_SPREAD_HOURS=H: each event's timestamp is drawn (seeded) from the last H hours, as in a back-fill or late clients. */
const SPREAD_MS = Math.max(0, Number(process.env['BENCH_SPREAD_HOURS'] ?? 0)) * 3_600_000;
const spread = seededRandom(917);
/** The server's Node flags (default: npm start's, SERVE_NODE_FLAGS); BENCH_SERVE_FLAGS='' runs it without any. */
const NODE_FLAGS: readonly string[] = process.env['BENCH_SERVE_FLAGS'] === undefined ? SERVE_NODE_FLAGS : process.env['BENCH_SERVE_FLAGS'].split(' ').filter((f) => f !== '');
const TEMPLATES = 8;
const INTERVAL_MS = 5000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Hard bound on requests whatever the speed (the time bound normally ends the run first). */
const MAX_REQUESTS = Math.ceil((SECONDS * 1_000_000) / BATCH);
const MODEL = 'm';
const ID_WIDTH = 13;
const TS_WIDTH = 13;

const log = (s: string): void => console.log(s);

// ---------------------------------------------------------------------------------------------------
// Payload templates: 500 events each, with fixed-width id and timestamp slots patched per request.

interface Template {
  bytes: Buffer;
  idAt: number[];
  tsAt: number[];
}

function buildTemplates(): Template[] {
  const r = seededRandom(4242);
  const fs = featureSet(14, 6);
  const out: Template[] = [];
  for (let t = 0; t < TEMPLATES; t++) {
    let json = '{"events":[';
    const idAt: number[] = [];
    const tsAt: number[] = [];
    for (let i = 0; i < BATCH; i++) {
      const x = makeRow(r, fs);
      if (i > 0) json += ',';
      json += '{"id":"';
      idAt.push(json.length);
      json += 'e'.padEnd(ID_WIDTH, '0');
      json += `","model":"${MODEL}","version":"1","timestamp":`;
      tsAt.push(json.length);
      json += '0'.repeat(TS_WIDTH);
      json += `,"features":${JSON.stringify(x.features)},"prediction":"${x.prediction}","score":${x.score},"latencyMs":${x.latencyMs},"segment":{"region":"${x.region}"}}`;
    }
    json += ']}';
    out.push({ bytes: Buffer.from(json, 'latin1'), idAt, tsAt });
  }
  return out;
}

let nextId = 0;
function payload(t: Template, now: number): Buffer {
  const b = Buffer.allocUnsafe(t.bytes.length);
  t.bytes.copy(b);
  const ts = String(now).padStart(TS_WIDTH, '0');
  for (let i = 0; i < t.idAt.length; i++) {
    b.write(`e${String(++nextId).padStart(ID_WIDTH - 1, '0')}`, t.idAt[i] as number, 'latin1');
    b.write(SPREAD_MS > 0 ? String(now - Math.floor(spread.next() * SPREAD_MS)).padStart(TS_WIDTH, '0') : ts, t.tsAt[i] as number, 'latin1');
  }
  return b;
}

/** Events per second one core parses with JSON.parse, over the same payload bytes (~2 s). */
function jsonParseCeiling(templates: Template[]): { eventsPerSecond: number; bytesPerEvent: number } {
  const bodies = templates.map((t) => payload(t, Date.now()));
  const strings = bodies.map((b) => b.toString('utf8'));
  for (const s of strings) JSON.parse(s); // warm-up
  let events = 0;
  let parsed = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  // Decoding the bytes is part of what a server must do, so it is included (as Fastify does).
  while (elapsed < 2000 && parsed < 100_000) {
    const b = bodies[parsed % bodies.length] as Buffer;
    const v = JSON.parse(b.toString('utf8')) as { events: unknown[] };
    events += v.events.length;
    parsed++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const bytes = bodies.reduce((s, b) => s + b.length, 0);
  return { eventsPerSecond: events / (elapsed / 1000), bytesPerEvent: bytes / (bodies.length * BATCH) };
}

// ---------------------------------------------------------------------------------------------------
// Server child process.

async function startChild(dataDir: string, profDir: string | null): Promise<{ child: ChildProcess; url: string; stderrTail: string[] }> {
  const flags = [...NODE_FLAGS, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  const child = spawn(process.execPath, [...flags, 'bin/lookout.js', 'serve', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', '--quiet', ...serveConfigArgs()], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderrTail: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s: ${buf}`)), 30_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      buf += d;
      for (const line of d.split('\n')) if (line.trim()) stderrTail.push(line);
      while (stderrTail.length > 20) stderrTail.shift();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${buf}`));
    });
  });
  return { child, url, stderrTail };
}

async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

function procStatus(pid: number): { rssMb: number; cpuSeconds: number; faults: number } | null {
  try {
    const rss = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const c = procCounters(pid);
    return { rssMb: rss ? Number(rss[1]) / 1024 : NaN, cpuSeconds: c.cpuSeconds, faults: c.minorFaults };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Load.

interface Ack { at: number; ms: number; accepted: number; rejected: number }

function post(agent: http.Agent, port: number, body: Buffer): Promise<{ status: number; accepted: number; rejected: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const head = chunks.length ? (chunks[0] as Buffer).subarray(0, 64).toString('latin1') : '';
        const m = /^\{"accepted":(\d+),"rejected":(\d+)/.exec(head);
        if (res.statusCode === 200 && m) resolve({ status: 200, accepted: Number(m[1]), rejected: Number(m[2]), text: '' });
        else {
          const text = Buffer.concat(chunks).toString('utf8');
          let accepted = 0;
          let rejected = 0;
          try {
            const v = JSON.parse(text) as { accepted?: number; rejected?: number };
            accepted = v.accepted ?? 0;
            rejected = v.rejected ?? 0;
          } catch { /* an error body */ }
          resolve({ status: res.statusCode ?? 0, accepted, rejected, text: text.slice(0, 300) });
        }
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------

const dataDir = mkdtempSync(join(tmpdir(), 'lookout-bench-ingest-'));
const profDir = PROFILE ? join(dataDir, 'prof') : null;
let child: ChildProcess | undefined;
try {
  const loop = RATE === null ? `${CONCURRENCY} requests in flight (closed loop)` : `open loop: ${fmtInt(RATE)} events/s offered, a request every ${fmtMs((BATCH / RATE) * 1000)}, ack latency from its scheduled send time, at most ${MAX_OPEN_IN_FLIGHT} in flight`;
  log(`bench:ingest — ${SECONDS} s, batches of ${BATCH} events x 20 features (14 numerical, 6 categorical), ${loop}, data dir ${dataDir}`);
  log(`machine: ${cpus().length} CPUs shared by the server, this load generator and any other process; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`);
  const templates = buildTemplates();
  const ceiling = jsonParseCeiling(templates);
  log(`payload: ${fmtInt(ceiling.bytesPerEvent)} bytes per event, ${fmtInt((templates[0] as Template).bytes.length / 1024)} KiB per request`);
  log(`ceiling: JSON.parse on one core of this process parses ${fmtInt(ceiling.eventsPerSecond)} events/s of these payloads`);

  const started = await startChild(dataDir, profDir);
  child = started.child;
  const pid = child.pid as number;
  const port = Number(new URL(started.url).port);
  log(`server: pid ${pid} at ${started.url}, node ${NODE_FLAGS.join(' ') || '(no flags)'}${PROFILE ? ' (under --cpu-prof)' : ''}`);
  log(`server: ${priorityLine(started.stderrTail.join('\n')) ?? 'no CPU priority line'}`);

  const ref = referenceCsv(seededRandom(7), featureSet(14, 6), 5000);
  await declareModel(started.url, MODEL, featureSet(14, 6), ref.csv);
  log('model m@1 declared, reference of 5,000 rows uploaded');

  // Warm-up: a few requests so the first interval is not JIT and first-window loading.
  const agent = new http.Agent({ keepAlive: true, maxSockets: RATE === null ? CONCURRENCY : MAX_OPEN_IN_FLIGHT });
  let warmAccepted = 0;
  for (let i = 0; i < 4; i++) warmAccepted += (await post(agent, port, payload(templates[i % TEMPLATES] as Template, Date.now()))).accepted;

  const acks: Ack[] = [];
  const failures: string[] = [];
  let requests = 0;
  let inFlight = 0;
  const rss: Array<{ t: number; mb: number; cpu: number; faults: number }> = [];
  // The server's JS heap (prom-client default metrics), to tell a JS leak from native memory (DuckDB).
  const heap: Array<{ t: number; mb: number; totalMb: number; externalMb: number }> = [];
  // DuckDB's own account of its memory by component (lookout_store_memory_bytes): the id index, table data, buffers.
  const duck: Array<{ t: number; mb: Map<string, number> }> = [];
  const sample = (t: number): void => {
    const s = procStatus(pid);
    if (s) rss.push({ t, mb: s.rssMb, cpu: s.cpuSeconds, faults: s.faults });
    void fetch(`${started.url}/metrics`).then((r) => r.text()).then((text) => {
      const mb = (name: string): number => Number(new RegExp(`^lookout_nodejs_${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
      if (Number.isFinite(mb('heap_size_used_bytes'))) heap.push({ t, mb: mb('heap_size_used_bytes'), totalMb: mb('heap_size_total_bytes'), externalMb: mb('external_memory_bytes') });
      duck.push({ t, mb: new Map([...text.matchAll(/^lookout_store_memory_bytes\{component="([^"]+)"\} ([0-9.e+]+)$/gm)].map((x) => [x[1] as string, Number(x[2]) / 2 ** 20])) });
    }).catch(() => undefined);
  };
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const endAt = t0 + SECONDS * 1000;
  sample(0);
  const sampler = setInterval(() => sample(Date.now() - t0), INTERVAL_MS);

  /** Sends one request; its ack latency counts from `start` (performance.now(): when it was sent, or scheduled). */
  const send = async (start: number): Promise<void> => {
    const body = payload(templates[requests++ % TEMPLATES] as Template, Date.now());
    inFlight++;
    try {
      const res = await post(agent, port, body);
      const ms = performance.now() - start;
      if (res.status === 200) acks.push({ at: Date.now() - t0, ms, accepted: res.accepted, rejected: res.rejected });
      else failures.push(`HTTP ${res.status}: ${res.text}`);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    } finally {
      inFlight--;
    }
  };
  const worker = async (): Promise<void> => {
    while (Date.now() < endAt && requests < MAX_REQUESTS) await send(performance.now());
  };
  let notSent = 0;
  const openLoop = async (rate: number): Promise<void> => {
    const every = (BATCH / rate) * 1000;
    const p0 = performance.now();
    const sent: Array<Promise<void>> = [];
    for (let k = 0; ; k++) {
      const at = p0 + k * every;
      if (at - p0 >= SECONDS * 1000 || requests >= MAX_REQUESTS) break;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight >= MAX_OPEN_IN_FLIGHT) notSent++;
      else sent.push(send(at));
    }
    await Promise.all(sent);
  };
  await (RATE === null ? Promise.all(Array.from({ length: CONCURRENCY }, () => worker())) : openLoop(RATE));
  const loadMs = Date.now() - t0;
  clearInterval(sampler);
  if (loadMs - (rss[rss.length - 1]?.t ?? 0) >= INTERVAL_MS / 2) sample(loadMs);
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();

  // --- figures
  const accepted = acks.reduce((s, a) => s + a.accepted, 0);
  const rejected = acks.reduce((s, a) => s + a.rejected, 0);
  const rate = accepted / (loadMs / 1000);
  const lat = acks.map((a) => a.ms);
  log('');
  log(`load: ${fmtInt(requests)} requests in ${(loadMs / 1000).toFixed(1)} s, ${fmtInt(accepted)} events accepted, ${fmtInt(rejected)} rejected, ${failures.length} failed requests (in flight at the end: ${inFlight})`);
  if (failures.length) log(`  first failure: ${failures[0]}`);
  log(`load generator CPU: ${(((cpu.user + cpu.system) / 1e3 / loadMs) * 100).toFixed(0)}% of one core (this process, ${RATE === null ? `${CONCURRENCY} in flight` : 'open loop'} on one event loop)`);
  if (RATE !== null) log(`offered: ${fmtInt(RATE)} events/s; requests not sent (${MAX_OPEN_IN_FLIGHT} in flight already): ${fmtInt(notSent)}`);
  log(`throughput: ${fmtInt(rate)} accepted events/s sustained (${fmtInt(rate / BATCH)} requests/s)`);
  log(`ack latency per request of ${BATCH}${RATE === null ? '' : ' (from its scheduled send time)'}: ${msSummary(lat)}`);
  log('');
  log('  interval      events/s   p50 ack    p99 ack   server RSS   server CPU');
  // Whole intervals; a tail shorter than 1 s is folded into the last one.
  const intervals = Math.max(1, Math.floor(loadMs / INTERVAL_MS) + (loadMs % INTERVAL_MS >= 1000 ? 1 : 0));
  for (let k = 0; k < intervals; k++) {
    const a = k * INTERVAL_MS;
    const b = k === intervals - 1 ? loadMs : a + INTERVAL_MS;
    const inside = acks.filter((x) => x.at >= a && x.at < b);
    const ev = inside.reduce((s, x) => s + x.accepted, 0);
    const ms = inside.map((x) => x.ms);
    const s0 = rss.filter((x) => x.t <= a + 100).pop();
    const s1 = rss.find((x) => x.t >= b - 100) ?? rss[rss.length - 1];
    const cpuPct = s0 && s1 && s1.t > s0.t ? `${(((s1.cpu - s0.cpu) * 1000) / (s1.t - s0.t) * 100).toFixed(0)}%` : 'n/a';
    log(`  ${(a / 1000).toFixed(0).padStart(3)}-${(b / 1000).toFixed(0).padEnd(3)} s  ${fmtInt(ev / ((b - a) / 1000)).padStart(10)}  ${fmtMs(quantile(ms, 0.5)).padStart(9)}  ${fmtMs(quantile(ms, 0.99)).padStart(9)}  ${s1 ? `${s1.mb.toFixed(0)} MB`.padStart(9) : 'n/a'.padStart(9)}  ${cpuPct.padStart(10)}`);
  }

  // Memory: flat if, over the second half of the run (never the start-up ramp of the first 5 s), the
  // fitted growth stays within 5% of the RSS. Needs at least 3 samples there (a run of 30 s or more).
  const mbs = rss.map((x) => x.mb);
  const half = rss.filter((x) => x.t >= Math.max(INTERVAL_MS, loadMs / 2) - 100);
  const halfSlope = slope(half.map((x) => x.t / 1000), half.map((x) => x.mb)); // MB/s
  const halfMean = half.reduce((s, x) => s + x.mb, 0) / Math.max(1, half.length);
  const halfGrowth = halfSlope * (loadMs / 2000);
  const allSlope = slope(rss.map((x) => x.t / 1000), mbs);
  const memoryJudged = half.length >= 3;
  const memoryFlat = memoryJudged && halfGrowth <= 0.05 * halfMean;
  log('');
  const f0 = rss[0];
  const f1 = rss[rss.length - 1];
  if (f0 && f1 && f1.t > f0.t) {
    const faultsPerSecond = (f1.faults - f0.faults) / ((f1.t - f0.t) / 1000);
    log(`server page faults (minor, from /proc): ${fmtInt(faultsPerSecond)}/s, ${(faultsPerSecond / rate).toFixed(2)} per event; a fresh page costs ${freshPageMicros().toFixed(2)} µs on this machine (measured now; DuckDB's allocator: ${duckdbAllocatorLabel()})`);
  }
  log(`server RSS (every 5 s): first ${(mbs[0] ?? NaN).toFixed(0)} MB, last ${(mbs[mbs.length - 1] ?? NaN).toFixed(0)} MB, max ${Math.max(...mbs).toFixed(0)} MB; slope ${(allSlope * 60).toFixed(1)} MB/min over the run, ${(halfSlope * 60).toFixed(1)} MB/min over the second half (${halfGrowth >= 0 ? '+' : ''}${halfGrowth.toFixed(0)} MB, ${((halfGrowth / halfMean) * 100).toFixed(1)}% of ${halfMean.toFixed(0)} MB)`);
  log(`  samples: ${rss.map((x) => `${(x.t / 1000).toFixed(0)}s=${x.mb.toFixed(0)}`).join(' ')}`);
  const heapHalf = heap.filter((x) => x.t >= Math.max(INTERVAL_MS, loadMs / 2) - 100);
  heap.sort((a, b) => a.t - b.t);
  log(`server JS heap of the main thread, used / total / external (same times, MB): ${heap.map((x) => `${x.mb.toFixed(0)}/${x.totalMb.toFixed(0)}/${x.externalMb.toFixed(0)}`).join(' ')}; slope over the second half ${(slope(heapHalf.map((x) => x.t / 1000), heapHalf.map((x) => x.mb)) * 60).toFixed(1)} MB/min (the rest of RSS is native: DuckDB, buffers)`);
  duck.sort((a, b) => a.t - b.t);
  const components = [...new Set(duck.flatMap((x) => [...x.mb.keys()]))].filter((c) => duck.some((x) => (x.mb.get(c) ?? 0) >= 1));
  const duckHalf = duck.filter((x) => x.t >= Math.max(INTERVAL_MS, loadMs / 2) - 100);
  const growth = (c: string): string => {
    const g = slope(duckHalf.map((x) => x.t / 1000), duckHalf.map((x) => x.mb.get(c) ?? 0)) * (loadMs / 2000);
    return duckHalf.length >= 2 ? ` (${g >= 0 ? '+' : ''}${g.toFixed(0)} over the second half)` : '';
  };
  log(`DuckDB's memory (duckdb_memory(), same times, MB): ${components.map((c) => `${c} ${duck.map((x) => (x.mb.get(c) ?? 0).toFixed(0)).join(' ')}${growth(c)}`).join('; ') || 'n/a'}`);

  // Every request has returned (the workers awaited them). Count what the server stored.
  const acknowledged = accepted + warmAccepted;
  const now = Date.now();
  const health = await api(started.url, 'GET', `/v1/models/${MODEL}/health?version=1&from=${t0 - SPREAD_MS - 3_600_000}&to=${now + 60_000}`) as { events: number };
  // The server's own commit histogram: how long a group takes from summarising to committed.
  const metrics = await (await fetch(`${started.url}/metrics`)).text();
  const metric = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const commits = metric('lookout_ingest_commit_seconds_count');
  const commitSeconds = metric('lookout_ingest_commit_seconds_sum');
  const stage = (name: string): number => metric(`lookout_ingest_commit_stage_seconds_sum\\{stage="${name}"\\}`);
  const stages = ['prepare', 'deltas', 'wait', 'store', 'apply'].map((name) => `${name} ${fmtMs((stage(name) / commits) * 1000)}`).join(', ');
  const exitCode = await stopChild(child);
  const profiles = profDir && existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const store = await DuckDbStore.open(join(dataDir, 'lookout.duckdb'));
  const stored = await store.countEvents(MODEL);
  await store.close();
  log('');
  log(`stored vs acknowledged (including ${fmtInt(warmAccepted)} warm-up events): acknowledged ${fmtInt(acknowledged)}, events table ${fmtInt(stored)}, window summaries (GET health) ${fmtInt(health.events)}; server exit code ${exitCode}`);

  log(`group commits (deltas, journal record synced, DuckDB transaction of events and rejects; pipelined, so the next group is prepared while one commits and these times overlap): ${fmtInt(commits)} commits, ${fmtInt(acknowledged / commits)} events each on average, mean ${fmtMs((commitSeconds / commits) * 1000)}, busy ${((commitSeconds / (loadMs / 1000)) * 100).toFixed(0)}% of the load time`);
  log(`  a group's time by stage, mean (prepare: rows and journal record; deltas: from the start until its deltas were ready, beside wait and store; wait: for the previous commit; store: its transaction, COMMIT after the deltas; apply: deltas into memory): ${stages}`);
  const checkpoints = metric('lookout_summary_checkpoint_seconds_count');
  const checkpointSeconds = metric('lookout_summary_checkpoint_seconds_sum');
  if (checkpoints > 0) log(`summary checkpoints (dirty windows serialised, then upserted beside the group commits; journal truncated): ${fmtInt(checkpoints)}, mean ${fmtMs((checkpointSeconds / checkpoints) * 1000)}, ${((checkpointSeconds / (loadMs / 1000)) * 100).toFixed(1)}% of the load time`);
  const ratio = rate / ceiling.eventsPerSecond;
  log(`ratio accepted / JSON.parse ceiling: ${(ratio * 100).toFixed(1)}% (${fmtInt(rate)} / ${fmtInt(ceiling.eventsPerSecond)} events/s)`);
  const p99 = quantile(lat, 0.99);
  log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  log('');
  log('targets:');
  log(`  throughput >= 100,000 events/s: ${fmtInt(rate)} -> ${verdict(rate >= 100_000)}`);
  log(`  p99 ack <= 50 ms: ${fmtMs(p99)} -> ${verdict(p99 <= 50)}`);
  log(`  memory flat (second-half growth <= 5% of RSS): ${memoryJudged ? `${halfGrowth.toFixed(0)} MB -> ${verdict(memoryFlat)}` : 'run too short to judge (needs >= 3 samples in the second half: BENCH_SECONDS >= 30) -> NOT MET'}`);
  log(`  stored == acknowledged (events table and summaries), no failed requests: ${verdict(stored === acknowledged && health.events === acknowledged && failures.length === 0)}`);
  if (RATE === null) log(`  (Little's law: ${CONCURRENCY} x ${BATCH} events in flight at 100,000 events/s means a mean ack of ${fmtMs((CONCURRENCY * BATCH) / 100)}; concurrency trades throughput against latency)`);
  else log(`  (open loop at ${fmtInt(RATE)} events/s offered${notSent > 0 ? `; ${fmtInt(notSent)} requests not sent: the server did not keep up` : ''})`);

  for (const f of profiles) {
    log('');
    printProfile(`server CPU profile (${f})`, JSON.parse(readFileSync(join(profDir as string, f), 'utf8')) as CpuProfile, 20);
  }
} finally {
  if (child && child.exitCode === null) await stopChild(child);
  if (process.env['BENCH_KEEP'] !== '1') rmSync(dataDir, { recursive: true, force: true });
}
