/**
 * Seeded scenarios for differential tests of the server's label-based metrics (GET /performance, /performance/buckets)
 * against scikit-learn (scripts/fuzz/quality_oracle.py, run by /usr/bin/python3). A scenario declares one model
 * (binary, multiclass or regression; segments; several versions), posts its events and labels over a moving clock
 * (late labels, re-labels, duplicates in a batch, unknown ids, a label before its event, failed inferences, missing
 * scores, ties, one class), and asks the server for its realized metrics over ranges that cut windows, per version,
 * per segment and per bucket. What the server should have joined is computed here from the raw rows, as the docs
 * state it (README "POST /v1/labels", "GET /performance"; docs/events.md "Labels"), and the metrics of those rows by
 * sklearn. Used by test/audit14-quality.test.ts (a few scenarios) and scripts/fuzz/server-quality.mjs (many).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

type Task = 'binary' | 'multiclass' | 'regression';
type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const H = 3_600_000;
const MIN = 60_000;

interface Ev {
  id: string;
  version: string;
  ts: number;
  seg: string;
  segment?: Record<string, string>;
  prediction: string | number | null;
  score?: number | null;
  scores?: number[] | null;
  error?: string;
  x?: number;
}

interface Lab {
  label: string;
  firstAt: number;
}

/** What sklearn is asked about one set of joined rows, and what the server answered for it. */
export interface Check {
  what: string;
  oracle: { task: Task; y: string[]; pred: string[]; scores?: Array<number | null> | null; matrix?: Array<number[] | null> | null; classes: string[]; pos?: string; delays: number[] };
  got: { labelled: number; realized: { metrics: Record<string, { value: number | null; ci: [number, number] | null }> } | null };
  /** Keys of `metrics=` asked for (undefined: all). */
  only?: string[];
  ci: boolean;
  /** For /performance: the answer's delay, coverage and counts, and what they should be. */
  top?: { delay: Record<string, number | null>; coverage: number | null; expectCoverage: number | null; predictions: number; expectPredictions: number };
}

export interface ScenarioResult {
  checks: Check[];
  /** Failures found without sklearn (statuses, counts, ranges, segment lists). */
  failures: string[];
}

type Json = Record<string, unknown>;

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(base + path, { method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  return { status: res.status, body: (await res.json()) as Json };
}

/** The answer's range as README states it: whole minutes, or whole hours for a range starting before the minute windows' retention (2 days). */
export function effectiveRange(from: number, to: number, now: number): { from: number; to: number } {
  const cutoff = now - 2 * 86_400_000;
  const hours = from < cutoff;
  return { from: hours ? Math.floor(from / H) * H : Math.floor(from / MIN) * MIN, to: hours && Math.floor(to / H) * H < cutoff ? Math.ceil(to / H) * H : Math.ceil(to / MIN) * MIN };
}

const segMatches = (seg: string, wanted: string): boolean => wanted === '' || wanted.split('&').every((p) => seg.split('&').includes(p));

/**
 * Runs one seeded scenario against the server at `base`, whose clock reads `world.now` (the caller's injected clock;
 * this moves it forward only). `maxLabelled`: the server's server.maxLabelledEvents (ranges with more labelled events are
 * sampled by id, md5(id) < rate · 2^32, as src/storage/duckdb/sql.ts samples).
 */
export async function runScenario(base: string, world: { now: number }, seed: number, opts: { maxLabelled?: number; queries?: number; fineBuckets?: boolean } = {}): Promise<ScenarioResult> {
  const r = mulberry32(seed * 7919 + 13);
  const failures: string[] = [];
  const checks: Check[] = [];
  const task: Task = pick(r, ['binary', 'binary', 'multiclass', 'regression'] as const);
  const name = `q${seed}-${task.slice(0, 3)}`;
  const classes: string[] = task === 'binary' ? pick(r, [['no', 'yes'], ['yes', 'no'], ['0', '1'], ['1', '0'], ['b', 'a']]) : task === 'multiclass' ? pick(r, [['cat', 'dog', 'eel'], ['eel', 'ant', 'dog', 'cat'], ['2', '10', '1'], ['x', 'y']]) : [];
  const segmented = r() < 0.7;
  // A binary model may declare no classes: its positive class is then the larger of those its answer's labelled events hold.
  const declared = task !== 'binary' || r() < 0.75;
  const decl: Json = { name, outputKind: task, inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, ...(classes.length && declared && { classes }), ...(segmented && { segmentKeys: ['region', 'tier'] }) };
  const d = await call(base, 'POST', '/v1/models', decl);
  if (d.status !== 201) return { checks, failures: [`${name}: declare ${d.status} ${JSON.stringify(d.body)}`] };
  const versions = ['1', '2', '3'].slice(0, int(r, 1, 3));
  for (const v of versions) {
    const vr = await call(base, 'POST', `/v1/models/${name}/versions`, { version: v });
    if (vr.status !== 201) failures.push(`${name}: version ${v} ${vr.status}`);
  }
  const pos = task === 'binary' ? [...classes].sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a < b ? -1 : 1))[1] : undefined;

  // Events: spread over hours or days before now (a few ahead of the clock), some failed, scores with ties or missing.
  const size = pick(r, [1, 2, 3, int(r, 4, 30), int(r, 30, 120), int(r, 100, 260)]);
  const spanMs = pick(r, [2 * H, 20 * H, 3 * 86_400_000, 5 * 86_400_000]);
  const t0 = world.now;
  const constant = r() < 0.12 ? pick(r, classes.length ? classes : ['5']) : null;
  const oneClass = r() < 0.1 && classes.length ? pick(r, classes) : null;
  const tieDigits = pick(r, [1, 2, 6]);
  const scoreless = r() < 0.15;
  const unnormalised = r() < 0.1;
  const events: Ev[] = [];
  for (let i = 0; i < size; i++) {
    const raw = r() < 0.04 ? t0 + int(r, 1, 60) * MIN : t0 - Math.floor(r() * spanMs);
    const align = r();
    const ts = align < 0.1 ? Math.floor(raw / H) * H : align < 0.3 ? Math.floor(raw / MIN) * MIN : raw; // on window edges too
    const segment = segmented ? { region: pick(r, ['eu', 'us', 'apac']), tier: pick(r, ['gold', 'free']) } : undefined;
    const failed = r() < 0.06;
    const ev: Ev = { id: `${name}-e${i}`, version: pick(r, versions), ts, seg: segment ? `region=${segment.region}&tier=${segment.tier}` : '', ...(segment && { segment }), prediction: null, ...(r() < 0.9 && { x: Math.round(r() * 1000) / 10 }) };
    if (failed) ev.error = 'timeout';
    if (!failed || r() < 0.3) {
      if (task === 'binary') {
        const s = Math.round(r() * 10 ** tieDigits) / 10 ** tieDigits;
        ev.prediction = constant ?? (r() < 0.8 ? (s >= 0.5 ? pos as string : classes.find((c) => c !== pos) as string) : pick(r, classes));
        if (!(scoreless && r() < 0.5) && r() > 0.03) ev.score = s;
      } else if (task === 'multiclass') {
        const raw = classes.map(() => Math.round(r() * 10 ** tieDigits) / 10 ** tieDigits + (unnormalised ? 0 : 1e-3));
        const sum = raw.reduce((a, b) => a + b, 0);
        const row = unnormalised ? raw.map((v) => Math.min(1, v)) : raw.map((v) => v / sum);
        ev.prediction = constant ?? (r() < 0.8 ? classes[row.indexOf(Math.max(...row))] as string : pick(r, classes));
        if (!(scoreless && r() < 0.5) && r() > 0.03) ev.scores = row;
      } else {
        ev.prediction = constant !== null ? 5 : pick(r, [Math.round(r() * 100) / 10, int(r, -5, 5), Math.round((r() - 0.5) * 1e6) / 100]);
      }
    }
    events.push(ev);
  }

  const labels = new Map<string, Lab>();
  const stored = new Set<string>();
  const labelFor = (ev: Ev | undefined): string | number => {
    if (task === 'regression') {
      const p = typeof ev?.prediction === 'number' ? ev.prediction : 0;
      return pick(r, [p, Math.round((p + (r() - 0.5) * 10) * 100) / 100, 0, `${Math.round(r() * 50)}`, Math.round(r() * 1e4) / 100]);
    }
    if (oneClass !== null) return oneClass;
    const c = ev?.prediction !== null && ev?.prediction !== undefined && r() < 0.7 ? String(ev.prediction) : pick(r, classes);
    return /^\d+$/.test(c) && r() < 0.5 ? Number(c) : c; // a number's text is the class
  };

  const postLabels = async (rows: Array<{ id: string; label: unknown; model?: string }>): Promise<void> => {
    const res = await call(base, 'POST', '/v1/labels', { labels: rows });
    if (res.status !== 200) {
      failures.push(`${name}: labels ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return;
    }
    const results = res.body['results'] as Array<{ status: string; code?: string }>;
    const first = new Map<string, string>();
    rows.forEach((row, i) => {
      const ev = stored.has(row.id) ? events.find((e) => e.id === row.id) : undefined;
      const text = String(row.label);
      let want: string;
      if (!ev) want = 'unknown_prediction';
      else if (row.model !== undefined && row.model !== name) want = 'model_mismatch';
      else if (classes.length > 0 ? declared && !classes.includes(text) : !/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) want = 'invalid_label';
      else if (first.has(row.id) && first.get(row.id) !== text) want = 'duplicate_in_batch';
      else {
        want = 'accepted';
        if (!first.has(row.id)) {
          first.set(row.id, text);
          const prev = labels.get(row.id);
          labels.set(row.id, { label: text, firstAt: prev?.firstAt ?? world.now });
        }
      }
      const got = results[i]?.status === 'accepted' ? 'accepted' : results[i]?.code;
      if (got !== want) failures.push(`${name}: label row ${i} (${row.id} ${JSON.stringify(row.label)}): ${got} where ${want} was expected`);
    });
  };

  // Rows the server must reject (stored as data-quality events, counted in /quality's `rejected` of their version and hour).
  const rejectedRows: Ev[] = events.filter(() => r() < 0.05).map((e, i) => ({ ...e, id: `${e.id}-bad${i}` }));
  const postEvents = async (batch: Ev[]): Promise<void> => {
    if (batch.length === 0) return;
    const bad = rejectedRows.filter((b) => batch.some((e) => b.id.startsWith(`${e.id}-bad`)));
    const res = await call(base, 'POST', '/v1/events', {
      events: [...batch, ...bad].map((e) => ({
        id: e.id, model: name, version: e.version, timestamp: e.ts, features: e.x === undefined ? {} : { x: e.x },
        ...(e.prediction !== null && { prediction: e.prediction }), ...(e.error && { error: e.error }),
        ...(e.score !== undefined && { score: e.score }), ...(e.scores !== undefined && { scores: e.scores }), ...(e.segment && { segment: e.segment }),
        ...(bad.includes(e) && (task === 'binary' ? { prediction: classes[0], score: 2 } : { prediction: task === 'regression' ? 'not a number' : 'not-a-class' })),
      })),
    });
    if (res.body['accepted'] !== batch.length || res.body['rejected'] !== bad.length) failures.push(`${name}: events accepted ${String(res.body['accepted'])} of ${batch.length}: ${JSON.stringify(res.body).slice(0, 400)}`);
    for (const e of [...batch, ...bad]) stored.add(e.id);
  };

  const metricNames = task === 'binary' ? ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss'] : task === 'multiclass' ? ['accuracy', 'precisionMacro', 'recallMacro', 'f1Macro', 'f1Weighted', 'rocAuc', 'logLoss'] : ['mae', 'rmse', 'mape', 'r2'];
  interface Spec { a: number; b: number; version: string | undefined; segment: string; ci: boolean; only: string[] | undefined }
  const asked: Spec[] = [];
  // Queries: the whole span and ranges cutting windows, per version, per segment, with buckets.
  const query = async (round: number): Promise<void> => {
    const nq = opts.queries ?? 3;
    const specs: Spec[] = [];
    for (let q = 0; q < nq; q++) {
      const whole = r() < 0.35;
      const a = whole ? t0 - spanMs - H : t0 - Math.floor(r() * spanMs);
      const b = whole ? world.now + 2 * H : Math.min(world.now + 2 * H, a + Math.max(MIN, Math.floor(r() * spanMs)));
      const version = r() < 0.4 ? undefined : pick(r, versions);
      const segment = segmented && r() < 0.4 ? pick(r, ['region=eu', 'tier=gold', 'region=us,tier=free', 'region=apac']) : '';
      const ci = r() < 0.25;
      const only = r() < 0.2 ? metricNames.filter(() => r() < 0.5) : undefined;
      specs.push({ a, b, version, segment, ci, only });
    }
    // The queries of the round before asked again: new events and labels since must show (no stale cached answer).
    const all = [...asked.splice(0), ...specs];
    asked.push(...specs);
    for (const { a, b, version, segment, ci, only } of all) {
      const v = version ?? versions.at(-1) as string;
      const segKey = segment.split(',').filter(Boolean).sort().join('&');
      const range = `from=${a}&to=${b}${version ? `&version=${version}` : ''}${segment ? `&segment=${encodeURIComponent(segment)}` : ''}`;
      const qs = `${range}&ci=${ci}${only?.length ? `&metrics=${only.join(',')}` : ''}`;
      const what = `${name} round ${round} ${qs}`;
      const p = await call(base, 'GET', `/v1/models/${name}/performance?${qs}`);
      if (p.status !== 200) {
        failures.push(`${what}: ${p.status} ${JSON.stringify(p.body).slice(0, 300)}`);
        continue;
      }
      const eff = effectiveRange(a, b, world.now);
      if (p.body['from'] !== eff.from || p.body['to'] !== eff.to) failures.push(`${what}: range ${String(p.body['from'])}-${String(p.body['to'])} where ${eff.from}-${eff.to}`);
      const inRange = (e: Ev): boolean => e.version === v && e.ts >= eff.from && e.ts < eff.to;
      const predicted = events.filter((e) => stored.has(e.id) && inRange(e) && e.prediction !== null && segMatches(e.seg, segKey));
      // A sample by id when the range (whole traffic of the version) holds more labelled events than a read holds.
      const sample = (f: number, t: number): { rate: number; total: number; keep: (e: Ev) => boolean } => {
        const total = events.filter((e) => stored.has(e.id) && e.version === v && e.ts >= f && e.ts < t && e.prediction !== null && labels.has(e.id)).length;
        if (opts.maxLabelled === undefined || total <= opts.maxLabelled) return { rate: 1, total, keep: () => true };
        const rate = (opts.maxLabelled - 4 * Math.sqrt(opts.maxLabelled)) / total;
        const threshold = Math.min(0xffffffff, Math.floor(rate * 2 ** 32)).toString(16).padStart(8, '0');
        return { rate, total, keep: (e) => createHash('md5').update(e.id).digest('hex').slice(0, 8) < threshold };
      };
      const checkSampled = (got: unknown, sm: { rate: number; total: number }, at: string): void => {
        const s = got as { rate: number; labelledInRange: number } | null;
        if (sm.rate === 1 ? s !== null : !s || s.rate !== sm.rate || s.labelledInRange !== sm.total) failures.push(`${at}: sampled ${JSON.stringify(s)} where ${sm.rate === 1 ? 'none' : `rate ${sm.rate} of ${sm.total}`}`);
      };
      const sm = sample(eff.from, eff.to);
      const rate = sm.rate;
      checkSampled(p.body['sampled'], sm, what);
      const joined = predicted.filter((e) => labels.has(e.id) && sm.keep(e));
      // The positive class of an undeclared binary model: the larger class among the labels and predictions of the
      // answer's labelled events (all segments); of one class, the metrics' default (that class, or 1 beside 0).
      const answerPos = (keep: (e: Ev) => boolean): string | undefined => {
        if (task !== 'binary' || declared) return pos;
        const seen = new Set<string>();
        for (const e of events) if (stored.has(e.id) && e.version === v && e.ts >= eff.from && e.ts < eff.to && e.prediction !== null && labels.has(e.id) && keep(e)) seen.add((labels.get(e.id) as Lab).label).add(String(e.prediction));
        const sorted = [...seen].sort((x, y) => (/^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x < y ? -1 : 1));
        return sorted.length === 2 ? sorted[1] : sorted[0] === '0' ? '1' : sorted[0];
      };
      const ansPos = answerPos(sm.keep);
      const oracleOf = (rows: Ev[]): Check['oracle'] => ({
        task, classes, ...(ansPos !== undefined && { pos: ansPos }),
        y: rows.map((e) => (labels.get(e.id) as Lab).label),
        pred: rows.map((e) => String(e.prediction)),
        ...(task === 'binary' && { scores: rows.map((e) => (typeof e.score === 'number' ? e.score : null)) }),
        ...(task === 'multiclass' && { matrix: rows.map((e) => e.scores ?? null) }),
        delays: rows.map((e) => Math.max(0, (labels.get(e.id) as Lab).firstAt - e.ts)),
      });
      const expectCoverage = predicted.length > 0 ? Math.min(1, joined.length / rate / predicted.length) : null;
      checks.push({
        what, oracle: oracleOf(joined), ci, ...(only?.length && { only }),
        got: { labelled: p.body['labelled'] as number, realized: p.body['realized'] as Check['got']['realized'] },
        top: { delay: p.body['labelDelayMs'] as Record<string, number | null>, coverage: p.body['labelCoverage'] as number | null, expectCoverage, predictions: p.body['predictions'] as number, expectPredictions: predicted.length },
      });
      const evCount = events.filter((e) => stored.has(e.id) && inRange(e) && segMatches(e.seg, segKey)).length;
      if (p.body['events'] !== evCount) failures.push(`${what}: events ${String(p.body['events'])} where ${evCount}`);
      // bySegment: every full segment with traffic in the range (within the filter), labelled or not.
      const segs = p.body['bySegment'] as Array<{ segment: string; labelled: number; realized: Check['got']['realized'] }>;
      const wantSegs = [...new Set(events.filter((e) => stored.has(e.id) && inRange(e) && e.seg !== '' && segMatches(e.seg, segKey)).map((e) => e.seg))].sort();
      if (JSON.stringify(segs.map((s) => s.segment)) !== JSON.stringify(wantSegs)) failures.push(`${what}: bySegment ${JSON.stringify(segs.map((s) => s.segment))} where ${JSON.stringify(wantSegs)}`);
      for (const s of segs) {
        checks.push({ what: `${what} segment ${s.segment}`, oracle: oracleOf(joined.filter((e) => e.seg === s.segment)), ci, ...(only?.length && { only }), got: { labelled: s.labelled, realized: s.realized } });
      }
      // /quality over the same range: event and missing counts of the feature, and the rejected rows, from the raw rows.
      // (the range alone: /quality takes no ci or metrics, which it ignored until audit 18 and refuses since)
      const qr = await call(base, 'GET', `/v1/models/${name}/quality?${range}`);
      const inQ = events.filter((e) => stored.has(e.id) && inRange(e) && segMatches(e.seg, segKey));
      const feat = (qr.body['features'] as Array<{ name: string; count: number; missing: number; missingRate: number | null }> | undefined)?.[0];
      const missing = inQ.filter((e) => e.x === undefined).length;
      const rej = rejectedRows.filter((e) => stored.has(e.id) && e.version === v && e.ts >= eff.from && e.ts < eff.to && segMatches(e.seg, segKey)).length;
      const wantQ = { events: inQ.length, count: inQ.length - missing, missing, missingRate: inQ.length ? missing / inQ.length : null, rejected: rej };
      const gotQ = { events: qr.body['events'], count: feat?.count, missing: feat?.missing, missingRate: feat?.missingRate, rejected: qr.body['rejected'] };
      if (JSON.stringify(gotQ) !== JSON.stringify(wantQ)) failures.push(`${what}: /quality ${JSON.stringify(gotQ)} where ${JSON.stringify(wantQ)}`);
      // Buckets of a step, the first and last clipped to the range.
      if (r() < 0.5) {
        const step = pick(r, opts.fineBuckets ? [H, 6 * H, 86_400_000, 15 * MIN] : [6 * H, 86_400_000, 2 * 86_400_000]);
        const bq = `from=${a}&to=${b}${version ? `&version=${version}` : ''}${segment ? `&segment=${encodeURIComponent(segment)}` : ''}&ci=false&step=${step}`;
        const br = await call(base, 'GET', `/v1/models/${name}/performance/buckets?${bq}`);
        if (br.status !== 200) {
          if (!(br.status === 400 && Math.ceil(b / step) - Math.floor(a / step) > 1000)) failures.push(`${name} buckets ${bq}: ${br.status} ${JSON.stringify(br.body).slice(0, 200)}`);
          continue;
        }
        const buckets = br.body['buckets'] as Array<{ from: number; to: number; labelled: number; realized: Check['got']['realized']; sampled: unknown }>;
        const want: Array<[number, number]> = [];
        for (let t = Math.floor(eff.from / step) * step; t < eff.to; t += step) want.push([Math.max(t, eff.from), Math.min(t + step, eff.to)]);
        if (JSON.stringify(buckets.map((x) => [x.from, x.to])) !== JSON.stringify(want)) failures.push(`${name} buckets ${bq}: ranges ${JSON.stringify(buckets.map((x) => [x.from, x.to])).slice(0, 200)} where ${JSON.stringify(want).slice(0, 200)}`);
        for (const x of buckets) {
          const bs = sample(x.from, x.to);
          checkSampled(x.sampled, bs, `${name} bucket ${x.from}-${x.to} of ${bq}`);
          const rows = predicted.filter((e) => labels.has(e.id) && e.ts >= x.from && e.ts < x.to && bs.keep(e));
          if (rows.length === 0 && x.labelled === 0) continue;
          checks.push({ what: `${name} round ${round} bucket ${x.from}-${x.to} of ${bq}`, oracle: oracleOf(rows), ci: false, got: { labelled: x.labelled, realized: x.realized } });
        }
      }
    }
  };

  // Round 1: part of the events; labels for some of them, one for an event not posted yet, one for an unknown id.
  const cut = Math.floor(events.length * (0.3 + r() * 0.5));
  const later = events.slice(cut);
  await postEvents(events.slice(0, cut));
  const round1: Array<{ id: string; label: unknown; model?: string }> = events.slice(0, cut).filter(() => r() < 0.7).map((e) => ({ id: e.id, label: labelFor(e) as unknown }));
  if (later[0]) round1.push({ id: later[0].id, label: labelFor(later[0]) }); // before its event: unknown_prediction, not kept
  round1.push({ id: `${name}-nope`, label: labelFor(undefined) });
  if (round1.length > 1 && r() < 0.5) round1.push({ ...(round1[0] as { id: string; label: unknown }) }); // the same label again in the batch
  if (events[0] && r() < 0.3 && declared) round1.push({ id: events[0].id, label: task === 'regression' ? ' 12 ' : 'maybe' }); // invalid
  world.now += int(r, 1, 600) * MIN;
  await postLabels(round1);
  await query(1);
  // Round 2: the rest of the events; late labels, re-labels (a later request replaces the label, not its delay), a
  // second row of an id with another label in one batch (duplicate_in_batch), a label naming another model.
  await postEvents(later);
  world.now += int(r, 1, 3000) * MIN;
  const round2: Array<{ id: string; label: unknown; model?: string }> = events.filter(() => r() < 0.5).map((e) => ({ id: e.id, label: labelFor(e) as unknown }));
  const twice = round2[0];
  if (twice && r() < 0.6) round2.push({ id: twice.id, label: labelFor(events.find((e) => e.id === twice.id)) });
  if (events[1] && r() < 0.3) round2.push({ id: events[1].id, label: labelFor(events[1]), model: 'someone-else' });
  await postLabels(round2);
  await query(2);
  return { checks, failures };
}

const ORACLE = fileURLToPath(new URL('../../../scripts/fuzz/quality_oracle.py', import.meta.url));

interface OracleResult {
  metrics: Record<string, number | null> | null;
  wilson: Record<string, [number, number] | null>;
  delay: { p50: number; p95: number; max: number } | null;
}

const close = (got: number | null | undefined, want: number | null, tol: number): boolean =>
  got === want || (typeof got === 'number' && want !== null && Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)));

/** sklearn's figures for every check; the differences from the server's, as lines. `worst`: largest difference per metric. */
export function compareWithSklearn(checks: Check[], worst: Record<string, number> = {}): string[] {
  const out: string[] = [];
  const res = spawnSync('/usr/bin/python3', [ORACLE], { input: JSON.stringify(checks.map((c) => c.oracle)), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0) return [`oracle failed: ${res.stderr.slice(0, 2000)}`];
  const results = JSON.parse(res.stdout) as OracleResult[];
  checks.forEach((c, i) => {
    const o = results[i] as OracleResult;
    const n = c.oracle.y.length;
    if (c.got.labelled !== n) out.push(`${c.what}: labelled ${c.got.labelled} where ${n}`);
    if (c.top) {
      if (c.top.predictions !== c.top.expectPredictions) out.push(`${c.what}: predictions ${c.top.predictions} where ${c.top.expectPredictions}`);
      if (!close(c.top.coverage, c.top.expectCoverage, 1e-12)) out.push(`${c.what}: labelCoverage ${c.top.coverage} where ${c.top.expectCoverage}`);
      for (const k of ['p50', 'p95', 'max'] as const) {
        const want = o.delay?.[k] ?? null;
        if (!close(c.top.delay[k], want, 1e-12)) out.push(`${c.what}: labelDelayMs.${k} ${c.top.delay[k]} where ${want}`);
      }
    }
    if (o.metrics === null) {
      if (c.got.realized !== null) out.push(`${c.what}: realized where no labelled event`);
      return;
    }
    if (c.got.realized === null) {
      out.push(`${c.what}: realized null of ${n} labelled events`);
      return;
    }
    const gotKeys = Object.keys(c.got.realized.metrics).sort();
    const wantKeys = (c.only ?? Object.keys(o.metrics)).slice().sort();
    if (JSON.stringify(gotKeys) !== JSON.stringify(wantKeys)) out.push(`${c.what}: metrics ${gotKeys.join(',')} where ${wantKeys.join(',')}`);
    for (const k of wantKeys) {
      const g = c.got.realized.metrics[k];
      const want = o.metrics[k] ?? null;
      if (!g) continue;
      const d = g.value === null || want === null ? (g.value === want ? 0 : Infinity) : Math.abs(g.value - want) / Math.max(1, Math.abs(want));
      worst[k] = Math.max(worst[k] ?? 0, d);
      if (!close(g.value, want, 1e-9)) out.push(`${c.what}: ${k} ${g.value} where sklearn ${want} (n ${n})`);
      const w = o.wilson[k];
      if (w !== undefined && g.value !== null) {
        // Wilson intervals are given with ci=false too ("point values without bootstraps")
        if (w === null ? g.ci !== null : !(g.ci && close(g.ci[0], w[0], 1e-9) && close(g.ci[1], w[1], 1e-9))) out.push(`${c.what}: ${k} ci ${JSON.stringify(g.ci)} where Wilson ${JSON.stringify(w)}`);
      } else if (c.ci && g.value !== null) {
        if (g.ci !== null && !(g.ci[0] <= g.ci[1] && Number.isFinite(g.ci[0]) && Number.isFinite(g.ci[1]))) out.push(`${c.what}: ${k} bootstrap ci ${JSON.stringify(g.ci)}`);
      } else if (!c.ci && g.ci !== null) out.push(`${c.what}: ${k} has a ci with ci=false`);
    }
  });
  return out;
}
