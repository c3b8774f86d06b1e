import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 14 (monitors' positive class): a binary model that declares no classes and has no reference positive class.
 * Monitors on labelled metrics evaluated each window with the positive class of that window's labels and predictions:
 * an hour holding only "no" took "no" as positive, so its precision, recall and F1 were the negative class's (1), not
 * the model's positive class "yes" (0, no positives: sklearn's zero_division), unlike /performance/buckets over the
 * same hours. Real server (in-process, real DuckDB store), monitors run through POST /v1/monitors/run at a fixed clock.
 */
const H = 3_600_000;
const X = { type: 'object', properties: { x: { type: 'number' } } };

interface Evaluation { at: number; value: number | null; samples: number; status: string; detail: Record<string, unknown> }

describe('audit 14 (monitors): labelled metrics of a binary model without declared classes keep one positive class', { timeout: 30_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12, 10);
  const h8 = Date.UTC(2026, 1, 2, 8);
  const h9 = Date.UTC(2026, 1, 2, 9);
  const h10 = Date.UTC(2026, 1, 2, 10);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: X });
    await post('/v1/models/churn/versions', { version: '1' });
    // 09:00-10:00 both classes; 08:00-09:00 and 10:00-11:00 only "no" (labels and predictions), as quiet hours of a
    // rare-event model: the first before "yes" was ever seen in a window, the other after
    const mixed = [['yes', 'yes', 0.9], ['no', 'no', 0.2], ['yes', 'no', 0.4], ['no', 'yes', 0.6], ['yes', 'yes', 0.8], ['no', 'no', 0.1]] as const;
    const events = [
      ...mixed.map(([, p, sc], i) => ({ id: `a${i}`, ts: h9 + (i + 1) * 60_000, prediction: p, score: sc })),
      ...[0.1, 0.2, 0.3, 0.15, 0.25].map((sc, i) => ({ id: `b${i}`, ts: h10 + (i + 1) * 60_000, prediction: 'no', score: sc })),
      ...[0.3, 0.2, 0.1, 0.05].map((sc, i) => ({ id: `c${i}`, ts: h8 + (i + 1) * 60_000, prediction: 'no', score: sc })),
    ];
    const r = await call(s.url, 'POST', '/v1/events', { events: events.map((e) => ({ id: e.id, model: 'churn', version: '1', timestamp: e.ts, features: { x: 1 }, prediction: e.prediction, score: e.score })) });
    assert.equal(r.body['accepted'], events.length, JSON.stringify(r.body));
    const labels = [...mixed.map(([l], i) => ({ id: `a${i}`, label: l })), ...[0, 1, 2, 3, 4].map((i) => ({ id: `b${i}`, label: 'no' })), ...[0, 1, 2, 3].map((i) => ({ id: `c${i}`, label: 'no' }))];
    const l = await call(s.url, 'POST', '/v1/labels', { labels });
    assert.equal(l.status, 200, JSON.stringify(l.body));
    for (const metric of ['recall', 'precision', 'f1']) {
      const m = await call(s.url, 'POST', '/v1/monitors', { id: metric, model: 'churn', metric, window: '1h', minSamples: 3, levels: [{ severity: 'page', threshold: 0.5 }] });
      assert.equal(m.status, 201, JSON.stringify(m.body));
    }
    await post('/v1/monitors/run', {});
  });
  after(() => s.close());

  test('each window is measured with the positive class "yes", as /performance/buckets measures the same hours', async () => {
    const b = await call(s.url, 'GET', `/v1/models/churn/performance/buckets?from=${h8}&to=${h10 + H}&step=1h&metrics=precision,recall,f1`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const buckets = b.body['buckets'] as Array<{ from: number; to: number; labelled: number; realized: { positiveLabel: string; metrics: Record<string, { value: number }> } }>;
    assert.deepEqual(buckets.map((x) => [x.labelled, x.realized.positiveLabel]), [[4, 'yes'], [6, 'yes'], [5, 'yes']]);
    for (const metric of ['recall', 'precision', 'f1']) {
      const evs = ((await call(s.url, 'GET', `/v1/monitors/${metric}/evaluations?from=${h8}&to=${now}`)).body['evaluations'] as Evaluation[]).filter((e) => e.samples > 0);
      assert.deepEqual(evs.map((e) => [e.at, e.samples]), [[h9, 4], [h10, 6], [h10 + H, 5]], metric);
      // before: the "no"-only hours read 1 (the negative class's recall, precision and F1), the buckets 0
      assert.deepEqual(evs.map((e) => e.value), buckets.map((x) => x.realized.metrics[metric]?.value), `${metric}: ${JSON.stringify(evs)}`);
      assert.deepEqual(evs.map((e) => e.detail['positiveClass']), ['yes', 'yes', 'yes'], metric);
    }
  });
});

/**
 * The promotion gate's head-to-head comparison (POST /v1/models/:name/compare) read a binary model's `score` as the
 * probability of the larger declared class, or (no classes declared) of the larger label of the test set, ignoring
 * the reference's positive class that monitoring uses: a fraud model whose reference names "fraud" positive had its
 * versions' P(fraud) ranked as P("legit"), so the better candidate lost the rocAuc gate; a test set of "neg" rows only
 * made "neg" positive, so a score P("pos") >= 0.5 was thresholded to "neg" and the version right on every row lost.
 */
describe('audit 14 (registry): the comparison takes the positive class monitoring uses', { timeout: 30_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);
  const put = async (path: string, body: unknown): Promise<void> => {
    const r = await call(s.url, 'PUT', path, body);
    assert.ok(r.status === 200 || r.status === 201, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const reference = async (model: string, csv: string, positiveClass: string): Promise<void> => {
    const r = await fetch(`${s.url}/v1/models/${model}/versions/1.0.0/reference?label=label&score=score&positiveClass=${positiveClass}`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(r.status, 200, await r.text());
  };

  before(async () => {
    s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await post('/v1/models', { name: 'fraud', outputKind: 'binary', classes: ['fraud', 'legit'], inputSchema: X });
    await post('/v1/models', { name: 'plain', outputKind: 'binary', inputSchema: X });
    for (const m of ['fraud', 'plain']) for (const v of ['1.0.0', '2.0.0']) await put(`/v1/models/${m}/versions/${v}`, {});
    await reference('fraud', 'label,score,x\nfraud,0.9,1\nlegit,0.2,1\nfraud,0.7,1\nlegit,0.1,1\n', 'fraud');
    await reference('plain', 'label,score,x\npos,0.9,1\nneg,0.2,1\npos,0.7,1\nneg,0.1,1\n', 'pos');
  });
  after(() => s.close());

  const compare = async (model: string, testSet: unknown): Promise<{ positiveLabel?: string; metrics: Array<{ metric: string; a: number | null; b: number | null }>; passed: boolean }> => {
    const r = await call(s.url, 'POST', `/v1/models/${model}/compare`, { current: '1.0.0', candidate: '2.0.0', testSet, resamples: 50 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = r.body['comparison'] as { positiveLabel?: string; metrics: Array<{ metric: string; a: number | null; b: number | null }> };
    return { ...c, passed: (r.body['gate'] as { pass: boolean }).pass };
  };
  const value = (c: Awaited<ReturnType<typeof compare>>, metric: string): [number | null, number | null] | undefined => {
    const m = c.metrics.find((x) => x.metric === metric);
    return m && [m.a, m.b];
  };

  test('declared classes fraud/legit, reference positive "fraud": the scores are P(fraud), the better candidate passes', async () => {
    const labels = ['fraud', 'legit', 'fraud', 'legit', 'fraud', 'legit'];
    // current: half its ranking wrong; candidate: every fraud row above every legit one
    const c = await compare('fraud', { labels, current: { scores: [0.6, 0.7, 0.3, 0.2, 0.8, 0.4] }, candidate: { scores: [0.9, 0.1, 0.8, 0.2, 0.7, 0.3] } });
    assert.deepEqual(value(c, 'rocAuc'), [2 / 3, 1], JSON.stringify(c));
    assert.equal(c.positiveLabel, 'fraud');
    assert.equal(c.passed, true);
  });

  test('no declared classes, reference positive "pos", a test set of "neg" rows only: "pos" stays positive', async () => {
    const labels = ['neg', 'neg', 'neg', 'neg'];
    // current calls every row "pos" (P(pos) 0.9), the candidate every row "neg" (0.1)
    const c = await compare('plain', { labels, current: { scores: [0.9, 0.8, 0.9, 0.7] }, candidate: { scores: [0.1, 0.2, 0.1, 0.3] } });
    assert.deepEqual(value(c, 'accuracy'), [0, 1], JSON.stringify(c));
    assert.equal(c.positiveLabel, 'pos');
  });

  test('no declared classes nor reference positive: the larger of the two classes among the labels and both versions\' predictions', async () => {
    await post('/v1/models', { name: 'bare', outputKind: 'binary', inputSchema: X });
    for (const v of ['1.0.0', '2.0.0']) await put(`/v1/models/bare/versions/${v}`, {});
    const c = await compare('bare', { labels: ['no', 'no', 'no'], current: { predictions: ['yes', 'no', 'yes'], scores: [0.9, 0.2, 0.8] }, candidate: { predictions: ['no', 'no', 'no'], scores: [0.1, 0.2, 0.1] } });
    assert.equal(c.positiveLabel, 'yes', JSON.stringify(c));
    assert.deepEqual(value(c, 'accuracy'), [1 / 3, 1]);
    // the scores are P(yes): log loss of "no" rows is -log(1 - score) (read as P(no) before: 0.646 and 2.07)
    const loss = (xs: number[]): number => xs.reduce((a, x) => a - Math.log(1 - x), 0) / xs.length;
    const got = value(c, 'logLoss') ?? [null, null];
    for (const [i, want] of [loss([0.9, 0.2, 0.8]), loss([0.1, 0.2, 0.1])].entries()) assert.ok(Math.abs((got[i] ?? NaN) - want) < 1e-12, `logLoss ${JSON.stringify(got)}: ${want}`);
  });
});

/**
 * A CSV reference of a binary model without declared classes, labelled yes/no (a column DuckDB types BOOLEAN): its
 * labels were read as "true"/"false", so its positive class was "true", which no event's label is; /performance and
 * the monitors then took "true" as the positive class and the metrics refused every labelled event (realized null).
 */
describe('audit 14 (references): a yes/no CSV reference of a model without declared classes keeps yes/no', { timeout: 30_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12, 10);
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => now });
  });
  after(() => s.close());

  test('the reference\'s positive class is "yes", and /performance measures the events with it', async () => {
    const post = poster(() => s.url);
    await post('/v1/models', { name: 'yn', outputKind: 'binary', inputSchema: X });
    await post('/v1/models/yn/versions', { version: '1' });
    const up = await fetch(`${s.url}/v1/models/yn/versions/1/reference?label=label&score=score`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'label,score,x\nyes,0.9,1\nno,0.2,1\nyes,0.7,1\nno,0.1,1\n' });
    assert.equal(up.status, 200, await up.text());
    const t = now - H;
    const rows = [['yes', 0.8], ['no', 0.3], ['yes', 0.6], ['no', 0.1]] as const;
    const r = await call(s.url, 'POST', '/v1/events', { events: rows.map(([l, sc], i) => ({ id: `y${i}`, model: 'yn', version: '1', timestamp: t + i * 60_000, features: { x: 1 }, prediction: sc >= 0.5 ? 'yes' : 'no', score: sc, label: l })) });
    assert.equal(r.body['accepted'], rows.length, JSON.stringify(r.body));
    await call(s.url, 'POST', '/v1/labels', { labels: rows.map(([l], i) => ({ id: `y${i}`, label: l })) });
    const p = await call(s.url, 'GET', `/v1/models/yn/performance?from=${t - H}&to=${now}&metrics=accuracy,precision&ci=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal((p.body['reference'] as { positiveLabel?: string } | null)?.positiveLabel, 'yes', JSON.stringify(p.body['reference']));
    const realized = p.body['realized'] as { positiveLabel: string; metrics: Record<string, { value: number }> } | null;
    assert.ok(realized, `realized null: ${String(p.body['realizedNote'])}`);
    assert.equal(realized.positiveLabel, 'yes');
    assert.equal(realized.metrics['accuracy']?.value, 1);
  });
});
