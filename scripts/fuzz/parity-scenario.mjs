// The seeded traffic and the questions of scripts/fuzz/server-parity.mjs. `both(method, path, body?, type?)` sends one
// request to both servers, compares the answers and returns the DuckDB server's; `restart()` stops both and starts
// them again on their stores. Times are relative to an hour boundary at least two hours past, so every range asked
// about is closed (and the minute windows' retention, 2 days back from now, is not crossed by a range by a few ms).
const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;

export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}

const CATS = ['a', 'b', 'c', 'Zürich', '日本', 'ﬁ', 'e\u0301', '🙂', 'NaN', 'nan', '', ' ', 'N/A', 'none', 'x,y', 'quote"d', 'long-' + 'z'.repeat(300)];
const REGIONS = ['eu', 'us', 'EU', 'ünï', '日本', 'a b', 'a-b', 'ab', 'Ab', '\ud800x', '😀', '10', '9'];
const TIERS = ['gold', 'silver', 7, true];

function numberEdge(r) {
  return r.pick([0, -0, 1, -1, 0.1, 1e-300, -1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308, 2 ** 53 + 2, 123456789.123456789, 1 / 3, null]);
}

function features(r, v2) {
  const f = {};
  f.x = r.chance(0.15) ? numberEdge(r) : r.next() * 10 + (v2 ? 3 : 0);
  f.y = r.int(20) - (r.chance(0.1) ? 1000 : 0);
  if (r.chance(0.92)) f.cat = r.chance(0.3) ? r.pick(CATS) : r.pick(['a', 'b', 'c']);
  f.flag = r.chance(0.5);
  if (r.chance(0.05)) f.flag = null;
  f.u = r.pick(['α', 'β', 'γ', '\u202eRTL', 'tab\tx', 'new\nline', '\\back', 'nul\u0000in', 'lone\udc00', '\u2028']);
  if (r.chance(0.1)) f.zz = { b: 1, a: [2, { d: 1e21, c: -0 }], '': 'empty key', '10': 1, '9': 2 }; // not in the schema: kept as sent
  if (r.chance(0.05)) delete f.u;
  return f;
}

function stamp(r, anchor) {
  const k = r.int(10);
  if (k === 0) return anchor - r.int(30) * H + r.pick([-1, 0, 1, 59_999, 60_000, -60_000]); // hour and minute edges
  if (k === 1) return Math.floor((anchor - D) / D) * D + r.pick([-1, 0, 1, 999]); // a UTC midnight
  if (k === 2) return anchor - (3 + r.int(6)) * D - r.int(D); // before the minute windows' retention
  if (k === 3) return new Date(anchor - r.int(20 * H)).toISOString().replace('Z', '+05:30').replace(/T(\d\d)/, (_, h) => `T${String((Number(h) + 5) % 24).padStart(2, '0')}`); // an offset (wrong across midnight: then invalid or another day, alike on both)
  if (k === 4) return new Date(anchor - r.int(20 * H)).toISOString().replace(/\.(\d{3})Z$/, '.$1999Z'); // microseconds
  if (k === 5 && r.chance(0.3)) return r.pick([0, 1, 999_999_999, new Date(Math.floor((anchor - D) / D) * D - 1000).toISOString().replace(':59Z', ':60Z').replace(/\.\d+/, '')]); // 1970, a leap second
  if (k === 6 && r.chance(0.3)) return new Date(anchor - r.int(20 * H)).toISOString().replace('T', 't').replace('Z', 'z'); // RFC 3339 allows lower case
  return anchor - r.int(26 * H);
}

export const SCHEMA = { type: 'object', properties: { x: { type: ['number', 'null'] }, y: { type: 'integer' }, cat: { type: ['string', 'null'] }, flag: { type: ['boolean', 'null'] }, u: { type: 'string' } }, required: ['y'] };

function csvCell(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function referenceCsv(r, model, rows) {
  const cols = ['x', 'y', 'cat', 'flag', 'u', 'prediction', 'score', 'label', 'score_a', 'score_b', 'score_c'];
  const lines = [cols.join(',')];
  for (let i = 0; i < rows; i++) {
    const f = features(r, false);
    const o = outputs(r, model, f);
    lines.push([f.x, f.y, f.cat, f.flag, f.u, o.prediction, o.score, o.label, ...(o.scores ?? [null, null, null])].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

function outputs(r, model, f) {
  const x = typeof f.x === 'number' && Number.isFinite(f.x) && Math.abs(f.x) < 1e6 ? f.x : 5;
  if (model === 'mc') {
    const raw = [r.next() + x / 10, r.next(), r.next() * 0.5 + 0.1];
    const sum = raw.reduce((a, b) => a + b, 0);
    const scores = raw.map((v) => Math.round((v / sum) * 1e4) / 1e4);
    const prediction = ['a', 'b', 'c'][scores.indexOf(Math.max(...scores))];
    return { prediction, scores, label: r.chance(0.7) ? prediction : r.pick(['a', 'b', 'c']) };
  }
  if (model === 'free') { // a binary model without declared classes: its classes are the labels' and predictions' texts
    const score = Math.round(Math.min(1, Math.max(0, x / 10 + (r.next() - 0.5) * 0.4)) * 1e4) / 1e4;
    const prediction = score >= 0.5 ? 'oui' : 'Oui';
    return { prediction, score, label: r.chance(0.75) ? prediction : prediction === 'oui' ? 'Oui' : 'oui' };
  }
  if (model === 'reg') {
    const p = Math.round((x * 2 + r.next()) * 1000) / 1000;
    return { prediction: p, label: Math.round((p + r.next() - 0.5) * 1000) / 1000 };
  }
  const score = Math.round(Math.min(1, Math.max(0, x / 10 + (r.next() - 0.5) * 0.4)) * 1e4) / 1e4;
  const prediction = score >= 0.5 ? 'yes' : 'no';
  const label = r.chance(0.8) ? prediction : prediction === 'yes' ? 'no' : 'yes';
  return { prediction, score, label };
}

function event(r, model, version, anchor, id) {
  const f = features(r, version !== '1.0.0');
  const o = outputs(r, model, f);
  const e = { id, model, version, timestamp: stamp(r, anchor), features: f, prediction: o.prediction, latencyMs: Math.round(r.next() * 500 * 1000) / 1000 };
  if (o.score !== undefined && r.chance(0.9)) e.score = o.score;
  if (o.scores !== undefined && r.chance(0.9)) e.scores = o.scores;
  if (r.chance(0.5)) e.costUsd = r.pick([0, 0.001, 1e-9, 0.1 + 0.2]);
  if (r.chance(0.05)) { e.error = 'timeout'; delete e.prediction; delete e.score; delete e.scores; }
  if (r.chance(0.05)) e.error = r.pick([false, null, '', true, 'fallback ✓']);
  if (r.chance(0.7)) e.segment = model === 'cls' ? { region: r.pick(REGIONS), tier: r.pick(TIERS) } : { region: r.pick(REGIONS), zone: r.pick(['z1', 'Z1', 'z 2']) };
  if (model === 'reg' && r.chance(0.5)) e.features.w = r.next() * 100;
  return { e, label: o.label };
}

/** A row each store must reject the same way (with or without an id). */
function badRow(r, model, anchor, id) {
  const { e } = event(r, model, '1.0.0', anchor, id);
  const k = r.int(9);
  if (k === 0) e.version = '9.9.9';
  else if (k === 1) { e.score = 1.5; e.scores = [0.5, 0.7]; }
  else if (k === 2) e.latencyMs = -1;
  else if (k === 3) e.features = { ...e.features, x: 'NaN' };
  else if (k === 4) e.timestamp = '2026-01-31';
  else if (k === 5) e.prediction = model === 'reg' ? 'Infinity' : null;
  else if (k === 6) e.segment = { region: 'r'.repeat(201) };
  else if (k === 7) e.timestamp = Math.floor(anchor / 1000);
  else e.model = 'nope';
  return e;
}

/** `quick`: fewer questions (at the end only; two ranges of the five, one `before` page), for the smoke run of test/audit16-parity. */
export async function scenario(seed, both, restart, quick = false) {
  const r = rng(seed);
  const anchor = Math.floor((Date.now() - 2 * H) / H) * H;
  const models = ['cls', 'reg', 'mc', 'free', 'cfg'];
  const ids = { cls: [], reg: [], mc: [], free: [], cfg: [] };
  const labels = new Map();
  let n = 0;

  await both('POST', '/v1/models', { name: 'cls', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region', 'tier'], inputSchema: SCHEMA, description: r.pick(['churn ünïcode', 'lone \udbff surrogate', 'line\u2028sep']) });
  await both('POST', '/v1/models', { name: 'reg', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { ...SCHEMA, properties: { ...SCHEMA.properties, cat: { type: ['string', 'null'], 'x-lookout-kind': 'categorical' } } } });
  await both('POST', '/v1/models', { name: 'free', outputKind: 'binary', segmentKeys: ['region'], inputSchema: SCHEMA });
  await both('POST', '/v1/models', { name: 'mc', outputKind: 'multiclass', classes: ['a', 'b', 'c'], segmentKeys: ['region'], inputSchema: SCHEMA });
  for (const m of models.filter((x) => x !== 'cfg')) { // cfg: declared with its reference by the config file
    await both('POST', `/v1/models/${m}/versions`, { version: '1.0.0', metadata: { seed, z: 1, a: 'lone \ud800', nul: 'a\u0000b', nested: { y: [1e21, -0, 0.1], b: null } } });
    const rows = r.pick([50, 300, 1200]);
    if (m === 'free' && seed % 2 === 1) continue; // no reference: its positive class is the larger of the labels' and predictions'
    await both('PUT', `/v1/models/${m}/versions/1.0.0/reference?label=label`, referenceCsv(rng(seed * 7 + m.length), m, rows), 'text/csv');
  }

  // events before labels; labels before their events (unknown_prediction); rejected rows
  await both('POST', '/v1/labels', { labels: [{ id: `s${seed}-cls-early`, label: 'yes' }] });
  const send = async (versions, count) => {
    for (let b = 0; b < 3; b++) {
      const events = [];
      for (let i = 0; i < count; i++) {
        const m = r.pick(models);
        const version = r.pick(versions[m]);
        const id = `s${seed}-${m}-${n++}`;
        const { e, label } = event(r, m, version, anchor, id);
        events.push(e);
        if (e.prediction !== undefined) { ids[m].push(id); labels.set(id, label); }
      }
      for (let i = 0; i < 4; i++) events.splice(r.int(events.length), 0, badRow(r, r.pick(models), anchor, r.chance(0.5) ? `s${seed}-bad-${n++}` : undefined));
      await both('POST', '/v1/events', { events });
      if (r.chance(0.3)) await both('POST', '/v1/events', { events: events.slice(0, 5) }); // a retried part: duplicate_id
    }
  };
  await send({ cls: ['1.0.0'], reg: ['1.0.0'], mc: ['1.0.0'], free: ['1.0.0'], cfg: ['1.0.0'] }, 60 + r.int(60));
  const dup = `s${seed}-dup`;
  const one = (id, m, extra = {}) => ({ id, model: m, version: '1.0.0', timestamp: anchor - 4 * H + r.int(H), features: { y: 2, cat: 'a' }, prediction: m === 'reg' ? 1.5 : m === 'mc' ? 'b' : 'yes', ...extra });
  await both('POST', '/v1/events', { events: [one(dup, 'cls'), one(dup, 'cls'), one(dup, 'reg'), one(`${dup}-r`, 'cls', { score: 2 }), one(`${dup}-r2`, 'mc', { scores: [1] })] });
  await both('POST', '/v1/events', { events: [one(`${dup}-r`, 'cls'), one(`${dup}-r2`, 'mc'), one(dup, 'mc')] });
  await both('POST', '/v1/labels', { labels: [{ id: dup, label: 'yes', model: 'reg' }, { id: dup, label: 'no' }, { id: `${dup}-r`, label: 'no' }, { id: `${dup}-r2`, label: 'c', model: 'mc' }, { id: '', label: 'no' }, { id: 'x'.repeat(129), label: 'no' }] });
  const tie = anchor - 2 * H - 1;
  const tieIds = ['A', 'a', 'a-b', 'ab', 'a_b', 'B', 'é', 'e', '~', '0', '10', '9', 'a b'].map((x) => `s${seed}-tie-${x}`);
  await both('POST', '/v1/events', { events: tieIds.map((id) => ({ id, model: 'cls', version: '1.0.0', timestamp: tie, features: { y: 1, cat: r.pick(CATS) }, prediction: r.pick(['no', 'yes']), score: 0.5, segment: { region: r.pick(REGIONS), tier: r.pick(TIERS) } })) });
  await both('POST', '/v1/labels', { labels: tieIds.map((id) => ({ id, label: r.pick(['no', 'yes']) })) });
  await both('POST', '/v1/events', { events: [{ id: `s${seed}-cls-early`, model: 'cls', version: '1.0.0', timestamp: anchor - 3 * H, features: { y: 1 }, prediction: 'no', score: 0.2 }] });
  const labelBatch = (m, share) => {
    const out = [];
    for (const id of ids[m]) if (r.chance(share)) out.push({ id, label: labels.get(id), ...(r.chance(0.3) && { model: m }) });
    return out;
  };
  await both('POST', '/v1/labels', { labels: [...labelBatch('cls', 0.6), { id: `s${seed}-cls-early`, label: 'yes' }, { id: 'missing', label: 'no' }] });
  const regLabels = labelBatch('reg', 0.6).map((l) => (r.chance(0.2) ? { ...l, label: String(l.label) } : l));
  if (regLabels.length > 1) regLabels.push({ ...regLabels[0], label: 12345 }, { ...regLabels[1] }); // duplicate_in_batch, and the same label again
  await both('POST', '/v1/labels', { labels: regLabels });
  await both('POST', '/v1/labels', { labels: labelBatch('mc', 0.7) });
  await both('POST', '/v1/labels', { labels: labelBatch('free', 0.7) });
  await both('POST', '/v1/labels', { labels: labelBatch('cfg', 0.5) });

  // registry: versions, aliases, a promotion by test set, a rollback
  await both('PUT', '/v1/models/cls/versions/1.1.0', { lineage: { gitCommit: 'abc', metrics: { auc: 0.9 } }, tags: ['gbm', ' prod ', 'gbm'], notes: r.pick(['first ✓', 'lone \ud83d', 'tab\there']) });
  await both('PUT', '/v1/models/cls/aliases/production', { version: '1.0.0', reason: 'initial', by: 'fuzz' });
  await both('PUT', '/v1/models/cls/aliases/production', { version: '1.1.0', reason: r.pick(['upgrade', 'lone \udfff reason']), by: r.pick(['fuzz', 'ünï \ud800']) });
  await both('POST', '/v1/models/cls/versions', { version: '2.0.0-rc.1', reference: { from: anchor - 26 * H, to: anchor, version: '1.0.0' } });
  await both('POST', '/v1/models/reg/versions', { version: '1.1.0', reference: { from: anchor - 26 * H, to: anchor, version: '1.0.0' } });
  if (!quick) await questions(seed, both, anchor, r, quick);

  await restart();
  // after the restart: reg redeclared (a segment key dropped, one and a feature added), mc's reference replaced by a
  // JSON-lines upload (windows summarised before it keep no counts on its bins: their shares come from the sketches)
  await both('POST', '/v1/models', { name: 'reg', outputKind: 'regression', segmentKeys: ['zone'], inputSchema: { ...SCHEMA, properties: { ...SCHEMA.properties, w: { type: 'number' }, cat: { type: ['string', 'null'], 'x-lookout-kind': 'categorical' } } } });
  const jr = rng(seed * 11);
  const jsonl = Array.from({ length: r.pick([80, 400]) }, () => { const f = features(jr, true); const o = outputs(jr, 'mc', f); if (!f.u?.isWellFormed()) f.u = 'lone'; /* DuckDB's read_json refuses a lone surrogate's escape (both alike) */ return JSON.stringify({ ...f, prediction: o.prediction, label: o.label, score_a: o.scores[0], score_b: o.scores[1], score_c: o.scores[2] }); }).join('\n');
  await both('PUT', '/v1/models/mc/versions/1.0.0/reference?label=label', jsonl, 'application/x-ndjson');
  await send({ cls: ['1.0.0', '1.1.0', '2.0.0-rc.1'], reg: ['1.0.0', '1.1.0'], mc: ['1.0.0'], free: ['1.0.0'], cfg: ['1.0.0'] }, 40 + r.int(40));
  await send({ cls: ['2.0.0-rc.1'], reg: ['1.1.0'], mc: ['1.0.0'], free: ['1.0.0'], cfg: ['1.0.0'] }, 20);
  // label updates (a later request replaces the label) and labels of events sent after the restart
  await both('POST', '/v1/labels', { labels: labelBatch('cls', 0.3).map((l) => ({ ...l, label: l.label === 'yes' ? 'no' : 'yes' })) });
  await both('POST', '/v1/labels', { labels: labelBatch('reg', 0.3).map((l) => ({ ...l, label: Number(l.label) + 1 })) });
  const tl = Array.from({ length: 30 }, () => r.pick(['no', 'yes']));
  await both('POST', '/v1/models/cls/promote', { version: '2.0.0-rc.1', alias: 'production', reason: 'gate', testSet: { labels: tl, current: { predictions: tl.map((l) => (r.chance(0.7) ? l : 'no')) }, candidate: { predictions: tl.map((l) => (r.chance(0.8) ? l : 'yes')) } }, gate: { metric: 'accuracy', minImprovement: -0.5 }, seed });
  await both('POST', '/v1/models/cls/compare', { current: '1.0.0', candidate: '1.1.0', testSet: { labels: tl, current: { predictions: tl.map(() => r.pick(['no', 'yes'])) }, candidate: { predictions: tl } }, seed: seed + 1, resamples: 200 });
  await both('PUT', '/v1/models/cls/versions/1.1.0/artifact', `model bytes ${seed} ✓`, 'application/octet-stream');
  await both('POST', '/v1/models/cls/rollback', { alias: 'production', reason: 'bad canary', by: 'fuzz' });
  await both('PATCH', '/v1/models/cls/versions/1.1.0', { notes: null, tags: ['x'] });
  await questions(seed, both, anchor, r, quick);
  await monitors(both, anchor, r);
}

/**
 * Monitors declared once all traffic is in, then one round (POST /v1/monitors/run) on each: the windows evaluated are
 * those due at the servers' clocks, equal unless an hour boundary passes between the two rounds (then skipped).
 */
async function monitors(both, anchor, r) {
  const defs = [
    { id: 'drift-x', model: 'cls', metric: 'drift:x', method: r.pick(['psi', 'ks', 'wasserstein']), version: '1.0.0' },
    { id: 'err', model: 'cls', metric: 'errorRate', levels: [{ severity: 'warning', threshold: 0.01 }, { severity: 'page', threshold: 0.2 }] },
    { id: 'p95', model: 'reg', metric: 'latencyP95', version: '1.0.0', segment: 'region=eu', levels: [{ severity: 'ticket', threshold: 100 }] },
    { id: 'acc', model: 'cls', metric: 'accuracy', version: '1.0.0', levels: [{ severity: 'warning', threshold: 0.9 }], direction: 'below' },
    { id: 'mae', model: 'reg', metric: 'mae', version: '1.0.0', levels: [{ severity: 'warning', threshold: 0.3 }] },
    { id: 'miss', model: 'cls', metric: 'missingRate:cat', version: '1.0.0', levels: [{ severity: 'warning', threshold: 0.05 }] },
    { id: 'newcat', model: 'cls', metric: 'newCategoryRate:cat', version: '1.0.0', levels: [{ severity: 'warning', threshold: 0.01 }] },
    { id: 'rate', model: 'cls', metric: 'predictionRate', class: 'yes', version: '1.0.0', kind: 'ewma' },
    { id: 'Est-F1', model: 'cls', metric: 'estimatedF1', version: '1.0.0', direction: 'below', levels: [{ severity: 'warning', threshold: 0.95 }] },
    { id: 'mc-est', model: 'mc', metric: 'estimatedAccuracy', direction: 'below', levels: [{ severity: 'warning', threshold: 0.99 }] },
    { id: 'mc-f1', model: 'mc', metric: 'f1', class: 'b', direction: 'below', levels: [{ severity: 'warning', threshold: 0.99 }] },
    { id: 'Z-share', model: 'mc', metric: 'driftShare', levels: [{ severity: 'warning', threshold: 0.01 }] },
  ];
  for (const d of defs) {
    const body = { window: r.pick(['1h', '10m', '1d']), delay: '5m', kind: 'threshold', levels: [{ severity: 'warning', threshold: 0.1 }], minSamples: 3, ...d };
    if (body.kind !== 'threshold') delete body.levels;
    await both('POST', '/v1/monitors', body);
  }
  const hour = Math.floor(Date.now() / H);
  await both('POST', '/v1/monitors/run', {});
  if (Math.floor(Date.now() / H) !== hour) return;
  await both('GET', '/v1/monitors');
  for (const d of defs) {
    await both('GET', `/v1/monitors/${d.id}`);
    await both('GET', `/v1/monitors/${d.id}/evaluations?from=${anchor - 3 * D}&to=${anchor + 2 * H}`);
  }
  await both('GET', '/v1/alerts');
  await both('GET', '/v1/alerts?state=firing&model=cls');
  await both('GET', `/v1/monitors/stats?from=${anchor - 3 * D}&to=${anchor + H}`);
}

async function questions(seed, both, anchor, r, quick) {
  await both('GET', '/v1/models');
  const ranges = [
    [anchor - 6 * H, anchor + H],
    [anchor - 30 * H, anchor + H],
    [anchor - 10 * D, anchor + H],
    [anchor - 5 * H + 17 * MIN + 3000, anchor - H - 7 * MIN],
    [new Date(anchor - 20 * H).toISOString(), new Date(anchor).toISOString().replace('Z', '+00:00')],
  ];
  const long = ranges[2];
  if (quick) ranges.splice(1, 4, ranges[3]); // no 30-hour, 10-day or ISO range
  const q = (range) => `from=${encodeURIComponent(range[0])}&to=${encodeURIComponent(range[1])}`;
  for (const m of ['cls', 'reg', 'mc', 'free', 'cfg']) {
    await both('GET', `/v1/models/${m}`);
    await both('GET', `/v1/models/${m}/versions`);
    await both('GET', `/v1/models/${m}/versions?sort=created`);
    await both('GET', `/v1/models/${m}/aliases`);
    await both('GET', `/v1/models/${m}/deployments?from=0&to=${anchor + 400 * D}`);
    await both('GET', `/v1/models/${m}/versions/1.0.0`);
    const segs = ['', `&segment=${encodeURIComponent('region=eu')}`, `&segment=${encodeURIComponent(`region=${r.pick(REGIONS.filter((x) => x.isWellFormed()))}`)}`];
    if (m === 'reg') segs.push(`&segment=${encodeURIComponent('zone=z1')}`, `&segment=${encodeURIComponent('zone=z 2,region=us')}`);
    if (m === 'cls') segs.push(`&segment=${encodeURIComponent('region=us,tier=7')}`, `&segment=${encodeURIComponent('tier=true')}`);
    for (const range of ranges) {
      const seg = r.pick(segs);
      const version = r.pick(['', '&version=1.0.0', '&version=1.0.0', '&version=1.1.0']);
      const base = `${q(range)}${seg}${version}`;
      await both('GET', `/v1/models/${m}/drift?${base}`);
      await both('GET', `/v1/models/${m}/drift?${base}&method=${m === 'cls' && r.chance(0.5) ? 'psi' : 'hellinger'}`);
      await both('GET', `/v1/models/${m}/quality?${base}`);
      await both('GET', `/v1/models/${m}/health?${base}`);
      await both('GET', `/v1/models/${m}/performance?${base}`);
      await both('GET', `/v1/models/${m}/performance/buckets?${base}&step=${r.pick(['15m', '1h', '2d'])}`);
      await both('GET', `/v1/models/${m}/segments?${base}&details=true`);
      for (const f of ['x', 'cat', 'flag']) await both('GET', `/v1/models/${m}/features/${f}/distribution?${base}`);
      let page = await both('GET', `/v1/models/${m}/events?${base}&limit=${r.pick([1, 7, 50])}`);
      for (let i = 0; i < (quick ? 1 : 3) && page.body?.next; i++) page = await both('GET', `/v1/models/${m}/events?${base}&limit=25&before=${encodeURIComponent(page.body.next)}`);
      const metrics = ['events', 'throughput', 'errorRate', 'latencyP50', 'latencyP95', 'latencyP99', 'costPerInference', 'rejected', 'driftShare', 'predictionDrift', 'drift:x', 'drift:cat', 'missing:x', 'missing:u', 'estimatedAccuracy', 'estimatedF1'];
      for (const g of ['minute', 'hour', 'day']) {
        if (g === 'minute' && range === long) continue; // 14,000 minutes: refused alike (checked once below)
        await both('GET', `/v1/models/${m}/series?${base}&granularity=${g}&metrics=${metrics.join(',')}`);
        await both('GET', `/v1/models/${m}/timeseries?${base}&granularity=${g}&metric=${r.pick(metrics)}`);
      }
      await both('GET', `/v1/models/${m}/timeseries?${base}&metric=drift:x&method=psi`);
    }
  }
  await both('GET', `/v1/models/cls/timeseries?${q(long)}&granularity=minute&metric=events`);
  void seed;
}
