import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

/** One class's precision, recall and F1 (one-vs-rest) counted from (label, prediction) pairs: sklearn's average=None. */
function perClass(pairs: ReadonlyArray<readonly [string, string]>, cls: string): { precision: number; recall: number; f1: number } {
  const tp = pairs.filter(([y, p]) => y === cls && p === cls).length;
  const predicted = pairs.filter(([, p]) => p === cls).length;
  const actual = pairs.filter(([y]) => y === cls).length;
  const precision = predicted ? tp / predicted : 0;
  const recall = actual ? tp / actual : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}

describe('audit 8 (labels): realized precision, recall and F1 monitors', { timeout: 60_000 }, () => {
  const start = Date.UTC(2026, 1, 3, 10);
  const now = start + HOUR + 5 * MIN;
  let s: Server;
  const post = poster(() => s.url);
  // labels and predictions of the hour [10:00, 11:00): no class is predicted as often as it is the label
  const mc: Array<[string, string]> = [
    ...Array.from({ length: 12 }, (): [string, string] => ['cat', 'cat']), ...Array.from({ length: 3 }, (): [string, string] => ['cat', 'dog']),
    ...Array.from({ length: 9 }, (): [string, string] => ['dog', 'dog']), ...Array.from({ length: 6 }, (): [string, string] => ['dog', 'eel']),
    ...Array.from({ length: 7 }, (): [string, string] => ['eel', 'eel']), ...Array.from({ length: 4 }, (): [string, string] => ['eel', 'cat']),
  ];
  const bin: Array<[string, string]> = [
    ...Array.from({ length: 20 }, (): [string, string] => ['no', 'no']), ...Array.from({ length: 10 }, (): [string, string] => ['no', 'yes']),
    ...Array.from({ length: 3 }, (): [string, string] => ['yes', 'no']), ...Array.from({ length: 8 }, (): [string, string] => ['yes', 'yes']),
  ];
  const monitor = (id: string, model: string, metric: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ id, model, metric, window: '1h', delay: '0m', minSamples: 1, levels: [{ severity: 'warning', threshold: 0.01 }], ...extra });
  const value = async (id: string): Promise<number | null> => (await lastEvaluation(s.url, id, start, now + 1)).value;

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'mc', outputKind: 'multiclass', classes: ['cat', 'dog', 'eel'], inputSchema: SCHEMA });
    await post('/v1/models/mc/versions', { version: '1' });
    await post('/v1/models', { name: 'bin', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: SCHEMA });
    await post('/v1/models/bin/versions', { version: '1' });
    for (const [model, pairs] of [['mc', mc], ['bin', bin]] as const) {
      const events = pairs.map(([, p], i) => ({ id: `${model}-${i}`, model, version: '1', timestamp: start + i * MIN, features: { x: i }, prediction: p }));
      await post('/v1/events', { events });
      const r = await post('/v1/labels', { labels: pairs.map(([y], i) => ({ id: `${model}-${i}`, label: y })) });
      assert.equal(r['accepted'], pairs.length);
    }
    for (const m of ['precision', 'recall', 'f1']) {
      await post('/v1/monitors', monitor(`mc-${m}`, 'mc', m));
      await post('/v1/monitors', monitor(`mc-${m}-dog`, 'mc', m, { class: 'dog' }));
      await post('/v1/monitors', monitor(`bin-${m}`, 'bin', m));
      await post('/v1/monitors', monitor(`bin-${m}-no`, 'bin', m, { class: 'no' }));
    }
    await post('/v1/monitors/run', {});
  });
  after(() => s.close());

  test("a multiclass model's precision/recall/f1 monitor without a class measures the macro average /performance gives (it was null for ever: insufficient_data)", async () => {
    const perf = await call(s.url, 'GET', `/v1/models/mc/performance?from=${start}&to=${start + HOUR}&ci=false&segments=false`);
    const metrics = (perf.body['realized'] as { metrics: Record<string, { value: number }> }).metrics;
    for (const [m, key] of [['precision', 'precisionMacro'], ['recall', 'recallMacro'], ['f1', 'f1Macro']] as const) {
      const ev = await lastEvaluation(s.url, `mc-${m}`, start, now + 1);
      assert.equal(ev.samples, mc.length);
      assert.ok(Math.abs((ev.value as number) - (metrics[key]?.value as number)) < 1e-12, `${m}: ${ev.value} against ${key} ${metrics[key]?.value}`);
      assert.notEqual(ev.status, 'insufficient_data');
    }
  });

  test("a monitor's class picks the class whose precision/recall/f1 it measures (the class was ignored: the binary one measured 'yes', the multiclass one nothing)", async () => {
    for (const m of ['precision', 'recall', 'f1'] as const) {
      const dog = perClass(mc, 'dog')[m];
      assert.ok(Math.abs((await value(`mc-${m}-dog`)) as number - dog) < 1e-12, `mc ${m} of dog: ${await value(`mc-${m}-dog`)} against ${dog}`);
      const no = perClass(bin, 'no')[m];
      const yes = perClass(bin, 'yes')[m];
      assert.notEqual(no, yes);
      assert.ok(Math.abs((await value(`bin-${m}-no`)) as number - no) < 1e-12, `bin ${m} of no: ${await value(`bin-${m}-no`)} against ${no}`);
      assert.ok(Math.abs((await value(`bin-${m}`)) as number - yes) < 1e-12, `bin ${m} (positive class yes): ${await value(`bin-${m}`)} against ${yes}`);
    }
  });
});

describe('audit 8 (labels): regression labels too large for float64 sums', { timeout: 60_000 }, () => {
  const start = Date.UTC(2026, 1, 3, 10);
  let s: Server;
  const post = poster(() => s.url);
  // one label of 1e200 (a finite JSON number, accepted): its squared error is Infinity, as in numpy
  const truth = [1e200, ...Array.from({ length: 29 }, (_, i) => 10 + (i % 7) - 3)];
  const predicted = truth.map((_, i) => 10 + ((i * 5) % 9) - 4);

  before(async () => {
    s = await testServer({ clock: () => start + 2 * HOUR });
    await post('/v1/models', { name: 'eta', outputKind: 'regression', inputSchema: SCHEMA });
    await post('/v1/models/eta/versions', { version: '1' });
    await post('/v1/events', { events: predicted.map((p, i) => ({ id: `e-${i}`, model: 'eta', version: '1', timestamp: start + i * MIN, features: { x: i }, prediction: p })) });
    const r = await post('/v1/labels', { labels: truth.map((y, i) => ({ id: `e-${i}`, label: y })) });
    assert.equal(r['accepted'], truth.length);
  });
  after(() => s.close());

  test('rmse and r2 (inf and nan in sklearn) are null with a note and no interval: the interval was that of the resamples without the large label ([2.1, 35404] around a null rmse)', async () => {
    const r = await call(s.url, 'GET', `/v1/models/eta/performance?from=${start}&to=${start + HOUR}&segments=false`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const metrics = (r.body['realized'] as { metrics: Record<string, { value: number | null; ci: [number, number] | null; note?: string }> }).metrics;
    for (const k of ['rmse', 'r2']) {
      assert.equal(metrics[k]?.value, null, k);
      assert.equal(metrics[k]?.ci, null, `${k}: ${JSON.stringify(metrics[k])}`);
      assert.match(metrics[k]?.note ?? '', /too large/, k);
    }
    // mae stays finite (1e200 / 30): its value and an interval that holds it
    const mae = truth.reduce((a, y, i) => a + Math.abs((predicted[i] as number) - y), 0) / truth.length;
    const m = metrics['mae'] as { value: number; ci: [number, number] };
    assert.ok(Math.abs(m.value - mae) <= 1e-12 * mae, `mae ${m.value} against ${mae}`);
    assert.ok(m.ci[0] <= m.value && m.value <= m.ci[1], JSON.stringify(m));
  });
});

describe('audit 8 (labels): f1 of a range without positives', { timeout: 60_000 }, () => {
  const start = Date.UTC(2026, 1, 3, 10);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => start + 2 * HOUR });
    await post('/v1/models', { name: 'fraud', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: SCHEMA });
    await post('/v1/models/fraud/versions', { version: '1' });
    await post('/v1/events', { events: Array.from({ length: 3 }, (_, i) => ({ id: `f-${i}`, model: 'fraud', version: '1', timestamp: start + i * MIN, features: { x: i }, prediction: 'no', score: 0.1 })) });
    await post('/v1/labels', { labels: Array.from({ length: 3 }, (_, i) => ({ id: `f-${i}`, label: 'no' })) });
  });
  after(() => s.close());

  test('3 negatives: f1 is 0 by convention with no interval, as precision and recall (it had ci [0, 0], a certainty from 3 rows)', async () => {
    for (const path of [`/v1/models/fraud/performance?from=${start}&to=${start + HOUR}`, `/v1/models/fraud/performance/buckets?from=${start}&to=${start + HOUR}&step=1h`]) {
      const r = await call(s.url, 'GET', path);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const realized = (r.body['realized'] ?? (r.body['buckets'] as Array<{ realized: unknown }>)[0]?.realized) as { n: number; metrics: Record<string, { value: number; ci: unknown; note?: string }> };
      assert.equal(realized.n, 3);
      for (const k of ['precision', 'recall', 'f1']) {
        assert.equal(realized.metrics[k]?.value, 0, `${path} ${k}`);
        assert.equal(realized.metrics[k]?.ci, null, `${path} ${k}: ${JSON.stringify(realized.metrics[k])}`);
        assert.match(realized.metrics[k]?.note ?? '', /ill-defined/);
      }
    }
  });
});

describe('audit 8 (labels): rocAuc of a multiclass model after a class was appended', { timeout: 60_000 }, () => {
  const start = Date.UTC(2026, 1, 3, 10);
  let s: Server;
  const post = poster(() => s.url);
  const declare = (classes: string[]): Record<string, unknown> => ({ name: 'zoo', outputKind: 'multiclass', classes, inputSchema: SCHEMA });

  before(async () => {
    s = await testServer({ clock: () => start + 2 * HOUR });
    await post('/v1/models', declare(['cat', 'dog', 'eel']));
    await post('/v1/models/zoo/versions', { version: '1' });
    await post('/v1/events', { events: Array.from({ length: 6 }, (_, i) => ({ id: `z-${i}`, model: 'zoo', version: '1', timestamp: start + i * MIN, features: { x: i }, prediction: ['cat', 'dog', 'eel'][i % 3], scores: [0.5, 0.3, 0.2] })) });
    await post('/v1/models', declare(['cat', 'dog', 'eel', 'fox'])); // appended: the stored events keep their 3 scores
    await post('/v1/labels', { labels: Array.from({ length: 6 }, (_, i) => ({ id: `z-${i}`, label: ['cat', 'dog', 'eel'][i % 3] })) });
  });
  after(() => s.close());

  test('the note says the events have scores of 3 classes, not 4 (it said "6 of 6 have none" of events that all have scores)', async () => {
    const r = await call(s.url, 'GET', `/v1/models/zoo/performance?from=${start}&to=${start + HOUR}&ci=false&segments=false`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const metrics = (r.body['realized'] as { metrics: Record<string, { value: number | null; note?: string }> }).metrics;
    for (const k of ['rocAuc', 'logLoss']) {
      assert.equal(metrics[k]?.value, null, k);
      assert.doesNotMatch(metrics[k]?.note ?? '', /have none/, k);
      assert.match(metrics[k]?.note ?? '', /6 of 6 have scores of another number of classes than the model's 4/, k);
    }
  });
});
