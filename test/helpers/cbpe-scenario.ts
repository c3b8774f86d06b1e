/**
 * Seeded scenarios for differential tests of the server's CBPE estimates (GET /performance `estimated` and
 * `bySegment[].estimated`, /performance/buckets, /timeseries estimated*) against scikit-learn's IsotonicRegression
 * (scripts/fuzz/cbpe_oracle.py, run by /usr/bin/python3). A scenario declares a binary (classes declared or not, a
 * `?positiveClass=`) or multiclass model, uploads a CSV reference (1-200 rows, ties, scores of exactly 0 and 1, missing
 * scores and labels, sometimes one class), posts events (some without a score, failed inferences, segments) in batches,
 * may replace the reference between batches (events are estimated with the reference of when they were summarised:
 * README "Performance estimation without labels") and may add a version whose reference is a past time range of the
 * first (README: it takes the source version's calibration), then asks for estimates over ranges that cut windows.
 * Used by test/audit15-cbpe.test.ts (a few scenarios) and scripts/fuzz/server-cbpe.mjs (many).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { effectiveRange, mulberry32 } from './quality-scenario.js';

type Rng = () => number;
type Json = Record<string, unknown>;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const H = 3_600_000;
const MIN = 60_000;
const METRICS = ['accuracy', 'precision', 'recall', 'f1'] as const;

interface RefRows { labels: Array<string | null>; scores?: Array<number | null>; matrix?: Array<Array<number | null> | null> }
interface Ev { id: string; version: string; ts: number; seg: string; prediction: string | null; score: number | null; scores: number[] | null; ref: number }
export interface Estimate { n: number; accuracy: number | null; precision: number | null; recall: number | null; f1: number | null }
export interface CbpeCheck {
  what: string;
  oracle: { task: 'binary' | 'multiclass'; classes: string[]; pos?: string; parts: Array<{ ref: RefRows; win: { pred: Array<string | null>; scores?: Array<number | null>; matrix?: Array<number[] | null> } }> };
  got: Estimate | null;
  /** Only these metrics were answered (a time series: one). */
  only?: ReadonlyArray<(typeof METRICS)[number]>;
}

async function call(base: string, method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; body: Json }> {
  const res = await fetch(base + path, { method, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': type } }) });
  return { status: res.status, body: (await res.json()) as Json };
}

const segMatches = (seg: string, wanted: string): boolean => wanted === '' || wanted.split('&').every((p) => seg.split('&').includes(p));

/** Runs one seeded scenario against the server at `base` (clock `world.now`, not moved). */
export async function runCbpeScenario(base: string, world: { now: number }, seed: number): Promise<{ checks: CbpeCheck[]; failures: string[]; gets: Array<{ path: string; body: Json }> }> {
  const r = mulberry32(seed * 104_729 + 7);
  const checks: CbpeCheck[] = [];
  const failures: string[] = [];
  // The queries and their answers (200s), for asking again after a restart.
  const gets: Array<{ path: string; body: Json }> = [];
  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const res = await call(base, 'GET', path);
    if (res.status === 200) gets.push({ path, body: res.body });
    return res;
  };
  const task = r() < 0.7 ? 'binary' as const : 'multiclass' as const;
  const name = `c${seed}-${task.slice(0, 3)}`;
  const classes = task === 'binary' ? pick(r, [['no', 'yes'], ['0', '1'], ['b', 'a'], ['yes', 'no']]) : pick(r, [['cat', 'dog', 'eel'], ['x', 'y'], ['2', '10', '1']]);
  const declared = task === 'multiclass' || r() < 0.75;
  const segmented = r() < 0.6;
  const d = await call(base, 'POST', '/v1/models', { name, outputKind: task, inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, ...(declared && { classes }), ...(segmented && { segmentKeys: ['region'] }) });
  if (d.status !== 201) return { checks, gets, failures: [`${name}: declare ${d.status} ${JSON.stringify(d.body)}`] };
  if ((await call(base, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status !== 201) failures.push(`${name}: version 1`);
  const named = task === 'binary' && r() < 0.2 ? pick(r, classes) : undefined;
  const pos = task === 'binary' ? named ?? [...classes].sort().at(-1) as string : undefined;
  const tieDigits = pick(r, [1, 2, 6]);
  const score = (): number => (r() < 0.06 ? pick(r, [0, 1]) : Math.round(r() * 10 ** tieDigits) / 10 ** tieDigits);
  const row = (): { pred: string; label: string; score: number; scores: number[] } => {
    const raw = classes.map(() => score() + 1e-3);
    const sum = raw.reduce((a, b) => a + b, 0);
    const scores = raw.map((v) => Math.round((v / sum) * 10 ** tieDigits) / 10 ** tieDigits);
    const s = score();
    const neg = classes.find((c) => c !== pos) as string;
    if (task === 'binary') return { pred: s >= 0.5 ? pos as string : neg, label: r() < s * s ? pos as string : neg, score: s, scores };
    const u = r();
    let acc = 0;
    const label = classes.find((_, i) => (acc += (scores[i] as number) / scores.reduce((a, b) => a + b, 0)) > u) ?? (classes.at(-1) as string);
    return { pred: classes[scores.indexOf(Math.max(...scores))] as string, label, score: s, scores };
  };

  // References uploaded (each a part of the oracle's case); refs[i] of the i-th upload of version 1.
  const refs: RefRows[] = [];
  const upload = async (): Promise<boolean> => {
    const n = pick(r, [1, 2, 3, 5, 20, 200, 200]);
    const oneClass = r() < 0.1 ? pick(r, classes) : null;
    const rows = Array.from({ length: n }, row).map((x) => ({ ...x, label: oneClass ?? x.label }));
    const miss = (): boolean => r() < 0.05;
    const ref: RefRows = { labels: [] };
    const lines: string[] = [];
    // Numeric classes written as floats sometimes (2.0: pandas' way with a missing label): the same classes.
    const cls = classes.every((c) => /^\d+$/.test(c)) && r() < 0.4 ? (c: string): string => Number(c).toFixed(1) : (c: string): string => c;
    if (task === 'binary') ref.scores = [];
    else ref.matrix = [];
    for (const [i, x] of rows.entries()) {
      const label = miss() ? null : x.label;
      ref.labels.push(label);
      if (task === 'binary') {
        const s = miss() ? null : x.score;
        ref.scores?.push(s);
        lines.push(`${i},${cls(x.pred)},${s ?? ''},${label === null ? '' : cls(label)}`);
      } else {
        const m = miss() ? null : x.scores;
        ref.matrix?.push(m);
        lines.push(`${i},${cls(x.pred)},${classes.map((_, j) => (m ? m[j] : '')).join(',')},${label === null ? '' : cls(label)}`);
      }
    }
    const head = task === 'binary' ? 'x,prediction,score,label' : `x,prediction,${classes.map((c) => `score_${c}`).join(',')},label`;
    const res = await call(base, 'PUT', `/v1/models/${name}/versions/1/reference${named ? `?positiveClass=${named}` : ''}`, `${head}\n${lines.join('\n')}\n`, 'text/csv');
    if (res.status !== 200) {
      failures.push(`${name}: reference of ${n} rows ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return false;
    }
    refs.push(ref);
    return true;
  };
  if (!(await upload())) return { checks, failures, gets };

  const spanMs = pick(r, [2 * H, 20 * H, 3 * 86_400_000]);
  const events: Ev[] = [];
  const post = async (version: string, count: number, refIndex: number): Promise<void> => {
    const batch: Ev[] = [];
    for (let i = 0; i < count; i++) {
      const raw = world.now - 1 - Math.floor(r() * spanMs);
      const unit = pick(r, [MIN, H]);
      const ts = r() < 0.2 ? Math.floor(raw / unit) * unit : raw; // on window edges too
      const failed = r() < 0.05;
      const x = row();
      const scored = r() < 0.9;
      batch.push({
        id: `${name}-${version}-${events.length + i}`, version, ts: Math.min(ts, world.now - 1), seg: segmented && r() < 0.9 ? `region=${pick(r, ['eu', 'us'])}` : '',
        prediction: failed ? null : x.pred, score: !failed && scored && task === 'binary' ? x.score : null, scores: !failed && scored && task === 'multiclass' ? x.scores : null, ref: refIndex,
      });
    }
    const res = await call(base, 'POST', '/v1/events', {
      events: batch.map((e) => ({
        id: e.id, model: name, version: e.version, timestamp: e.ts, features: { x: 1 }, ...(e.prediction === null ? { error: 'timeout' } : { prediction: e.prediction }),
        ...(e.score !== null && { score: e.score }), ...(e.scores !== null && { scores: e.scores }), ...(e.seg && { segment: { region: e.seg.slice(7) } }),
      })),
    });
    if (res.body['accepted'] !== batch.length) failures.push(`${name}: events ${JSON.stringify((res.body['results'] as Json[]).filter((x) => x['status'] !== 'accepted')).slice(0, 300)}`);
    else events.push(...batch);
  };
  const batches = int(r, 1, 3);
  for (let b = 0; b < batches; b++) {
    if (b > 0 && r() < 0.4) await upload(); // the reference replaced: later events are estimated with the new one
    await post('1', pick(r, [1, 5, 30, 150, 300]), refs.length - 1);
  }
  const versions = ['1'];
  // A version whose reference is a past range of version 1's traffic: version 1's calibration (README).
  const rangeRef = r() < 0.3 && events.length > 0 ? refs.length - 1 : -1;
  if (rangeRef >= 0) {
    const res = await call(base, 'POST', `/v1/models/${name}/versions`, { version: '2', reference: { from: world.now - spanMs - H, to: world.now, version: '1' } });
    if (res.status !== 201) failures.push(`${name}: range version ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    else {
      versions.push('2');
      await post('2', pick(r, [5, 60]), rangeRef);
    }
  }

  const caseOf = (what: string, keep: (e: Ev) => boolean, got: Estimate | null, only?: CbpeCheck['only']): void => {
    const parts = refs.map((ref, i) => {
      const win = events.filter((e) => e.ref === i && keep(e));
      return { ref, win: task === 'binary' ? { pred: win.map((e) => e.prediction), scores: win.map((e) => e.score) } : { pred: win.map((e) => e.prediction), matrix: win.map((e) => e.scores) } };
    });
    checks.push({ what, oracle: { task, classes, ...(pos !== undefined && { pos }), parts }, got, ...(only && { only }) });
  };
  for (let q = 0; q < 4; q++) {
    const whole = q === 0;
    const a = whole ? world.now - spanMs - H : world.now - Math.floor(r() * spanMs);
    const b = whole ? world.now + H : Math.min(world.now + H, a + Math.max(MIN, Math.floor(r() * spanMs)));
    const version = pick(r, versions);
    const segment = segmented && r() < 0.3 ? pick(r, ['region=eu', 'region=us']) : '';
    const qs = `from=${a}&to=${b}&version=${version}${segment ? `&segment=${encodeURIComponent(segment)}` : ''}`;
    const eff = effectiveRange(a, b, world.now);
    const inRange = (f: number, t: number, seg: string) => (e: Ev): boolean => e.version === version && e.ts >= f && e.ts < t && segMatches(e.seg, seg);
    const p = await get(`/v1/models/${name}/performance?${qs}&ci=false&metrics=accuracy`);
    if (p.status !== 200) {
      failures.push(`${name} performance ${qs}: ${p.status} ${JSON.stringify(p.body).slice(0, 300)}`);
      continue;
    }
    if (p.body['from'] !== eff.from || p.body['to'] !== eff.to) failures.push(`${name} performance ${qs}: range ${String(p.body['from'])}-${String(p.body['to'])}`);
    caseOf(`${name} performance ${qs}`, inRange(eff.from, eff.to, segment), p.body['estimated'] as Estimate | null);
    for (const s of (p.body['bySegment'] as Array<{ segment: string; estimated?: Estimate | null; estimatedNote?: string }> | null) ?? []) {
      if (s.estimatedNote?.includes('segments only')) failures.push(`${name} performance ${qs}: segment ${s.segment}: ${s.estimatedNote}`);
      caseOf(`${name} performance ${qs} segment ${s.segment}`, (e) => inRange(eff.from, eff.to, '')(e) && e.seg === s.segment, s.estimated ?? null);
    }
    const step = pick(r, ['1h', '6h', '1d']);
    const bk = await get(`/v1/models/${name}/performance/buckets?${qs}&step=${step}&ci=false&metrics=accuracy`);
    if (bk.status !== 200) failures.push(`${name} buckets ${qs}&step=${step}: ${bk.status} ${JSON.stringify(bk.body).slice(0, 300)}`);
    else for (const x of bk.body['buckets'] as Array<{ from: number; to: number; estimated: Estimate | null }>) caseOf(`${name} bucket ${x.from}-${x.to} of ${qs}`, inRange(x.from, x.to, segment), x.estimated);
    const metric = pick(r, METRICS);
    const granularity = pick(r, b - a <= 20 * H ? ['minute', 'hour', 'day'] : ['hour', 'day']);
    const tsq = `${qs}&metric=estimated${metric[0]?.toUpperCase()}${metric.slice(1)}&granularity=${granularity}`;
    const ts = await get(`/v1/models/${name}/timeseries?${tsq}`);
    if (ts.status !== 200) failures.push(`${name} timeseries ${tsq}: ${ts.status} ${JSON.stringify(ts.body).slice(0, 300)}`);
    else {
      const size = { minute: MIN, hour: H, day: 24 * H }[ts.body['granularity'] as string] as number;
      for (const pt of ts.body['points'] as Array<{ t: number; value: number | null; from?: number; to?: number }>) {
        const f = pt.from ?? pt.t;
        const t = pt.to ?? pt.t + size;
        // A point answers one metric: compared alone (n unknown, so a null value stands for no estimate).
        const got = { n: -1, accuracy: null, precision: null, recall: null, f1: null, [metric]: pt.value } as Estimate;
        caseOf(`${name} timeseries ${tsq} point ${f}-${t}`, inRange(f, t, segment), got, [metric]);
      }
    }
    // /series: the four estimates over the same windows in one answer, each point as the oracle's.
    const sq = `${qs}&metrics=estimatedAccuracy,estimatedPrecision,estimatedRecall,estimatedF1&granularity=${granularity}`;
    const se = await get(`/v1/models/${name}/series?${sq}`);
    if (se.status !== 200) failures.push(`${name} series ${sq}: ${se.status} ${JSON.stringify(se.body).slice(0, 300)}`);
    else {
      const size = { minute: MIN, hour: H, day: 24 * H }[se.body['granularity'] as string] as number;
      const clipped = (se.body['clipped'] as Array<{ t: number; from: number; to: number }> | undefined) ?? [];
      const series = se.body['series'] as Record<string, Array<number | null>>;
      (se.body['t'] as number[]).forEach((t0, i) => {
        const c = clipped.find((w) => w.t === t0);
        const f = c?.from ?? t0;
        const t = c?.to ?? t0 + size;
        const got = { n: -1, accuracy: series['estimatedAccuracy']?.[i] ?? null, precision: series['estimatedPrecision']?.[i] ?? null, recall: series['estimatedRecall']?.[i] ?? null, f1: series['estimatedF1']?.[i] ?? null };
        for (const k of METRICS) caseOf(`${name} series ${sq} point ${f}-${t}`, inRange(f, t, segment), got, [k]);
      });
    }
  }
  return { checks, failures, gets };
}

const ORACLE = fileURLToPath(new URL('../../../scripts/fuzz/cbpe_oracle.py', import.meta.url));

/**
 * Whether /usr/bin/python3 has scikit-learn and numpy (the oracle's), found without importing them: CI time (2026-12-07),
 * their import cost ~1 CPU-s more per file. One installed but broken fails the oracle's comparison instead of skipping it.
 */
export function oracleAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in ("sklearn", "numpy")))'], { encoding: 'utf8' }).status === 0;
}

const close = (got: number | null, want: number | null, tol: number): boolean =>
  got === want || (typeof got === 'number' && want !== null && Math.abs(got - want) <= tol * Math.max(1e-12, Math.abs(want)));

/** The oracle's estimate for every check; the differences from the server's, as lines (relative tolerance 1e-9). */
export function compareWithOracle(checks: CbpeCheck[]): string[] {
  const res = spawnSync('/usr/bin/python3', [ORACLE], { input: JSON.stringify(checks.map((c) => c.oracle)), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0) return [`oracle failed: ${res.stderr.slice(0, 2000)}`];
  const results = JSON.parse(res.stdout) as Array<Estimate | null>;
  const out: string[] = [];
  checks.forEach((c, i) => {
    const o = results[i] ?? null;
    const series = c.only !== undefined;
    if (o === null || c.got === null) {
      const gotNone = c.got === null || (series && c.got[c.only?.[0] ?? 'accuracy'] === null);
      if (!(o === null && gotNone) && !(series && o !== null && o[c.only?.[0] ?? 'accuracy'] === null && gotNone)) out.push(`${c.what}: estimated ${JSON.stringify(c.got)} where the oracle ${JSON.stringify(o)}`);
      return;
    }
    if (!series && c.got.n !== o.n) out.push(`${c.what}: n ${c.got.n} where ${o.n}`);
    for (const k of c.only ?? METRICS) if (!close(c.got[k], o[k], 1e-9)) out.push(`${c.what}: ${k} ${c.got[k]} where the oracle ${o[k]} (n ${o.n})`);
  });
  return out;
}
