/**
 * Issue 3, CBPE and realized metrics of a binary model whose events send `scores` ([P(c0), P(c1)] in the declared class
 * order, as sklearn's predict_proba and the gateway's upstreams give them) instead of `score`. Until 2026-12 such events
 * counted as unscored: no CBPE estimate, rocAuc and logLoss null, no score distribution, and a reference file of
 * per-class score columns had no calibration. Each case declares two models that differ only in how they are sent the
 * same probabilities (a `score` column and `score` fields, or per-class columns and `scores` fields) through a real
 * server; their answers must be the same, and rocAuc / logLoss those of scikit-learn (/usr/bin/python3) on the rows.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { mulberry32 } from './helpers/quality-scenario.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const H = 3_600_000;
type Json = Record<string, unknown>;

interface Case { name: string; classes: [string, string]; positive: string; named: boolean; columns?: [string, string] }
const CASES: Case[] = [
  // the declared order puts the positive class first: an index taken as "the second entry" fails here
  { name: 'yn', classes: ['yes', 'no'], positive: 'yes', named: false },
  // the upload names the positive class, the smaller one (the declared default would be "b")
  { name: 'ab', classes: ['a', 'b'], positive: 'a', named: true, columns: ['prob_a', 'prob_b'] },
  { name: 'zo', classes: ['0', '1'], positive: '1', named: false },
];

interface Row { x: number; p: number; label: string; prediction: string }

function rows(seed: number, n: number, c: Case): Row[] {
  const r = mulberry32(seed);
  const neg = c.classes.find((k) => k !== c.positive) as string;
  return Array.from({ length: n }, () => {
    const p = Math.round(r() * 1000) / 1000; // ties, and exact 0 and 1 now and then
    return { x: Math.round(r() * 100) / 10, p, label: r() < p * 0.8 + 0.1 ? c.positive : neg, prediction: p >= 0.5 ? c.positive : neg };
  });
}

/** [P(c0), P(c1)] in the declared class order. */
const probs = (c: Case, p: number): number[] => c.classes.map((k) => (k === c.positive ? p : 1 - p));

function referenceCsv(c: Case, data: readonly Row[], perClass: boolean): string {
  const cols = perClass ? c.columns ?? c.classes.map((k) => `score_${k}`) : ['score'];
  const lines = [['x', 'prediction', 'label', ...cols].join(',')];
  for (const d of data) lines.push([d.x, d.prediction, d.label, ...(perClass ? probs(c, d.p) : [d.p])].join(','));
  return lines.join('\n') + '\n';
}

/**
 * scikit-learn's rocAuc and logLoss of the rows, from one /usr/bin/python3 that answers every question of this file, a
 * JSON line each. CI time (2026-12-07): a python3 per question imported scikit-learn each time (~1 CPU-s, 11 questions,
 * over half of this file's CPU); the answers are the same functions of the same rows.
 */
let oracle: { ask: (q: string) => Promise<string>; end: () => void } | undefined;
function sklearnOracle(): NonNullable<typeof oracle> {
  if (oracle) return oracle;
  const py = `import json, sys
from sklearn.metrics import roc_auc_score, log_loss
for line in sys.stdin:
    d = json.loads(line)
    y = [1 if l == d['pos'] else 0 for l in d['labels']]
    print(json.dumps({'auc': roc_auc_score(y, d['scores']), 'logLoss': log_loss(y, d['scores'], labels=[0, 1])}), flush=True)`;
  const child = spawn('/usr/bin/python3', ['-c', py], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  let exited: Error | undefined;
  child.stdin.on('error', () => undefined); // a python3 that has exited: its 'close' says why
  child.on('close', (code) => {
    exited = new Error(`python3 (scikit-learn) exited ${code}: ${stderr}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  oracle = {
    ask: (q) => new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      waiting.push({ resolve, reject });
      child.stdin.write(`${q}\n`);
    }),
    end: () => child.stdin.end(),
  };
  return oracle;
}
after(() => oracle?.end());

async function sklearn(labels: readonly string[], scores: readonly number[], positive: string): Promise<{ auc: number; logLoss: number }> {
  return JSON.parse(await sklearnOracle().ask(JSON.stringify({ labels, scores, pos: positive }))) as { auc: number; logLoss: number };
}

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemas = testSchemas('lookout_binscores', pgUrl);
const BACKENDS = [
  { name: 'DuckDB', skip: false as const, storage: (): string | undefined => undefined },
  { name: 'PostgreSQL', skip: pgUrl ? false as const : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL run is skipped', storage: (): string => schemas.url('s') },
];

for (const backend of BACKENDS) describe(`issue 3 (${backend.name}): a binary model's events sending scores instead of score`, { timeout: 120_000, skip: backend.skip }, () => {
  const world = { now: NOW };
  let s: Server;
  before(async () => {
    const storage = backend.storage();
    s = await testServer({ clock: () => world.now, configure: (c) => { if (storage !== undefined) c.storage = storage; } });
  });
  after(async () => {
    await s.close();
  });

  const declare = async (c: Case, model: string, perClass: boolean, ref: readonly Row[]): Promise<void> => {
    const d = await call(s.url, 'POST', '/v1/models', { name: model, outputKind: 'binary', classes: c.classes, inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    assert.equal(d.status, 201, JSON.stringify(d.body));
    assert.equal((await call(s.url, 'POST', `/v1/models/${model}/versions`, { version: '1' })).status, 201);
    const q = [...(c.named ? [`positiveClass=${c.positive}`] : []), ...(perClass && c.columns ? [`scores=${c.columns.join(',')}`] : [])].join('&');
    const up = await call(s.url, 'PUT', `/v1/models/${model}/versions/1/reference${q ? `?${q}` : ''}`, referenceCsv(c, ref, perClass), { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
  };

  for (const c of CASES) {
    test(`classes ${c.classes.join('/')}, positive ${c.positive}${c.named ? ' (named by the upload)' : ''}: the same answers as with score, and sklearn's rocAuc and logLoss`, async () => {
      const ref = rows(11, 300, c);
      const live = rows(12, 400, c);
      const models = { score: `bs-${c.name}-score`, scores: `bs-${c.name}-scores` };
      await declare(c, models.score, false, ref);
      await declare(c, models.scores, true, ref);
      const from = NOW - 2 * H;
      for (const [how, model] of Object.entries(models)) {
        const events = live.map((d, i) => ({
          id: `${model}-${i}`, model, version: '1', timestamp: from + i * 9_000, features: { x: d.x }, prediction: d.prediction,
          ...(how === 'score' ? { score: d.p } : { scores: probs(c, d.p) }),
        }));
        const r = await call(s.url, 'POST', '/v1/events', { events });
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
        assert.equal(r.body['accepted'], live.length, JSON.stringify(r.body).slice(0, 500));
        const labels = live.flatMap((d, i) => (i % 3 === 2 ? [] : [{ id: `${model}-${i}`, label: d.label }]));
        assert.equal((await call(s.url, 'POST', '/v1/labels', { labels })).status, 200);
      }
      const range = `from=${from}&to=${NOW}`;
      const get = async (model: string, path: string): Promise<Json> => {
        const r = await call(s.url, 'GET', `/v1/models/${model}${path}`);
        assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
        return r.body;
      };

      // The reference: the same calibration, positive class and metrics from per-class columns as from a score column.
      const refOf = async (model: string): Promise<Json> => ((await get(model, '')).versions as Array<{ reference: Json }>)[0]?.reference as Json;
      const [r1, r2] = [await refOf(models.score), await refOf(models.scores)];
      const refMetrics = r2['metrics'] as { positiveLabel: string; metrics: Record<string, { value: number | null }> };
      assert.equal(refMetrics.positiveLabel, c.positive);
      assert.equal(typeof refMetrics.metrics['rocAuc']?.value, 'number', 'the reference\'s rocAuc, from the positive class\'s column');
      assert.deepEqual(r2['metrics'], r1['metrics']);

      const p1 = await get(models.score, `/performance?${range}`);
      const p2 = await get(models.scores, `/performance?${range}`);
      assert.ok(p2['estimated'], `CBPE estimate: ${JSON.stringify(p2['estimatedNote'])}`);
      assert.deepEqual(p2['estimated'], p1['estimated']);
      assert.deepEqual(p2['realized'], p1['realized']);
      const metrics = (p2['realized'] as { metrics: Record<string, { value: number | null }> }).metrics;
      const labelled = live.filter((_, i) => i % 3 !== 2);
      const want = await sklearn(labelled.map((d) => d.label), labelled.map((d) => d.p), c.positive);
      assert.ok(Math.abs((metrics['rocAuc']?.value ?? NaN) - want.auc) < 1e-12, `rocAuc ${metrics['rocAuc']?.value} against sklearn ${want.auc}`);
      assert.ok(Math.abs((metrics['logLoss']?.value ?? NaN) - want.logLoss) < 1e-9, `logLoss ${metrics['logLoss']?.value} against sklearn ${want.logLoss}`);

      // The estimate's time series. (Feature drift differs between the two models: their sketches are seeded by name.)
      const strip = (b: Json): string => JSON.stringify(b).replaceAll(models.scores, models.score);
      const series = `/timeseries?metric=estimatedAccuracy&granularity=hour&${range}`;
      assert.equal(strip(await get(models.scores, series)), strip(await get(models.score, series)));
    });
  }

  test('a reference naming scores and score, or scores of another number of columns, is refused with the reason', async () => {
    const c = CASES[1] as Case;
    const ref = rows(3, 20, c);
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'bs-refuse', outputKind: 'binary', classes: c.classes, inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/bs-refuse/versions', { version: '1' })).status, 201);
    const csv = referenceCsv(c, ref, true);
    const both = await call(s.url, 'PUT', '/v1/models/bs-refuse/versions/1/reference?scores=prob_a,prob_b&score=prob_a', csv, { 'content-type': 'text/csv' });
    assert.equal(both.status, 422, JSON.stringify(both.body));
    assert.match(String((both.body['error'] as Json)['message']), /score .*or scores .*not both/);
    const one = await call(s.url, 'PUT', '/v1/models/bs-refuse/versions/1/reference?scores=prob_a', csv, { 'content-type': 'text/csv' });
    assert.equal(one.status, 422, JSON.stringify(one.body));
    assert.match(String((one.body['error'] as Json)['message']), /scores must name 2 columns/);
  });
});

describe('issue 3: lookout metrics of a binary task with --scores (two per-class columns)', () => {
  test('the positive class\'s column is the score: rocAuc and logLoss equal sklearn\'s, as with --score; bad --scores are refused', async () => {
    const c = CASES[0] as Case;
    const data = rows(21, 200, c);
    const dir = tempDir('lookout-binary-scores-');
    const path = join(dir, 'data.csv');
    writeCsv(path, { y: data.map((d) => d.label), pred: data.map((d) => d.prediction), p: data.map((d) => d.p), p_no: data.map((d) => 1 - d.p), p_yes: data.map((d) => d.p) });
    const json = (args: string[]): { positiveLabel: string; metrics: Record<string, { value: number | null }> } => {
      const r = lookout(['metrics', '--data', path, '--task', 'binary', '--label', 'y', '--prediction', 'pred', '--json', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { positiveLabel: string; metrics: Record<string, { value: number | null }> };
    };
    const byScores = json(['--scores', 'no=p_no,yes=p_yes']);
    const byScore = json(['--score', 'p']);
    const want = await sklearn(data.map((d) => d.label), data.map((d) => d.p), 'yes');
    assert.equal(byScores.positiveLabel, 'yes');
    assert.ok(Math.abs((byScores.metrics['rocAuc']?.value ?? NaN) - want.auc) < 1e-12, JSON.stringify(byScores.metrics['rocAuc']));
    assert.ok(Math.abs((byScores.metrics['logLoss']?.value ?? NaN) - want.logLoss) < 1e-9, JSON.stringify(byScores.metrics['logLoss']));
    assert.deepEqual(byScores.metrics, byScore.metrics);
    // the other class positive: its column is the score
    const neg = json(['--scores', 'no=p_no,yes=p_yes', '--positive-label', 'no']);
    const wantNo = await sklearn(data.map((d) => d.label), data.map((d) => 1 - d.p), 'no');
    assert.equal(neg.positiveLabel, 'no');
    assert.ok(Math.abs((neg.metrics['rocAuc']?.value ?? NaN) - wantNo.auc) < 1e-12, JSON.stringify(neg.metrics['rocAuc']));
    // classes written True/False by pandas are read false/true: --positive-label True names the class true, as without --scores
    const bools = join(dir, 'bools.csv');
    writeCsv(bools, { y: data.map((d) => (d.label === 'yes' ? 'True' : 'False')), pred: data.map((d) => (d.prediction === 'yes' ? 'True' : 'False')), p_f: data.map((d) => 1 - d.p), p_t: data.map((d) => d.p) });
    const b = lookout(['metrics', '--data', bools, '--task', 'binary', '--label', 'y', '--prediction', 'pred', '--json', '--scores', 'false=p_f,true=p_t', '--positive-label', 'True']);
    assert.equal(b.code, 0, b.stderr);
    const bj = JSON.parse(b.stdout) as { positiveLabel: string; metrics: Record<string, { value: number | null }> };
    assert.equal(bj.positiveLabel, 'true');
    assert.ok(Math.abs((bj.metrics['rocAuc']?.value ?? NaN) - want.auc) < 1e-12, JSON.stringify(bj.metrics['rocAuc']));
    for (const [args, message] of [
      [['--scores', 'no=p_no'], /binary --scores needs 2 columns/],
      [['--scores', 'no=p_no,yes=p_yes', '--score', 'p'], /not both/],
      [['--scores', 'no=p_no,yes=p_yes', '--positive-label', 'maybe'], /the positive class "maybe" needs one of them/],
    ] as const) {
      const r = lookout(['metrics', '--data', path, '--task', 'binary', '--label', 'y', '--prediction', 'pred', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});

describe('issue 3: the head-to-head comparison of versions whose upstreams answer scores', { timeout: 60_000 }, () => {
  test('rows scored by an upstream answering [P(fraud), P(legit)] are compared on P(fraud), as one answering score', async () => {
    const s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    const r = mulberry32(5);
    const features = Array.from({ length: 120 }, () => ({ x: Math.round(r() * 1000) / 1000 }));
    const labels = features.map((f) => (r() < f.x ? 'fraud' : 'legit'));
    // P(fraud) of the row: the same for both versions, one sending score, the other scores in the declared order
    const p = (f: Record<string, unknown>): number => Number(f['x']);
    const byScore = await startModelServer({ answer: (f) => ({ prediction: p(f) >= 0.5 ? 'fraud' : 'legit', score: p(f) }) });
    const byScores = await startModelServer({ answer: (f) => ({ prediction: p(f) >= 0.5 ? 'fraud' : 'legit', scores: [p(f), 1 - p(f)] }) });
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'fraud', outputKind: 'binary', classes: ['fraud', 'legit'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
      for (const [v, up] of [['1.0.0', byScore], ['2.0.0', byScores]] as const) assert.equal((await call(s.url, 'PUT', `/v1/models/fraud/versions/${v}`, { upstream: up.url })).status, 201);
      const ref = await call(s.url, 'PUT', '/v1/models/fraud/versions/1.0.0/reference?positiveClass=fraud', 'x,label,score\n0.9,fraud,0.9\n0.2,legit,0.2\n0.7,fraud,0.7\n0.1,legit,0.1\n', { 'content-type': 'text/csv' });
      assert.equal(ref.status, 200, JSON.stringify(ref.body));
      const c = await call(s.url, 'POST', '/v1/models/fraud/compare', { current: '1.0.0', candidate: '2.0.0', testSet: { rows: features.map((f, i) => ({ features: f, label: labels[i] })) }, resamples: 50 });
      assert.equal(c.status, 200, JSON.stringify(c.body));
      const comparison = c.body['comparison'] as { positiveLabel: string; metrics: Array<{ metric: string; a: number | null; b: number | null }> };
      assert.equal(comparison.positiveLabel, 'fraud');
      const want = await sklearn(labels, features.map((f) => f.x), 'fraud');
      for (const [metric, value] of [['rocAuc', want.auc], ['logLoss', want.logLoss]] as const) {
        const m = comparison.metrics.find((x) => x.metric === metric);
        assert.ok(m && m.a !== null && m.b !== null, `${metric}: ${JSON.stringify(m)}`);
        assert.ok(Math.abs(m.a - value) < 1e-9 && Math.abs(m.b - value) < 1e-9, `${metric}: ${JSON.stringify(m)} against sklearn ${value}`);
      }
    } finally {
      await s.close();
      await byScore.close();
      await byScores.close();
    }
  });
});

describe('issue 3: the gateway recording an upstream that answers a binary model\'s scores', { timeout: 60_000 }, () => {
  test('its events are scored: /performance has sklearn\'s rocAuc and a CBPE estimate', async () => {
    const world = { now: NOW };
    const s = await testServer({ clock: () => world.now });
    const up = await startModelServer({ answer: (f) => ({ prediction: Number(f['x']) >= 0.5 ? 'yes' : 'no', scores: [1 - Number(f['x']), Number(f['x'])] }) });
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'gw', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
      assert.equal((await call(s.url, 'PUT', '/v1/models/gw/versions/1.0.0', { upstream: up.url })).status, 201);
      assert.equal((await call(s.url, 'PUT', '/v1/models/gw/aliases/production', { version: '1.0.0', reason: 'first' })).status, 200);
      const ref = rows(31, 200, CASES[0] as Case).map((d) => `${d.p},${d.label},${d.p}`).join('\n');
      assert.equal((await call(s.url, 'PUT', '/v1/models/gw/versions/1.0.0/reference', `x,label,score\n${ref}\n`, { 'content-type': 'text/csv' })).status, 200);
      const r = mulberry32(32);
      const xs = Array.from({ length: 90 }, () => Math.round(r() * 1000) / 1000);
      const labels = xs.map((x) => (r() < x ? 'yes' : 'no'));
      const ids: string[] = [];
      world.now = NOW - H;
      for (const x of xs) {
        const a = await call(s.url, 'POST', '/v1/models/gw/predict', { features: { x } });
        assert.equal(a.status, 200, JSON.stringify(a.body));
        assert.deepEqual(a.body['scores'], [1 - x, x]);
        ids.push(String(a.body['id']));
      }
      world.now = NOW;
      const performance = async (): Promise<Json> => (await call(s.url, 'GET', `/v1/models/gw/performance?from=${NOW - 2 * H}&to=${NOW}`)).body;
      // the recorder commits its events within 200 ms of their answers
      for (let i = 0; i < 50 && (await performance())['events'] !== xs.length; i++) await new Promise((res) => setTimeout(res, 100));
      const l = await call(s.url, 'POST', '/v1/labels', { labels: ids.map((id, i) => ({ id, label: labels[i] })) });
      assert.equal(l.status, 200, JSON.stringify(l.body));
      const p = await performance();
      assert.equal(p['labelled'], xs.length, JSON.stringify(p).slice(0, 500));
      const auc = (p['realized'] as { metrics: Record<string, { value: number | null }> }).metrics['rocAuc']?.value;
      const want = await sklearn(labels, xs, 'yes');
      assert.ok(auc !== undefined && auc !== null && Math.abs(auc - want.auc) < 1e-12, `rocAuc ${auc} against sklearn ${want.auc}`);
      assert.ok(p['estimated'], `estimated: ${JSON.stringify(p['estimatedNote'])}`);
    } finally {
      await s.close();
      await up.close();
    }
  });
});
