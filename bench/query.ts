/**
 * bench:query — query latency of the monitoring API over stored window summaries.
 *
 * Runs the server in-process with a fixed clock, declares a model with 50 features (40 numerical, 10
 * categorical) and a reference, and fills 30 days of traffic (BENCH_EVENTS_PER_MINUTE, default 4) through
 * the ingest pipeline. Then times over HTTP on 127.0.0.1:
 *   (a) GET /drift over the last 24 h (target p95 < 50 ms; also a 24 h range 10 days back, hour windows only),
 *   (b) dashboard time series over 30 days: latencyP95, driftShare, drift:f0 at day and hour granularity
 *       (target p95 < 100 ms), after the window-value filler ran (timed); for the feature metrics also without the
 *       values it stores,
 * each repeated (the server caches decoded summaries, points and merged ranges: what a refreshed dashboard
 * sees) and cold (the reader's cache cleared before every request: a first view; COLD_REPS requests per row),
 * with an in-process split of each (store read + decode vs. statistics), and, as the in-run reference, the
 * offline path: the same drift computed from the raw events of that day (featureDrift on raw samples).
 * BENCH_PROFILE=1 profiles the timed queries and prints where the time goes. The server's storage threads run at idle
 * CPU priority, as `lookout serve` runs them (BENCH_PRIORITY=normal: left alone), and `npm run bench:query` runs it with
 * the Node flags `npm start` gives the server (SERVE_NODE_FLAGS: a larger young generation).
 */
// First, as bin/lookout.js does: DuckDB's allocator options, read when libduckdb loads (src/cli/duckdb-allocator.ts).
import '../src/cli/duckdb-allocator.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config.js';
import { featureDrift } from '../src/core/drift/feature.js';
import { datasetDrift } from '../src/core/drift/dataset.js';
import { categoricalSample, numericalSample } from '../src/core/drift/sample.js';
import type { FeatureDrift } from '../src/core/drift/types.js';
import { seededRandom } from '../src/core/random/rng.js';
import { ks2sampSorted } from '../src/core/stats/ks.js';
import { kstwoSf } from '../src/core/stats/kolmogorov.js';
import { ksAsymptoticPValue } from '../src/core/stats/kolmogorov-asymptotic.js';
import { decomposeRange, GRANULARITY_MS } from '../src/core/time/windows.js';
import type { ValidEvent } from '../src/ingest/event-input.js';
import { driftOf } from '../src/monitoring/drift-query.js';
import { HEAD_METRICS, seriesMetric, seriesValue } from '../src/monitoring/timeseries.js';
import { windowValueBasis } from '../src/monitoring/window-values.js';
import { startServer } from '../src/server.js';
import { processThreads } from '../src/cli/thread-priority.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-node-flags.js';
import { declareModel, featureSet, makeRow, referenceCsv, type Row } from './lib-data.js';
import { printProfile, profileWhile } from './lib-profile.js';
import { faultsOfRuns, getJson, repeat, slowestWithGc, servePriority } from './lib-query.js';
import { fmtInt, fmtMs, msSince, msSummary, quantile, verdict } from './lib-stats.js';
import { duckdbAllocatorLabel, freshPageMicros } from './lib-proc.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const PER_MINUTE = Math.max(1, Math.min(100, Number(process.env['BENCH_EVENTS_PER_MINUTE'] ?? 4)));
const DAYS = 30;
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** A fixed "now" that is not on an hour boundary, so "the last 24 h" needs minute, hour windows. */
const NOW = Date.UTC(2026, 0, 31, 15, 27, 30);
const MODEL = 'm';
/**
 * Cold requests per row (within 15 s): with 10, "p95" was the slowest of ten, one scavenge or marking step decided it;
 * 30 give a 95th percentile with one sample above it.
 */
const COLD_REPS = 30;
const log = (s: string): void => console.log(s);

const dataDir = mkdtempSync(join(tmpdir(), 'lookout-bench-query-'));
const config = defaultConfig();
config.dataDir = dataDir;
config.server.host = '127.0.0.1';
config.server.port = 0;
// The window-value filler runs once, explicitly and timed, after the fill (a server runs it every minute, as windows close):
// no periodic run during the bench.
config.server.windowValueFillSeconds = 86_400;
const threadsBefore = new Set(processThreads());
const s = await startServer({ config, clock: () => NOW });
const priority = await servePriority(threadsBefore);
let closed = false;
try {
  const fs = featureSet(40, 10);
  const names = [...fs.numeric, ...fs.categorical];
  log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start (other processes share these CPUs); DuckDB's allocator: ${duckdbAllocatorLabel()}`);
  log(`server: ${priority}; node ${process.execArgv.join(' ') || '(no flags)'}${SERVE_NODE_FLAGS.every((f) => process.execArgv.includes(f)) ? ', as npm start runs lookout serve' : ` (npm start runs lookout serve with ${SERVE_NODE_FLAGS.join(' ')})`}`);
  log(`bench:query — model with ${names.length} features (40 numerical, 10 categorical), ${DAYS} days at ~${PER_MINUTE} events/minute, clock fixed at ${new Date(NOW).toISOString()}, data dir ${dataDir}`);
  const ref = referenceCsv(seededRandom(11), fs, 5000);
  await declareModel(s.url, MODEL, fs, ref.csv);

  // ---- fill: 30 days through the ingest pipeline, in time order; keep the raw rows of the last 24 h.
  const r = seededRandom(12);
  const start = Math.floor((NOW - DAYS * DAY) / MINUTE) * MINUTE;
  const dayFrom = NOW - DAY;
  const lastDay: Row[] = [];
  let batch: ValidEvent[] = [];
  let total = 0;
  let id = 0;
  const tFill = process.hrtime.bigint();
  for (let t = start; t < NOW; t += MINUTE) {
    const n = PER_MINUTE - 2 + r.int(5); // PER_MINUTE +- 2, at least 0
    // Drift in the last 5 days: numerical means move by up to 0.5 sd, categories skew.
    const shift = t > NOW - 5 * DAY ? Math.min(0.5, (t - (NOW - 5 * DAY)) / (4 * DAY) * 0.5) : 0;
    for (let i = 0; i < Math.max(0, n); i++) {
      const ts = t + r.int(MINUTE);
      if (ts >= NOW) continue;
      const x = makeRow(r, fs, shift);
      if (ts >= dayFrom) lastDay.push(x);
      batch.push({ id: `q${++id}`, model: MODEL, version: '1', ts, features: x.features, prediction: x.prediction, score: x.score, scores: null,
        latencyMs: x.latencyMs, error: null, segment: { region: x.region }, costUsd: null });
    }
    if (batch.length >= 5000) {
      await s.deps.pipeline.submit(batch, []);
      total += batch.length;
      batch = [];
    }
  }
  if (batch.length) await s.deps.pipeline.submit(batch, []);
  total += batch.length;
  await s.deps.pipeline.flush();
  const fillMs = msSince(tFill);
  log(`fill: ${fmtInt(total)} events in ${(fillMs / 1000).toFixed(1)} s (${fmtInt(total / (fillMs / 1000))} events/s through the pipeline, in-process); last 24 h: ${fmtInt(lastDay.length)} events`);

  const v = s.deps.reader.resolveVersion(MODEL, '1');
  if (!v?.reference) throw new Error('model m@1 has no reference');
  const mem = async (): Promise<string> => {
    // The process's resident memory beside what DuckDB says it holds (its buffer pool: cached table data, indexes, ...).
    const duck = (await s.deps.store.memoryUsage?.())?.reduce((x, c) => x + c.bytes, 0);
    return `heap used ${fmtInt(process.memoryUsage().heapUsed / 2 ** 20)} MB, process RSS ${fmtInt(process.memoryUsage.rss() / 2 ** 20)} MB${duck === undefined ? '' : ` (DuckDB holds ${fmtInt(duck / 2 ** 20)} MB)`}, ingest window cache ${fmtInt(s.deps.pipeline.cachedWindows)} windows`;
  };
  const tFilled = Date.now();
  log(`after the fill: ${await mem()}`);
  // What a running server's filler does as each hour and day closes, here for the whole 30 days at once.
  const pending = s.deps.filler?.pendingWindows ?? 0;
  const tFiller = process.hrtime.bigint();
  const filled = await s.deps.filler?.fillClosed();
  log(`window-value filler: ${fmtInt(filled?.windows ?? 0)} closed hour and day windows (of ${fmtInt(pending)} written; whole traffic and segments) computed and stored in ${(msSince(tFiller) / 1000).toFixed(1)} s${filled?.failed ? `, ${filled.failed} steps FAILED` : ''}; ${await mem()}`);
  // The fill leaves this process's heap full of garbage (the generated events and their parsed copies: ~700 MB, of
  // which ~60 MB live); the major GC that collects it would fall into whichever timed row runs then (100+ ms pauses
  // and marking threads on the two cores). A server ingests over days, not 45 s: collect it before timing anything.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    log(`full GC before the queries (the fill's garbage): ${await mem()}`);
  } else log('no full GC before the queries (run with node --expose-gc, as npm run bench:query does): the fill\'s garbage may be collected during a timed row');

  // ---- (a) drift over 24 h
  const driftUrl = (from: number, to: number): string => `${s.url}/v1/models/${MODEL}/drift?version=1&from=${from}&to=${to}`;
  const lastDayUrl = driftUrl(dayFrom, NOW);
  const oldFrom = Math.floor((NOW - 10 * DAY) / 3_600_000) * 3_600_000 + 27 * MINUTE;
  const oldUrl = driftUrl(oldFrom, oldFrom + DAY);
  const check = (await getJson(lastDayUrl)) as { currentEvents: number; datasetDrift: { share: number }; features: FeatureDrift[] };

  const timings: Array<{ title: string; ms: number[]; target: number }> = [];
  const cold: Array<{ title: string; ms: number[]; target: number }> = [];
  const coldly = (url: string) => (): Promise<unknown> => {
    s.deps.reader.cache.clear();
    return getJson(url);
  };
  /** Runs `f` as if no window value were stored (reads find none, writes are dropped): the cost without the window-value filler. */
  const withoutStoredValues = async <T>(f: () => Promise<T>): Promise<T> => {
    const proto = DuckDbStore.prototype;
    const [query, put] = [proto.queryWindowValues, proto.putWindowValues];
    proto.queryWindowValues = () => Promise.resolve([]);
    proto.putWindowValues = () => Promise.resolve();
    try {
      return await f();
    } finally {
      [proto.queryWindowValues, proto.putWindowValues] = [query, put];
    }
  };
  const runTimed = async (): Promise<void> => {
    const d1 = await repeat(200, 20_000, () => getJson(lastDayUrl));
    timings.push({ title: 'drift, last 24 h (windows of 1 min to 6 h)', ms: d1, target: 50 });
    cold.push({ title: 'drift, last 24 h (windows of 1 min to 6 h)', ms: await repeat(COLD_REPS, 15_000, coldly(lastDayUrl), 1), target: 50 });
    // A dashboard's "last 24 h" refreshed a minute later: a new range (the merged-range cache misses) over windows that
    // are cached but one. Here the range moves back a minute at a time from 31 minutes earlier (the clock is fixed).
    s.deps.reader.cache.clear();
    await getJson(driftUrl(dayFrom - 31 * MINUTE, NOW - 31 * MINUTE));
    let back = 31;
    const moved = await repeat(30, 60_000, () => {
      back--;
      return getJson(driftUrl(dayFrom - back * MINUTE, NOW - back * MINUTE));
    }, 0);
    timings.push({ title: 'drift, 24 h moved by a minute (windows cached)', ms: moved, target: 50 });
    const d2 = await repeat(100, 10_000, () => getJson(oldUrl));
    timings.push({ title: 'drift, 24 h ten days back (hour windows)', ms: d2, target: 50 });
    cold.push({ title: 'drift, 24 h ten days back (hour windows)', ms: await repeat(COLD_REPS, 15_000, coldly(oldUrl), 1), target: 50 });
    for (const metric of ['latencyP95', 'driftShare', 'drift:f0']) {
      for (const g of ['day', 'hour'] as const) {
        const url = `${s.url}/v1/models/${MODEL}/timeseries?version=1&metric=${metric}&granularity=${g}&from=${NOW - DAYS * DAY}&to=${NOW}`;
        const title = `timeseries ${metric} by ${g}, 30 days`;
        if (!HEAD_METRICS.has(metric)) {
          // Feature metrics read per-window values the filler stored (WindowValue; the open hour and day are computed):
          // the cold rows below. For comparison, the same with no value stored (computed from every window's sketches).
          cold.push({ title: `${title}, no values stored`, ms: await withoutStoredValues(() => repeat(COLD_REPS, 15_000, coldly(url), 1)), target: 100 });
        }
        timings.push({ title, ms: await repeat(50, 15_000, () => getJson(url)), target: 100 });
        cold.push({ title, ms: await repeat(COLD_REPS, 15_000, coldly(url), 1), target: 100 });
      }
    }
  };
  if (PROFILE) {
    const { profile } = await profileWhile(runTimed);
    await printAll();
    log('');
    printProfile('CPU profile of the timed queries (this process: HTTP, store, decode, statistics)', profile, 25);
  } else {
    await runTimed();
    await printAll();
  }
  log('');
  log(`after the timed queries (${((Date.now() - tFilled) / 1000).toFixed(0)} s after the fill): ${await mem()}`);

  async function printAll(): Promise<void> {
    log(`drift check: last 24 h covers ${fmtInt(check.currentEvents)} events, drift share ${check.datasetDrift.share.toFixed(2)}`);
    log('');
    log('HTTP round trips on 127.0.0.1 (server in this process), repeated (cached summaries, points and ranges):');
    for (const t of timings) log(`  ${t.title.padEnd(50)} ${msSummary(t.ms, [['p50', 0.5], ['p95', 0.95]])}; slowest ${slowestWithGc(t.ms)} ms`);
    log(`the same, cold (the reader's cache cleared before every request; faults: this process's minor page faults per request, server and client, where a fresh page costs ${freshPageMicros().toFixed(2)} µs on this machine, measured now):`);
    for (const t of cold) log(`  ${t.title.padEnd(50)} ${msSummary(t.ms, [['p50', 0.5], ['p95', 0.95]])}; slowest ${slowestWithGc(t.ms)} ms; faults ${faultsOfRuns(t.ms)}`);

    // ---- split of the time, in-process (no HTTP): store read + decode + merge, then statistics.
    log('');
    log('where the time goes, cold (in-process, no HTTP, cache cleared, median of 10): store read of the summary rows (from summary files where kept, else SQL) | decoding + merging them | statistics');
    log('  (summaries are read lazily: a series decodes the sketch a metric uses while computing it, so that decoding counts under statistics)');
    const split = async (title: string, sql: () => Promise<unknown>, read: () => Promise<unknown>, compute: (x: unknown) => unknown): Promise<void> => {
      const sqlMs: number[] = [];
      const readMs: number[] = [];
      const computeMs: number[] = [];
      for (let i = 0; i < 12; i++) {
        const ts = process.hrtime.bigint();
        const rows = await sql();
        s.deps.reader.cache.clear();
        const t0 = process.hrtime.bigint();
        const x = await read();
        const t1 = process.hrtime.bigint();
        compute(x);
        if (i >= 2) {
          sqlMs.push(Number(t0 - ts) / 1e6);
          readMs.push(Number(t1 - t0) / 1e6);
          computeMs.push(msSince(t1));
        }
        void rows;
      }
      const sq = quantile(sqlMs, 0.5);
      log(`  ${title.padEnd(34)} read ${fmtMs(sq).padStart(8)} | decode+merge ${fmtMs(Math.max(0, quantile(readMs, 0.5) - sq)).padStart(8)} | statistics ${fmtMs(quantile(computeMs, 0.5)).padStart(8)}`);
    };
    const vv = v as NonNullable<typeof v>;
    const sqlFor = (from: number, to: number) => async (): Promise<number> => {
      const eff = s.deps.reader.effectiveRange(from, to);
      const parts = await Promise.all(decomposeRange(eff.from, eff.to, s.deps.reader.intermediateSince).map((p) => s.deps.store.querySummaries({ model: MODEL, version: '1', segment: '', granularity: p.granularity, from: p.from, to: p.to })));
      return parts.reduce((a, x) => a + x.length, 0);
    };
    const seriesSql = (g: 'day' | 'hour', headOnly: boolean) => async (): Promise<number> => {
      const size = GRANULARITY_MS[g];
      return (await s.deps.store.querySummaries({ model: MODEL, version: '1', segment: '', granularity: g, from: Math.floor((NOW - DAYS * DAY) / size) * size, to: NOW, headOnly })).length;
    };
    type Merged = Awaited<ReturnType<typeof s.deps.reader.merged>>;
    await split('drift, last 24 h', sqlFor(dayFrom, NOW), () => s.deps.reader.merged(vv, '', dayFrom, NOW), (m) => driftOf(vv, m as Merged));
    await split('drift, 24 h ten days back', sqlFor(oldFrom, oldFrom + DAY), () => s.deps.reader.merged(vv, '', oldFrom, oldFrom + DAY), (m) => driftOf(vv, m as Merged));
    for (const metric of ['latencyP95', 'driftShare', 'drift:f0']) {
      for (const g of ['day', 'hour'] as const) {
        const size = GRANULARITY_MS[g];
        if (HEAD_METRICS.has(metric)) {
          // Read as window heads, as the server does for this metric (the values are computed in the read here).
          await split(`timeseries ${metric} by ${g} (heads)`, seriesSql(g, true), () => s.deps.reader.seriesValuesMany(vv, '', NOW - DAYS * DAY, NOW, g, [seriesMetric(metric, vv, size / 1000)]), () => undefined);
          continue;
        }
        await split(`timeseries ${metric} by ${g}`, seriesSql(g, false), () => s.deps.reader.series(vv, '', NOW - DAYS * DAY, NOW, g), (w) => {
          for (const sw of (w as Map<number, Parameters<typeof seriesValue>[2]>).values()) seriesValue(metric, vv, sw, size / 1000);
        });
      }
    }
    // A feature series whose window values are stored: its two reads (window keys with event counts, the values), then
    // the whole reader call in-process.
    const basis = windowValueBasis(vv) ?? '';
    const hourQ = { model: MODEL, version: '1', segment: '', granularity: 'hour' as const, from: Math.floor((NOW - DAYS * DAY) / 3_600_000) * 3_600_000, to: NOW };
    const keysMs: number[] = [];
    const valuesMs: number[] = [];
    const seriesMs: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t0 = process.hrtime.bigint();
      await s.deps.store.querySummaryKeys(hourQ);
      const t1 = process.hrtime.bigint();
      await s.deps.store.queryWindowValues({ ...hourQ, metrics: ['drift:f0'], basis });
      const t2 = process.hrtime.bigint();
      s.deps.reader.cache.clear();
      await s.deps.reader.seriesValuesMany(vv, '', NOW - DAYS * DAY, NOW, 'hour', [seriesMetric('drift:f0', vv, 3600)]);
      if (i >= 2) {
        keysMs.push(Number(t1 - t0) / 1e6);
        valuesMs.push(Number(t2 - t1) / 1e6);
        seriesMs.push(msSince(t2));
      }
    }
    log(`  timeseries drift:f0 by hour, values stored: keys query ${fmtMs(quantile(keysMs, 0.5))} | values query ${fmtMs(quantile(valuesMs, 0.5))} | the whole series in-process ${fmtMs(quantile(seriesMs, 0.5))}`);
    // Of the drift statistics: the KS p-values (kstwoSf at the sketch statistic, as from-summary.ts calls it).
    const merged = await s.deps.reader.merged(vv, '', dayFrom, NOW);
    const dr = driftOf(vv, merged);
    const ksArgs = (dr?.features ?? []).flatMap((f) => {
      const ks = f.stats.ks;
      const c = merged.features.get(f.name) as { count?: number } | undefined;
      if (!ks || c?.count === undefined) return [];
      const m = Math.max(dr?.referenceRows ?? 0, c.count);
      const n = Math.min(dr?.referenceRows ?? 0, c.count);
      return [{ d: Math.max(0, ks.statistic - (ks.errorBound ?? 0)), en: Math.round((m * n) / (m + n)) }];
    });
    const ksMs = await repeat(10, 10_000, async () => { for (const a of ksArgs) kstwoSf(a.d, a.en); }, 1);
    const asymMs = await repeat(10, 10_000, async () => { for (const a of ksArgs) ksAsymptoticPValue(a.d, a.en); }, 1);
    log(`  of the last-24 h drift statistics, the ${ksArgs.length} KS p-values alone: kstwoSf(d, en = ${ksArgs[0]?.en ?? 'n/a'}) ${fmtMs(quantile(ksMs, 0.5))}; limiting distribution (used for compacted sketches) ${fmtMs(quantile(asymMs, 0.5))}`);
    let hourP = 0;
    const hourWindows = await s.deps.reader.series(vv, '', NOW - DAYS * DAY, NOW, 'hour');
    const hourArgs: Array<{ d: number; en: number }> = [];
    for (const w of hourWindows.values()) {
      const f0 = w.features.get('f0') as { count?: number } | undefined;
      const r0 = vv.reference?.summary.features.get('f0');
      if (!f0?.count || !r0) continue;
      const m = Math.max(dr?.referenceRows ?? 0, f0.count);
      const n = Math.min(dr?.referenceRows ?? 0, f0.count);
      hourArgs.push({ d: 0.1, en: Math.round((m * n) / (m + n)) });
    }
    const hourKs = await repeat(5, 10_000, async () => { for (const a of hourArgs) hourP += kstwoSf(a.d, a.en); }, 1);
    log(`  one KS p-value per hour window (${hourArgs.length} windows, en ~ ${hourArgs[0]?.en ?? 'n/a'}, d = 0.1): ${fmtMs(quantile(hourKs, 0.5))} per feature-series`);
    void hourP;
    const windows = await s.deps.reader.series(vv, '', NOW - DAYS * DAY, NOW, 'hour');
    const bytes = [...(await s.deps.store.querySummaries({ model: MODEL, version: '1', segment: '', granularity: 'hour', from: NOW - DAYS * DAY, to: NOW }))].reduce((a, x) => a + x.data.length, 0);
    const headBytes = [...(await s.deps.store.querySummaries({ model: MODEL, version: '1', segment: '', granularity: 'hour', from: NOW - DAYS * DAY, to: NOW, headOnly: true }))].reduce((a, x) => a + x.data.length, 0);
    log(`  (30 days by hour = ${windows.size} window summaries, ${fmtInt(bytes / 1024)} KiB stored, ${fmtInt(bytes / Math.max(1, windows.size))} bytes each; their heads ${fmtInt(headBytes / 1024)} KiB, ${fmtInt(headBytes / Math.max(1, windows.size))} bytes each)`);

    // ---- offline reference: the same drift from the raw rows of the last 24 h.
    const offline = (): FeatureDrift[] => {
      const out: FeatureDrift[] = [];
      for (const f of fs.numeric) {
        out.push(featureDrift(f, numericalSample(ref.rows.map((x) => x.features[f] as number)), numericalSample(lastDay.map((x) => x.features[f] as number))));
      }
      for (const c of fs.categorical) {
        out.push(featureDrift(c, categoricalSample(ref.rows.map((x) => x.features[c] as string)), categoricalSample(lastDay.map((x) => x.features[c] as string))));
      }
      out.push(featureDrift('__prediction', categoricalSample(ref.rows.map((x) => x.prediction)), categoricalSample(lastDay.map((x) => x.prediction))));
      return out;
    };
    const offMs = await repeat(30, 20_000, async () => offline(), 2);
    const refSorted = fs.numeric.map((f) => numericalSample(ref.rows.map((x) => x.features[f] as number)).sorted);
    const curSorted = fs.numeric.map((f) => numericalSample(lastDay.map((x) => x.features[f] as number)).sorted);
    let method = '';
    const exactMs = await repeat(5, 10_000, async () => { refSorted.forEach((a, i) => { method = ks2sampSorted(a, curSorted[i] as Float64Array).method; }); }, 1);
    const off = offline();
    let maxKs = 0;
    for (const f of off) {
      const a = f.stats.ks?.statistic;
      const b = check.features.find((x) => x.name === f.name)?.stats.ks?.statistic;
      if (a !== undefined && b !== undefined) maxKs = Math.max(maxKs, Math.abs(a - b));
    }
    const apiP50 = quantile(timings[0]?.ms ?? [], 0.5);
    const offP50 = quantile(offMs, 0.5);
    log('');
    log(`offline path (raw rows of the last 24 h in memory: ${fmtInt(lastDay.length)} x ${names.length} features vs ${fmtInt(ref.rows.length)} reference rows; samples + featureDrift): ${msSummary(offMs, [['p50', 0.5]])}`);
    log(`  of which the ${fs.numeric.length} two-sample KS tests (scipy-compatible, method '${method}' below 10,000 rows a side): ${fmtMs(quantile(exactMs, 0.5))}`);
    log(`  same drift, offline drift share ${datasetDrift(off.filter((f) => f.name !== '__prediction')).share.toFixed(2)} vs API ${check.datasetDrift.share.toFixed(2)}; max |KS statistic difference| ${maxKs.toFixed(4)} (sketch error bound)`);
    log(`  ratio offline / API drift (p50): ${(offP50 / apiP50).toFixed(2)}x  (the offline figure excludes reading the raw rows, which the store keeps only for ${(config.ingest.sampleRate * 100).toFixed(0)}% of events)`);

    log('');
    log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    log('targets:');
    const d = timings[0] as { ms: number[] };
    log(`  drift over 24 h < 50 ms (p95): ${fmtMs(quantile(d.ms, 0.95))} -> ${verdict(quantile(d.ms, 0.95) < 50)}`);
    for (const t of timings.slice(1)) {
      const p95 = quantile(t.ms, 0.95);
      log(`  ${t.title} < ${t.target} ms (p95): ${fmtMs(p95)} -> ${verdict(p95 < t.target)}`);
    }
    log('cold (nothing in memory: a first view; feature series read the values the filler stored; "no values stored": without them):');
    for (const t of cold) {
      const p95 = quantile(t.ms, 0.95);
      log(`  ${t.title} < ${t.target} ms (p95): ${fmtMs(p95)} -> ${verdict(p95 < t.target)}`);
    }
  }

  // ---- cold after a restart: the same store opened by a new server in a new process (bench/query-restart.ts, with this
  // process's Node flags), twice: without the start-up warm-up, then with it as `lookout serve` runs it. DuckDB reads
  // rows that an earlier process wrote lazily, row by row; rows this process wrote itself are read a whole vector (2,048
  // rows) of blobs at a time when scanned (docs/performance.md, Known limits). A new process, not a second server in
  // this one: that one ran under this heap's GC state.
  await s.close();
  closed = true;
  for (const warmUp of ['none', 'default']) {
    log('');
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(new URL('./query-restart.js', import.meta.url)), dataDir, String(NOW), String(COLD_REPS), warmUp], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (child.status !== 0) throw new Error(`the restarted server's run failed (exit ${child.status ?? child.signal})`);
  }
} finally {
  if (!closed) await s.close();
  if (process.env['BENCH_KEEP'] !== '1') rmSync(dataDir, { recursive: true, force: true });
}
