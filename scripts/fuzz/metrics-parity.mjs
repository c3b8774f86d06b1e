/* global process, console, URL */
// Differential fuzz of the server's realized (labelled) metrics and of `lookout metrics` against scikit-learn.
// Per seed: a real `lookout serve` on a fresh DuckDB data dir (and, with MP_PG_URL, another on a fresh PostgreSQL
// schema, whose answers must equal the DuckDB server's), four models (binary with declared classes of several kinds,
// binary without classes, multiclass with a declared class nobody predicts, regression), events with segments spread
// over 20 hours and 3-6 days back (some scored by `scores` instead of `score`, some failed inferences), labels for a random subset (sent as
// numbers, strings and booleans, repeated in a batch, conflicting in a batch, for unknown ids, replaced by a later
// request, for classes never predicted, arriving after the first questions), then GET /performance (overall and per
// segment, whole and cut ranges, a segment filter, minute and hour ranges), /performance/buckets and the headline metric
// of /v1/overview are asked, and again after the late labels. What the server should have joined is computed here from the rows sent (README "POST /v1/labels"); each set of
// joined rows goes to scripts/fuzz/metrics_parity_oracle.py, which computes every metric with scikit-learn, the Wilson
// intervals, and the bootstrap intervals by the documented method re-implemented in Python (the same seeded
// xoshiro128** stream, per-row multiplicities fed to sklearn as sample weights; multinomial cell counts): values within
// 1e-9 relative. The whole range's joined rows of each model also go through `lookout metrics` (a JSON lines or CSV
// file; a binary model's scores as --score or as predict_proba columns --scores; the server's seed and resamples, 0 and
// 200), whose answer must equal the server's. MP_KEEP=1 keeps the data dirs (and the CLI's files).
// Usage: npx tsc -p . && node scripts/fuzz/metrics-parity.mjs FIRST_SEED COUNT
// MP_PG_URL=postgres://... also runs PostgreSQL; MP_QUICK=1 asks fewer questions (test/audit17-metricsparity);
// MP_VERBOSE=1 prints every difference. Exits 1 when one is found.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { diff } from './parity-compare.mjs';
import { rng } from './parity-scenario.mjs';
import { eachSeed } from './seeds.mjs';
import { request, serve } from './serve.mjs';

const root = new URL('../../', import.meta.url).pathname;
const ORACLE = join(root, 'scripts', 'fuzz', 'metrics_parity_oracle.py');
const MIN = 60_000;
const H = 3_600_000;
const D = 24 * H;
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 3);
const quick = process.env.MP_QUICK === '1';
const pgUrl = process.env.MP_PG_URL;

/** The models of a seed: each with how its events' outputs and its labels are drawn. */
function models(r) {
  const binClasses = r.pick([['0', '1'], ['1', '0'], ['false', 'true'], ['no', 'yes'], ['yes', 'no']]);
  const mcClasses = r.pick([['cat', 'dog', 'eel', 'fox'], ['2', '10', '1', '3'], ['b', 'a', 'c', 'z']]);
  return [
    { name: 'bin', task: 'binary', classes: binClasses },
    { name: 'free', task: 'binary', classes: null, kind: r.pick(['num', 'bool', 'text']) },
    { name: 'mc', task: 'multiclass', classes: mcClasses, never: mcClasses[3] }, // the fourth class is never predicted
    { name: 'reg', task: 'regression', classes: null },
  ];
}

/** np.unique order of class texts: numerically when all are numbers, else by code point. */
const sortClasses = (xs) => [...xs].sort((a, b) => (xs.every((x) => /^-?\d+(\.\d+)?$/.test(x)) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
const positiveOf = (classes) => sortClasses(classes)[1];

/** A value of class text `c` as a client may send it: the text, or the number or boolean it spells. */
function wire(r, c) {
  if (/^-?\d+$/.test(c) && r.chance(0.5)) return Number(c);
  if ((c === 'true' || c === 'false') && r.chance(0.5)) return c === 'true';
  return c;
}

function makeEvent(r, m, i, now) {
  // spread over 20 h, some on minute edges; some 3 to 6 days back (before the minute windows' retention: hour ranges)
  const ts = now - 2 * MIN - (r.chance(0.1) ? 3 * D + r.int(3 * D) : r.int(20 * H)) - (r.chance(0.1) ? 0 : r.int(MIN));
  const e = { id: `${m.name}-${String(i).padStart(5, '0')}`, model: m.name, version: '1', timestamp: r.chance(0.15) ? Math.floor(ts / MIN) * MIN : ts, features: { x: Math.round(r.next() * 1000) / 10 } };
  if (r.chance(0.8)) e.segment = { region: r.pick(['eu', 'us', 'apac']), tier: r.pick(['gold', 'free']) };
  if (r.chance(0.04)) { e.error = 'timeout'; return e; } // a failed inference: no prediction, a label for it not counted
  const digits = r.pick([1, 2, 6]);
  const round = (v) => Math.round(v * 10 ** digits) / 10 ** digits;
  if (m.task === 'binary') {
    const classes = m.classes ?? (m.kind === 'num' ? ['0', '1'] : m.kind === 'bool' ? ['false', 'true'] : ['no', 'yes']);
    const pos = positiveOf(classes);
    const neg = classes.find((c) => c !== pos);
    const s = round(r.next());
    const p = r.chance(0.8) ? (s >= 0.5 ? pos : neg) : r.pick(classes);
    e.prediction = wire(r, p);
    if (r.chance(0.95)) {
      // A model declaring its classes may be sent sklearn's predict_proba row instead of a score.
      if (m.classes && r.chance(0.3)) e.scores = m.classes.map((c) => (c === pos ? s : round(1 - s)));
      else e.score = s;
    }
  } else if (m.task === 'multiclass') {
    const raw = m.classes.map((c) => (c === m.never ? round(r.next() * 0.2) + 0.001 : round(r.next()) + 0.001));
    const sum = raw.reduce((a, b) => a + b, 0);
    e.scores = raw.map((v) => v / sum);
    const best = m.classes[e.scores.indexOf(Math.max(...e.scores))];
    e.prediction = r.chance(0.8) && best !== m.never ? best : r.pick(m.classes.filter((c) => c !== m.never));
    if (r.chance(0.03)) delete e.scores;
  } else {
    e.prediction = r.pick([round(r.next() * 100), r.int(11) - 5, round((r.next() - 0.5) * 1e4)]);
  }
  return e;
}

/** A label for event `e` (or for an unknown id): as sent on the wire. */
function makeLabel(r, m, e) {
  if (m.task === 'regression') {
    const p = typeof e?.prediction === 'number' ? e.prediction : 1;
    const v = r.pick([p, Math.round((p + (r.next() - 0.5) * 20) * 100) / 100, 0, r.int(50)]);
    if (r.chance(0.03)) return r.pick([true, 'NaN', ' 12 ', '0x10']); // refused: invalid_label
    // "2.5" is the number 2.5, and so are "2.50" and "25e-1"
    return r.chance(0.3) ? r.pick([String(v), Number.isInteger(v) ? `${v}.0` : `${v}0`, v === 0 ? '-0' : `${v * 10}e-1`]) : v;
  }
  const classes = m.classes ?? (m.kind === 'num' ? ['0', '1'] : m.kind === 'bool' ? ['false', 'true'] : ['no', 'yes']);
  const c = e?.prediction !== undefined && r.chance(0.7) ? String(e.prediction) : r.pick(classes);
  // a model without classes takes any text: "1.0" is the class 1 (as the CLI reads "1", 1 and "1.0")
  if (!m.classes && m.kind === 'num' && r.chance(0.2)) return `${c}.0`;
  return wire(r, c);
}

async function runSeed(seed, totals) {
  const r = rng(seed * 7919 + 17);
  const dirs = [mkdtempSync(join(tmpdir(), 'lookout-mp-duck-'))];
  const schema = `mp_${process.pid}_${seed}`;
  const argsOf = [['--data-dir', dirs[0]]];
  if (pgUrl) {
    dirs.push(mkdtempSync(join(tmpdir(), 'lookout-mp-pg-')));
    const store = new URL(pgUrl);
    store.searchParams.set('schema', schema);
    argsOf.push(['--data-dir', dirs[1], '--store', store.toString()]);
  }
  const servers = await Promise.all(argsOf.map((args) => serve(args)));
  const diffs = [];
  const checks = []; // {what, oracle case, got: realized, labelled}
  const cli = [];
  /** Sends to every server; the answers must be equal (DuckDB's and PostgreSQL's), DuckDB's returned. */
  const send = async (method, path, body) => {
    const res = await Promise.all(servers.map((s) => request(s.url, method, path, body)));
    totals.requests++;
    // equal but for what scripts/fuzz/parity-compare.mjs excludes with its reasons (wall-clock stamps, label delays)
    if (res[1]) {
      const out = [];
      if (res[0].status !== res[1].status) out.push(`status ${res[0].status} / ${res[1].status}`);
      diff(res[0].body, res[1].body, '', out, []);
      // and, in /v1/overview's rows, the same clock-bound fields: label delays, and the throughput of a range running
      // until after now (events per second of the part that has passed, on each server's clock)
      for (const d of out) if (!/^rows\[\]\.(performance\.labelDelayMs\.|health\.throughputPerSecond:)/.test(d)) diffs.push(`${method} ${path}: DuckDB / PostgreSQL: ${d}`);
    }
    return res[0];
  };
  try {
    const now = Date.now();
    const ms = models(r);
    // MP_QUICK: bootstrap intervals and `lookout metrics` for two of the four models (odd seeds bin and mc, even free and reg)
    const deep = (m) => (seed % 2 === 1 ? ['bin', 'mc'] : ['free', 'reg']).includes(m.name);
    for (const m of ms) {
      const d = await send('POST', '/v1/models', { name: m.name, outputKind: m.task, ...(m.classes && { classes: m.classes }), segmentKeys: ['region', 'tier'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      if (d.status !== 201) diffs.push(`declare ${m.name}: ${d.status} ${JSON.stringify(d.body)}`);
      await send('POST', `/v1/models/${m.name}/versions`, { version: '1' });
    }
    const events = new Map();
    const labels = new Map(); // id -> stored label text
    for (const m of ms) {
      const n = quick ? 25 + r.int(40) : r.pick([3, 20 + r.int(60), 100 + r.int(300)]);
      const evs = Array.from({ length: n }, (_, i) => makeEvent(r, m, i, now));
      for (let i = 0; i < evs.length; i += 500) {
        const res = await send('POST', '/v1/events', { events: evs.slice(i, i + 500) });
        if (res.body.accepted !== evs.slice(i, i + 500).length) diffs.push(`events of ${m.name}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      for (const e of evs) events.set(e.id, { ...e, m });
    }
    /** Posts label rows; checks each row's answer against the README's rules and keeps what is stored. */
    const postLabels = async (rows) => {
      const res = await send('POST', '/v1/labels', { labels: rows });
      const firstOf = new Map();
      rows.forEach((row, i) => {
        const e = events.get(row.id);
        const text = String(row.label);
        let want;
        if (!e) want = 'unknown_prediction';
        else if (e.m.classes && !e.m.classes.includes(text)) want = 'invalid_label';
        else if (e.m.task === 'regression' && !/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) want = 'invalid_label';
        else if (firstOf.has(row.id) && firstOf.get(row.id) !== text) want = 'duplicate_in_batch';
        else {
          want = 'accepted';
          if (!firstOf.has(row.id)) { firstOf.set(row.id, text); labels.set(row.id, text); }
        }
        const got = res.body.results?.[i]?.status === 'accepted' ? 'accepted' : res.body.results?.[i]?.code;
        if (got !== want) diffs.push(`label row ${i} ${JSON.stringify(row)}: ${got} where ${want}`);
      });
    };
    const labelRound = async (share) => {
      const rows = [];
      for (const e of events.values()) {
        if (!r.chance(share)) continue;
        const label = makeLabel(r, e.m, e);
        rows.push({ id: e.id, label });
        if (r.chance(0.05)) rows.push({ id: e.id, label: typeof label === 'number' || typeof label === 'boolean' ? String(label) : label }); // the same label again, as text
        if (r.chance(0.03)) rows.push({ id: e.id, label: makeLabel(r, e.m, e) }); // maybe another: duplicate_in_batch
        if (r.chance(0.02)) rows.push({ id: `${e.id}-nope`, label }); // unknown id
        if (r.chance(0.01) && e.m.task === 'multiclass') rows.push({ id: e.id, label: 'not-a-class' });
      }
      for (let i = rows.length - 1; i > 0; i--) { const j = r.int(i + 1); [rows[i], rows[j]] = [rows[j], rows[i]]; }
      // in order within an id, so that "first row of the id" stays defined as sent
      for (let i = 0; i < rows.length; i += 700) await postLabels(rows.slice(i, i + 700));
    };
    await labelRound(0.55);
    const ask = async (round) => {
      const whole = new Map(); // model -> the whole range's joined rows (oracle case)
      for (const m of ms) {
        // the same questions in both rounds (from a stream of their own): after the late labels, no stale cached answer
        const r = rng(seed * 31 + ms.indexOf(m));
        const ranges = [[now - 7 * D, now + MIN, true]];
        const nq = quick ? 1 : 3;
        for (let q = 0; q < nq; q++) {
          const a = r.chance(0.2) ? now - 6 * D - r.int(D) : now - 20 * H + r.int(18 * H);
          ranges.push([r.chance(0.5) ? Math.floor(a / MIN) * MIN : a, Math.min(now + MIN, a + MIN + r.int(10 * H)), r.chance(0.5)]);
        }
        for (const [a, b, ci] of ranges) {
          const segment = a !== now - 7 * D && r.chance(0.25) ? r.pick(['region=eu', 'tier=gold', 'region=us,tier=free']) : '';
          const qs = `from=${a}&to=${b}&ci=${ci}${segment ? `&segment=${encodeURIComponent(segment)}` : ''}`;
          const what = `seed ${seed} round ${round} ${m.name} ${qs}`;
          const p = await send('GET', `/v1/models/${m.name}/performance?${qs}`);
          if (p.status !== 200) { diffs.push(`${what}: ${p.status} ${JSON.stringify(p.body).slice(0, 300)}`); continue; }
          // README: the range in whole minutes, or whole hours for a range starting before the minute windows' retention
          const hours = a < now - 2 * D;
          const eff = { from: hours ? Math.floor(a / H) * H : Math.floor(a / MIN) * MIN, to: hours && Math.floor(b / H) * H < now - 2 * D ? Math.ceil(b / H) * H : Math.ceil(b / MIN) * MIN };
          if (p.body.from !== eff.from || p.body.to !== eff.to) diffs.push(`${what}: range ${p.body.from}-${p.body.to} where ${eff.from}-${eff.to}`);
          const segOk = (e) => segment === '' || segment.split(',').every((kv) => { const [k, v] = kv.split('='); return e.segment?.[k] === v; });
          const segName = (e) => (e.segment ? `region=${e.segment.region}&tier=${e.segment.tier}` : '');
          const inRange = [...events.values()].filter((e) => e.m === m && e.timestamp >= eff.from && e.timestamp < eff.to && segOk(e));
          // labelled events that have a prediction, in (time, id) order as the store reads them
          const joined = inRange.filter((e) => e.prediction !== undefined && labels.has(e.id)).sort((x, y) => x.timestamp - y.timestamp || (x.id < y.id ? -1 : 1));
          // a binary model's positive class (README, GET /performance): the larger declared class, else the larger of the two
          // classes among the answer's labelled events and their predictions; of one class, that class (1 when it is 0)
          // (with a segment filter, those of every segment: the range's whole traffic)
          const everySegment = [...events.values()].filter((e) => e.m === m && e.timestamp >= eff.from && e.timestamp < eff.to && e.prediction !== undefined && labels.has(e.id));
          const present = m.task === 'binary' && !m.classes ? sortClasses([...new Set(everySegment.flatMap((e) => [labels.get(e.id), String(e.prediction)]).map(canon))]) : [];
          const pos = m.task !== 'binary' ? undefined : m.classes ? positiveOf(m.classes) : present.length === 1 ? (present[0] === '0' ? '1' : present[0]) : present[1];
          const oracleOf = (rows, boot) => ({
            task: m.task, classes: m.classes, pos, boot, seed: 0, resamples: boot ? 200 : 0,
            y: rows.map((e) => labels.get(e.id)), pred: rows.map((e) => String(e.prediction)),
            scores: m.task === 'binary' ? rows.map((e) => (typeof e.score === 'number' ? e.score : e.scores ? e.scores[m.classes.indexOf(pos)] : null)) : null,
            matrix: m.task === 'multiclass' ? rows.map((e) => e.scores ?? null) : null,
          });
          const predictions = inRange.filter((e) => e.prediction !== undefined).length;
          if (p.body.predictions !== predictions) diffs.push(`${what}: predictions ${p.body.predictions} where ${predictions}`);
          checks.push({ what, oracle: oracleOf(joined, ci && (!quick || (a === now - 7 * D && round === 2 && deep(m)))), got: p.body.realized, labelled: p.body.labelled, ci });
          const segs = [...new Set(inRange.map(segName).filter((s) => s !== ''))].sort();
          const gotSegs = (p.body.bySegment ?? []).map((s) => s.segment);
          if (!isDeepStrictEqual(gotSegs, segs)) diffs.push(`${what}: bySegment ${JSON.stringify(gotSegs)} where ${JSON.stringify(segs)}`);
          for (const s of p.body.bySegment ?? []) checks.push({ what: `${what} segment ${s.segment}`, oracle: oracleOf(joined.filter((e) => segName(e) === s.segment), ci && !quick), got: s.realized, labelled: s.labelled, ci });
          if (a === now - 7 * D) whole.set(m.name, oracleOf(joined, false));
          if (round === 2 && ci && segment === '' && a === now - 7 * D && (!quick || deep(m))) cli.push({ what, m, rows: joined, pos, got: p.body.realized, labels: new Map(labels), csv: (seed + ms.indexOf(m)) % 2 === 1, proba: m.task === 'binary' && m.classes !== null && seed % 3 !== 0 });
          // the series of the metrics: buckets of a step, the first and last clipped to the range
          if (r.chance(quick ? 0.5 : 0.7)) {
            const step = r.pick(b - a > 2 * D ? [H, 6 * H, D] : [H, 3 * H, 15 * MIN]);
            const bq = `from=${a}&to=${b}&step=${step}&ci=${ci}${segment ? `&segment=${encodeURIComponent(segment)}` : ''}`;
            const br = await send('GET', `/v1/models/${m.name}/performance/buckets?${bq}`);
            if (br.status !== 200) { diffs.push(`${what} buckets ${bq}: ${br.status} ${JSON.stringify(br.body).slice(0, 200)}`); continue; }
            const want = [];
            for (let t = Math.floor(eff.from / step) * step; t < eff.to; t += step) want.push([Math.max(t, eff.from), Math.min(t + step, eff.to)]);
            const got = br.body.buckets.map((x) => [x.from, x.to]);
            if (!isDeepStrictEqual(got, want)) diffs.push(`${what} buckets ${bq}: ranges ${JSON.stringify(got).slice(0, 200)} where ${JSON.stringify(want).slice(0, 200)}`);
            for (const x of br.body.buckets) {
              const rows = joined.filter((e) => e.timestamp >= x.from && e.timestamp < x.to);
              checks.push({ what: `${what} bucket ${x.from}-${x.to} step ${step}`, oracle: oracleOf(rows, ci && !quick), got: x.realized, labelled: x.labelled, ci });
            }
          }
        }
      }
      // the dashboard overview's headline metric of each model (accuracy; mae of a regression) over the whole range
      const ov = await send('GET', `/v1/overview?performance=true&from=${now - 7 * D}&to=${now + MIN}`);
      for (const m of ms) {
        const row = ov.body.rows?.find((x) => x.model === m.name);
        const headline = m.task === 'regression' ? 'mae' : 'accuracy';
        if (!row) { diffs.push(`overview round ${round}: no row of ${m.name}`); continue; }
        checks.push({ what: `seed ${seed} round ${round} overview ${m.name}`, oracle: whole.get(m.name), got: row.performance?.realized ?? null, labelled: row.performance?.labelled, ci: false, only: [headline] });
      }
    };
    await ask(1);
    // Late labels: new ones, and replacements of earlier ones (a later request replaces the stored label).
    await labelRound(0.35);
    await ask(2);
    // `lookout metrics` on the whole range's joined rows of each model, with the server's seed and resamples.
    for (const c of cli) cliCheck(c, dirs[0], diffs, checks, totals);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    if (pgUrl) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try { await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await client.end(); }
    }
  }
  diffs.push(...compareWithOracle(checks, totals));
  if (!process.env.MP_KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
  else console.log(`kept ${dirs.join(' ')}`);
  return diffs;
}

/** A class text's canonical key as the metrics read it (1, "1" and "1.0" are one class). */
function canon(s) {
  const t = s.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) && Number.isFinite(Number(t))) return String(Number(t) === 0 ? 0 : Number(t));
  return t;
}

function cliCheck(c, dir, diffs, checks, totals) {
  const { m, rows } = c;
  if (rows.length === 0) return;
  // JSON lines, or CSV (whose yes/no, true/false and number columns DuckDB types: README says the classes keep their text)
  const csv = c.csv;
  const file = join(dir, `cli-${m.name}.${csv ? 'csv' : 'jsonl'}`);
  const scored = m.task === 'binary' ? rows.every((e) => typeof e.score === 'number' || e.scores) : m.task === 'multiclass' ? rows.every((e) => e.scores) : false;
  const text = rows.map((e) => {
    const o = { label: labelOf(c, e), prediction: m.task === 'regression' ? Number(e.prediction) : String(e.prediction) };
    if (m.task === 'binary' && scored) o.score = typeof e.score === 'number' ? e.score : e.scores[m.classes.indexOf(c.pos)];
    // or sklearn's predict_proba columns, one per declared class (--scores in the declared order): the positive's is the score
    if (c.proba && scored) for (const k of m.classes) o[`p_${k}`] = k === c.pos ? o.score : 1 - o.score;
    if (m.task === 'multiclass' && scored) m.classes.forEach((k, j) => { o[`p_${k}`] = e.scores[j]; });
    return o;
  });
  const cols = Object.keys(text[0]);
  writeFileSync(file, csv ? [cols.join(','), ...text.map((o) => cols.map((k) => o[k]).join(','))].join('\n') + '\n' : text.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const args = [join(root, 'bin', 'lookout.js'), 'metrics', '--data', file, '--task', m.task, '--label', 'label', '--prediction', 'prediction', '--seed', '0', '--resamples', '200', '--json'];
  if (m.task === 'binary') args.push('--positive-label', c.pos, ...(scored ? (c.proba ? ['--scores', m.classes.map((k) => `${k}=p_${k}`).join(',')] : ['--score', 'score']) : []));
  if (m.task === 'multiclass' && scored) args.push('--scores', m.classes.map((k) => `${k}=p_${k}`).join(','));
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0) { diffs.push(`${c.what}: lookout metrics exit ${res.status}: ${res.stderr.slice(0, 400)}`); return; }
  const out = JSON.parse(res.stdout);
  totals.cli++;
  checks.push({ what: `${c.what} (lookout metrics)`, oracle: checks.find((k) => k.what === c.what)?.oracle, got: out, labelled: out.n + out.missing, ci: true, cli: true });
  // the CLI and the server: the same rows, seed and resamples, so the same values and intervals
  for (const [k, v] of Object.entries(c.got?.metrics ?? {})) {
    const w = out.metrics[k];
    if (!w || w.value !== v.value || !isDeepStrictEqual(w.ci, v.ci)) diffs.push(`${c.what}: ${k} server ${JSON.stringify(v)} lookout metrics ${JSON.stringify(w)}`);
  }
}

function labelOf(c, e) {
  const text = c.labels.get(e.id); // the stored label's text, as the server joined it
  return c.m.task === 'regression' ? Number(text) : text;
}

const close = (got, want, tol) => got === want || (typeof got === 'number' && typeof want === 'number' && Math.abs(got - want) <= tol * Math.max(1e-300, Math.abs(want)));

function compareWithOracle(checks, totals) {
  const out = [];
  const cases = checks.filter((c) => c.oracle);
  const t = Date.now();
  const res = spawnSync('/usr/bin/python3', [ORACLE], { input: JSON.stringify(cases.map((c) => c.oracle)), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0) return [`oracle failed: ${res.stderr.slice(0, 2000)}`];
  totals.oracleSeconds += (Date.now() - t) / 1000;
  const results = JSON.parse(res.stdout);
  cases.forEach((c, i) => {
    const o = results[i];
    totals.checks++;
    const n = c.oracle.y.length;
    if (!c.cli && c.labelled !== n) out.push(`${c.what}: labelled ${c.labelled} where ${n}`);
    if (n === 0) { if (c.got !== null) out.push(`${c.what}: realized of no labelled event`); return; }
    if (!c.got) { out.push(`${c.what}: realized null of ${n} labelled events`); return; }
    for (const [k, want] of Object.entries(o.metrics).filter(([k]) => !c.only || c.only.includes(k))) {
      const g = c.got.metrics[k];
      totals.values++;
      if (!g) { out.push(`${c.what}: no ${k}`); continue; }
      if (!close(g.value, want, 1e-9)) out.push(`${c.what}: ${k} ${g.value} where sklearn ${want} (n ${n})`);
      const w = o.ci[k];
      if (w === undefined) continue;
      // Wilson intervals are given with ci=false too; bootstrap ones only with ci
      if (w.method === 'wilson' || (c.ci && c.oracle.boot)) {
        totals.intervals++;
        if (w.method === 'bootstrap') totals.bootstrap++;
        if (!(w.ci === null ? g.ci === null : g.ci && close(g.ci[0], w.ci[0], 1e-9) && close(g.ci[1], w.ci[1], 1e-9))) out.push(`${c.what}: ${k} ci ${JSON.stringify(g.ci)} where ${w.method} ${JSON.stringify(w.ci)} (value ${g.value})`);
      } else if (!c.ci && g.ci !== null) out.push(`${c.what}: ${k} has a ci with ci=false`);
    }
  });
  return out;
}

const totals = { seeds: 0, requests: 0, checks: 0, values: 0, intervals: 0, bootstrap: 0, cli: 0, oracleSeconds: 0 };
const t0 = Date.now();
const all = await eachSeed(first, count, totals, runSeed);
console.log(JSON.stringify({ ...totals, differences: all.length, seconds: (Date.now() - t0) / 1000 }));
for (const x of process.env.MP_VERBOSE ? all : all.slice(0, 40)) console.log(x.slice(0, 700));
process.exitCode = all.length > 0 ? 1 : 0;
