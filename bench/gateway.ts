/**
 * bench:gateway — the prediction gateway's added latency, against calling the upstream model server
 * directly, measured in the same run on loopback.
 *
 * Four processes: the upstream model server (bench/gateway-upstream.ts), `lookout serve` (DuckDB file store,
 * event recording on: every prediction is recorded into the ingest pipeline), a bare reference proxy
 * (bench/gateway-bare-proxy.ts: node:http + undici and nothing else, i.e. what two HTTP hops of Node cost on this
 * machine) and this open-loop load generator (undici Pools with keep-alive). Requests are paced at BENCH_RATE per
 * second (default 2000) regardless of answers (open loop), alternating between the three targets (direct, bare proxy,
 * gateway) in BENCH_ROUNDS rounds (default 4) so all see the same machine conditions; a warm-up phase of each is
 * discarded. Where nginx is installed (bench/gateway-nginx.ts), it is a fourth target: one proxy hop that is not
 * Node. Latency is measured from the moment a request is handed to the client; the same figures from the intended send time (which also
 * count pacing delays) are printed too. Afterwards the store is opened and the recorded events counted.
 * Env: BENCH_RATE, BENCH_SECONDS (per target, default 20), BENCH_ROUNDS, BENCH_PROFILE=1 (server under --cpu-prof, and what
 * its main thread did around the gateway's slow requests;
 * BENCH_PROFILE_DIR=dir keeps the .cpuprofile there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { seededRandom } from '../src/core/random/rng.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { api, featureSet, makeRow, modelBody, priorityLine, serveConfigArgs } from './lib-data.js';
import { printProfile, timeDuring, type CpuProfile } from './lib-profile.js';
import { serverFigures } from '../test/helpers/server-figures.js';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-node-flags.js';
import { startNginx } from './gateway-nginx.js';
import { fmtInt, fmtMs, quantile, verdict } from './lib-stats.js';
import { cpuSeconds, duckdbAllocatorLabel, freshPageMicros, procCounters } from './lib-proc.js';

const RATE = Math.max(1, Number(process.env['BENCH_RATE'] ?? 2000));
const SECONDS = Math.max(1, Number(process.env['BENCH_SECONDS'] ?? 20));
const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 4));
const WARMUP_S = 3;
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** The server's Node flags (default: npm start's, SERVE_NODE_FLAGS); BENCH_SERVE_FLAGS='' runs it without any. */
const NODE_FLAGS: readonly string[] = process.env['BENCH_SERVE_FLAGS'] === undefined ? SERVE_NODE_FLAGS : process.env['BENCH_SERVE_FLAGS'].split(' ').filter((f) => f !== '');
const log = (s: string): void => console.log(s);

/**
 * BENCH_REQUEST_LOGS=FILE: the server runs with its log on (not --quiet), written to FILE, logging requests as its
 * config says (default: answers with status >= 400; a BENCH_CONFIG with `server.requestLogs: all` logs each one).
 */
const REQUEST_LOGS = process.env['BENCH_REQUEST_LOGS'];

function startChild(args: string[], pattern: RegExp, stream: 'stdout' | 'stderr', stdout: 'pipe' | number = 'pipe'): Promise<{ child: ChildProcess; url: string; startup: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', stdout, 'pipe'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${buf}`)), 60_000);
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (d: string) => {
      buf += d;
      const m = pattern.exec(buf);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], startup: buf });
      }
    });
    (stream === 'stdout' ? child.stderr : child.stdout)?.resume();
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${buf}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(t);
}

/** CPU seconds of nginx's master and its workers (its children, from /proc). */
function nginxCpu(master: number | undefined): number {
  let sum = cpuSeconds(master);
  try {
    for (const pid of readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter((x) => x !== '')) sum += cpuSeconds(Number(pid));
  } catch {
    return NaN;
  }
  return sum;
}

interface Phase { sent: number; ok: number; failed: number; fromSend: number[]; fromIntended: number[]; sentAt: number[]; seconds: number; firstError?: string }

/** Open-loop load: request i is due at start + i / rate, whatever happened to earlier ones. */
async function openLoop(pool: Pool, path: string, bodies: string[], seconds: number, record: boolean): Promise<Phase> {
  const total = Math.round(RATE * seconds);
  const p: Phase = { sent: 0, ok: 0, failed: 0, fromSend: [], fromIntended: [], sentAt: [], seconds };
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  const interval = 1000 / RATE;
  while (p.sent < total) {
    const now = performance.now();
    while (p.sent < total && t0 + p.sent * interval <= now) {
      const intended = t0 + p.sent * interval;
      const body = bodies[p.sent % bodies.length] as string;
      p.sent++;
      const sentAt = performance.now();
      const req = pool.request({ path, method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(async (res) => {
        await res.body.text();
        const end = performance.now();
        if (res.statusCode === 200) {
          p.ok++;
          if (record) {
            p.fromSend.push(end - sentAt);
            p.sentAt.push(sentAt);
            p.fromIntended.push(end - intended);
          }
        } else {
          p.failed++;
          p.firstError ??= `HTTP ${res.statusCode}`;
        }
      }, (e: unknown) => {
        p.failed++;
        p.firstError ??= e instanceof Error ? e.message : String(e);
      });
      pending.add(req);
      void req.finally(() => pending.delete(req));
    }
    const next = t0 + p.sent * interval - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, next)));
  }
  await Promise.all(pending);
  return p;
}

function merge(phases: Phase[]): Phase {
  return phases.reduce((a, b) => ({
    sent: a.sent + b.sent, ok: a.ok + b.ok, failed: a.failed + b.failed, fromSend: a.fromSend.concat(b.fromSend),
    fromIntended: a.fromIntended.concat(b.fromIntended), sentAt: a.sentAt.concat(b.sentAt), seconds: a.seconds + b.seconds, ...(a.firstError ?? b.firstError ? { firstError: a.firstError ?? b.firstError } : {}),
  }), { sent: 0, ok: 0, failed: 0, fromSend: [], fromIntended: [], sentAt: [], seconds: 0 });
}

interface Episode { start: number; end: number; n: number; worst: number }

/** Requests over `slowMs` grouped into episodes: slow requests sent within 20 ms of each other (times: performance.now()). */
function slowEpisodes(p: Phase, slowMs: number): { slow: number; eps: Episode[] } {
  const slow = p.sentAt.map((t, i) => ({ t, ms: p.fromSend[i] as number })).filter((x) => x.ms > slowMs).sort((a, b) => a.t - b.t);
  const eps: Episode[] = [];
  for (const x of slow) {
    const last = eps[eps.length - 1];
    if (last && x.t - last.end <= 20) {
      last.end = x.t;
      last.n++;
      last.worst = Math.max(last.worst, x.ms);
    } else eps.push({ start: x.t, end: x.t, n: 1, worst: x.ms });
  }
  return { slow: slow.length, eps };
}

/**
 * Where the gateway's tail comes from: requests over `slowMs` grouped into episodes. Few long episodes at a steady
 * spacing point at periodic work (the recorder's commits, summary checkpoints), many short scattered ones at queueing
 * on a busy machine.
 */
function episodes(p: Phase, slowMs: number): string {
  const { slow, eps } = slowEpisodes(p, slowMs);
  if (eps.length === 0) return `no request over ${slowMs} ms`;
  const gaps = eps.slice(1).map((e, i) => e.start - (eps[i] as { start: number }).start).filter((g) => g < 5000);
  const top = [...eps].sort((a, b) => b.n - a.n).slice(0, 5);
  return `${fmtInt(slow)} requests over ${slowMs} ms in ${eps.length} episodes (${(eps.length / p.seconds).toFixed(1)}/s; median spacing ${fmtMs(quantile(gaps, 0.5))});`
    + ` largest: ${top.map((e) => `${e.n} requests over ${fmtMs(e.end - e.start)}, worst ${fmtMs(e.worst)}`).join('; ')}`;
}

/** performance.now() (ms) to the clock of a V8 CPU profile (µs of CLOCK_MONOTONIC, as process.hrtime). */
const MONOTONIC_OFFSET_US = Number(process.hrtime.bigint()) / 1e3 - performance.now() * 1e3;
const monotonicUs = (ms: number): number => ms * 1e3 + MONOTONIC_OFFSET_US;

const RECORDING = /\/src\/(ingest|storage|core\/summary|core\/sketches)\/|\/src\/gateway\/recorder\.js|@duckdb|sketches-js/;
const serverCategory = (stack: readonly { url: string }[]): string => (stack.some((f) => RECORDING.test(f.url)) ? 'the recording (ingest, summaries, store)' : 'other work (HTTP, routing, proxying)');

/**
 * With BENCH_PROFILE=1: what the server's main thread did while the gateway's requests were slow (from 15 ms before
 * each episode to when its slowest request could have been answered), against all of the gateway's phases. An idle
 * main thread during the episodes means the requests waited elsewhere (the load generator, the upstream, the kernel).
 */
function tailAgainstProfile(profile: CpuProfile, eps: readonly Episode[], phases: ReadonlyArray<{ from: number; to: number }>): string[] {
  const shares = (m: Map<string, number>): string => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(0)}%`).join(', ');
  };
  const during = timeDuring(profile, eps.map((e) => ({ from: monotonicUs(e.start - 15), to: monotonicUs(e.end + e.worst) })), serverCategory);
  return [
    `  the server's main thread around the gateway's ${eps.length} slow episodes: ${shares(during)}`,
    `  ... and over all gateway phases: ${shares(timeDuring(profile, phases, serverCategory))}`,
  ];
}

/**
 * The server's own figures from /metrics: longest event-loop block since the last scrape, GC pauses (mean, 1 and 10 ms
 * or more).
 */
async function serverSummary(url: string): Promise<string> {
  const f = await serverFigures(url);
  const gcs = ['minor', 'major', 'incremental'].map((k) => `${k} ${fmtInt(f.gcs(k))} (${f.gcs(k) > 0 ? `mean ${fmtMs((f.gcSeconds(k) * 1000) / f.gcs(k))}, ` : ''}${fmtInt(f.gcsOver(k, '0.001'))} of 1 ms or more, ${fmtInt(f.gcsOver(k, '0.01'))} of 10 ms or more)`);
  return `event loop blocked at most ${fmtMs(f.lagMaxMs)}; garbage collections: ${gcs.join(', ')}`;
}

const QS: Array<[string, number]> = [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['p99.9', 0.999]];
const dist = (xs: number[]): string => `${QS.map(([n, q]) => `${n} ${fmtMs(quantile(xs, q))}`).join(', ')}, max ${fmtMs(xs.length ? Math.max(...xs) : NaN)} (n=${fmtInt(xs.length)})`;

const dataDir = mkdtempSync(join(tmpdir(), 'lookout-bench-gateway-'));
const children: ChildProcess[] = [];
// The children (upstream, proxies, server) go with this process however it ends: an uncaught error or a signal skips the
// `finally` below, and they would keep their ports and CPU.
process.once('exit', () => {
  // SIGTERM, as stop() sends first: nginx's master then takes its worker with it (after a SIGKILL the worker stays).
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]));
try {
  log(`bench:gateway — open loop at ${fmtInt(RATE)} requests/s, ${SECONDS} s per target in ${ROUNDS} alternating rounds (+${WARMUP_S} s warm-up each), event recording on`);
  log(`machine: ${cpus().length} CPUs shared by the upstream, the server, this load generator and any other process; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`);
  const upstream = await startChild([join(process.cwd(), 'dist', 'bench', 'gateway-upstream.js')], /listening on (http:\/\/[^\s]+)/, 'stdout');
  children.push(upstream.child);
  const bare = await startChild([join(process.cwd(), 'dist', 'bench', 'gateway-bare-proxy.js'), upstream.url], /listening on (http:\/\/[^\s]+)/, 'stdout');
  children.push(bare.child);
  // A reference only: when it cannot start, the run goes on without it (said below).
  const nginx = await startNginx(upstream.url, join(dataDir, 'nginx')).catch((e: unknown) => {
    log(`nginx did not start (${String(e)}); measuring without it`);
    return null;
  });
  if (nginx) children.push(nginx.child);
  const profDir = join(dataDir, 'prof');
  const server = await startChild([...NODE_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), 'bin/lookout.js', 'serve', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1', ...(REQUEST_LOGS === undefined ? ['--quiet'] : []), ...serveConfigArgs()], /listening on (http:\/\/127\.0\.0\.1:\d+)/, 'stderr', REQUEST_LOGS === undefined ? 'pipe' : openSync(REQUEST_LOGS, 'a'));
  children.push(server.child);
  const fs = featureSet(10, 2);
  await api(server.url, 'POST', '/v1/models', modelBody('m', fs));
  await api(server.url, 'PUT', '/v1/models/m/versions/1.0.0', { upstream: upstream.url });
  await api(server.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'bench' });
  const r = seededRandom(11);
  const bodies = Array.from({ length: 256 }, () => JSON.stringify({ features: makeRow(r, fs).features }));
  log(`upstream ${upstream.url} (pid ${upstream.child.pid}); gateway ${server.url}/v1/models/m/predict (pid ${server.child.pid}); ${bodies[0]?.length ?? 0}-byte bodies, 12 features`);
  log(nginx ? `nginx ${nginx.version} at ${nginx.url} (pid ${nginx.child.pid}): a fourth target, one proxy hop that is not Node` : 'nginx: not installed (or BENCH_NGINX=off): no non-Node reference proxy in this run');

  const up = new URL(upstream.url);
  const direct = new Pool(up.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 120_000 });
  const gw = new Pool(server.url, { connections: 256, pipelining: 1, keepAliveTimeout: 120_000 });
  const bp = new Pool(new URL(bare.url).origin, { connections: 256, pipelining: 1, keepAliveTimeout: 120_000 });
  const np = nginx ? new Pool(new URL(nginx.url).origin, { connections: 256, pipelining: 1, keepAliveTimeout: 120_000 }) : null;
  await openLoop(direct, up.pathname, bodies, WARMUP_S, false);
  await openLoop(bp, '/', bodies, WARMUP_S, false);
  if (np) await openLoop(np, '/', bodies, WARMUP_S, false);
  await openLoop(gw, '/v1/models/m/predict', bodies, WARMUP_S, false);
  const d: Phase[] = [];
  const b: Phase[] = [];
  const g: Phase[] = [];
  /** When each gateway phase ran, on the profile clock (for tailAgainstProfile). */
  const gatewayPhases: Array<{ from: number; to: number }> = [];
  const n: Phase[] = [];
  const cpu = { gwServer: 0, gwUpstream: 0, directUpstream: 0, bare: 0, nginx: 0, gwFaults: 0, bareFaults: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    let u0 = cpuSeconds(upstream.child.pid);
    d.push(await openLoop(direct, up.pathname, bodies, SECONDS / ROUNDS, true));
    cpu.directUpstream += cpuSeconds(upstream.child.pid) - u0;
    const b0 = procCounters(bare.child.pid);
    b.push(await openLoop(bp, '/', bodies, SECONDS / ROUNDS, true));
    const b1 = procCounters(bare.child.pid);
    cpu.bare += b1.cpuSeconds - b0.cpuSeconds;
    cpu.bareFaults += b1.minorFaults - b0.minorFaults;
    if (np && nginx) {
      const n0 = nginxCpu(nginx.child.pid);
      n.push(await openLoop(np, '/', bodies, SECONDS / ROUNDS, true));
      cpu.nginx += nginxCpu(nginx.child.pid) - n0;
    }
    u0 = cpuSeconds(upstream.child.pid);
    const s0 = procCounters(server.child.pid);
    const gFrom = monotonicUs(performance.now());
    g.push(await openLoop(gw, '/v1/models/m/predict', bodies, SECONDS / ROUNDS, true));
    gatewayPhases.push({ from: gFrom, to: monotonicUs(performance.now()) });
    const s1 = procCounters(server.child.pid);
    cpu.gwServer += s1.cpuSeconds - s0.cpuSeconds;
    cpu.gwFaults += s1.minorFaults - s0.minorFaults;
    cpu.gwUpstream += cpuSeconds(upstream.child.pid) - u0;
  }
  const D = merge(d);
  const B = merge(b);
  const G = merge(g);
  const N = np ? merge(n) : null;
  await direct.close();
  await bp.close();
  await np?.close();
  await gw.close();
  log('');
  log(`lookout serve ran with node ${NODE_FLAGS.join(' ') || '(no flags)'}; ${priorityLine(server.startup) ?? 'no CPU priority line'}`);
  log(`direct upstream: ${fmtInt(D.ok)} ok, ${D.failed} failed${D.firstError ? ` (${D.firstError})` : ''}, ${fmtInt(D.sent / D.seconds)} requests/s offered`);
  log(`  latency from send:     ${dist(D.fromSend)}`);
  log(`  from intended time:    ${dist(D.fromIntended)}`);
  log(`through the bare reference proxy: ${fmtInt(B.ok)} ok, ${B.failed} failed${B.firstError ? ` (${B.firstError})` : ''}, ${fmtInt(B.sent / B.seconds)} requests/s offered`);
  log(`  latency from send:     ${dist(B.fromSend)}`);
  if (N) {
    log(`through nginx: ${fmtInt(N.ok)} ok, ${N.failed} failed${N.firstError ? ` (${N.firstError})` : ''}, ${fmtInt(N.sent / N.seconds)} requests/s offered`);
    log(`  latency from send:     ${dist(N.fromSend)}`);
  }
  log(`through the gateway: ${fmtInt(G.ok)} ok, ${G.failed} failed${G.firstError ? ` (${G.firstError})` : ''}, ${fmtInt(G.sent / G.seconds)} requests/s offered`);
  log(`  latency from send:     ${dist(G.fromSend)}`);
  log(`  from intended time:    ${dist(G.fromIntended)}`);
  log('');
  log(`added latency, same run:   by the gateway (gateway minus direct) | by the bare proxy (the floor of two Node HTTP hops here) | gateway minus bare proxy${N ? ' | by nginx (one proxy hop, not Node)' : ''}`);
  for (const [name, q] of QS) {
    const [dq, bq, gq] = [D, B, G].map((x) => quantile(x.fromSend, q)) as [number, number, number];
    const nginxCol = N ? ` | ${fmtMs(quantile(N.fromSend, q) - dq).padStart(9)}` : '';
    log(`  ${name.padEnd(6)} ${fmtMs(gq - dq).padStart(9)}   (x${(gq / dq).toFixed(2)} of direct) | ${fmtMs(bq - dq).padStart(9)} | ${fmtMs(gq - bq).padStart(9)}${nginxCol}`);
  }
  const addP50 = quantile(G.fromSend, 0.5) - quantile(D.fromSend, 0.5);
  const addP99 = quantile(G.fromSend, 0.99) - quantile(D.fromSend, 0.99);
  const us = (sec: number, n: number): string => `${fmtInt((sec / n) * 1e6)} µs`;
  log(`CPU per request (from /proc, 10 ms ticks): upstream ${us(cpu.directUpstream, D.sent)} when called directly; bare proxy ${us(cpu.bare, B.sent)};${N ? ` nginx (master and worker) ${us(cpu.nginx, N.sent)};` : ''} through the gateway: Lookout server ${us(cpu.gwServer, G.sent)} (routing, validation, proxying, recording) + upstream ${us(cpu.gwUpstream, G.sent)}`);
  log(`page faults per request (minor, from /proc): bare proxy ${(cpu.bareFaults / B.sent).toFixed(2)}; Lookout server ${(cpu.gwFaults / G.sent).toFixed(2)}; a fresh page costs ${freshPageMicros().toFixed(2)} µs on this machine (measured now; DuckDB's allocator: ${duckdbAllocatorLabel()})`);
  log(`gateway tail: ${episodes(G, 5)}`);
  log(`bare tail:    ${episodes(B, 5)}`);
  if (N) log(`nginx tail:   ${episodes(N, 5)}`);
  log(`direct tail:  ${episodes(D, 5)}`);
  log(`server since start: ${await serverSummary(server.url).catch((e: unknown) => `(no /metrics: ${String(e)})`)}`);
  log(`target: p50 added <= 0.50 ms: ${fmtMs(addP50)} ${verdict(addP50 <= 0.5)}; p99 added <= 2.00 ms: ${fmtMs(addP99)} ${verdict(addP99 <= 2)}`);
  const bareP99 = quantile(B.fromSend, 0.99) - quantile(D.fromSend, 0.99);
  if (bareP99 > 2) log(`  (the bare proxy alone added ${fmtMs(bareP99)} at p99 in this run: two Node HTTP hops missed the p99 target on this machine in these minutes)`);
  if (N) {
    const nginxP99 = quantile(N.fromSend, 0.99) - quantile(D.fromSend, 0.99);
    log(`  (nginx alone added ${fmtMs(nginxP99)} at p99 in this run: ${nginxP99 > 2 ? 'a proxy hop in C missed the p99 target on this machine in these minutes' : 'within the p99 target'})`);
  }

  await stop(server.child);
  if (PROFILE && existsSync(profDir)) {
    const keep = process.env['BENCH_PROFILE_DIR'];
    for (const f of readdirSync(profDir)) {
      const profile = JSON.parse(readFileSync(join(profDir, f), 'utf8')) as CpuProfile;
      printProfile(`server CPU profile (${f})`, profile, 25);
      // The main thread's profile: the first thread of the process (--cpu-prof names files CPU.<date>.<time>.<pid>.<thread>.<n>).
      if (/\.\d+\.0\.\d+\.cpuprofile$/.test(f)) for (const line of tailAgainstProfile(profile, slowEpisodes(G, 5).eps, gatewayPhases)) log(line);
      if (keep) {
        mkdirSync(keep, { recursive: true });
        copyFileSync(join(profDir, f), join(keep, f));
        log(`  profile kept: ${join(keep, f)}`);
      }
    }
  }
  const store = await DuckDbStore.open(join(dataDir, 'lookout.duckdb'));
  await store.init();
  const recorded = await store.countEvents('m');
  await store.close();
  const okTotal = G.ok + Math.round(RATE * WARMUP_S);
  log(`event recording: ${fmtInt(recorded)} events stored for ${fmtInt(okTotal)} answered gateway requests (incl. warm-up)${recorded === okTotal ? '' : ' — MISMATCH'}`);
} finally {
  for (const c of children) await stop(c);
  rmSync(dataDir, { recursive: true, force: true });
}
