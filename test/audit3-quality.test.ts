import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer, type Json } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('audit3: labels and quality (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  test('labelCoverage is of the predictions: failed events (an error, no prediction) are not in its denominator', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'cov', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/cov/versions', { version: '1' })).status, 201);
    const start = NOW - 3 * HOUR;
    // 30 predictions (one of them an error answered with a fallback prediction: it has a prediction) and 10 failed calls
    const events = Array.from({ length: 40 }, (_, i) => ({
      id: `cov-${i}`, model: 'cov', version: '1', timestamp: start + i * 60_000, features: {},
      ...(i < 30 ? { prediction: String(i % 2), ...(i === 0 && { error: 'fallback' }) } : { error: 'timeout' }),
    }));
    const ev = await call(base, 'POST', '/v1/events', { events });
    assert.equal(ev.body['accepted'], 40, JSON.stringify(ev.body));
    const labels = await call(base, 'POST', '/v1/labels', { labels: events.slice(0, 30).map((e, i) => ({ id: e.id, label: String(i % 3 === 0 ? 1 : 0) })) });
    assert.equal(labels.body['accepted'], 30);
    const p = await call(base, 'GET', `/v1/models/cov/performance?from=${start}&to=${start + HOUR}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body['events'], 40);
    assert.equal(p.body['labelled'], 30);
    assert.equal(p.body['labelCoverage'], 1, 'every prediction is labelled');
    // a range starting mid-way: still every prediction of it labelled
    const p2 = await call(base, 'GET', `/v1/models/cov/performance?from=${start + 15 * 60_000}&to=${start + HOUR}`);
    assert.equal(p2.status, 200, JSON.stringify(p2.body));
    assert.equal(p2.body['labelled'], 15);
    assert.equal(p2.body['labelCoverage'], 1);
    // a range with failures only: no prediction to label, coverage null (not 0)
    const p3 = await call(base, 'GET', `/v1/models/cov/performance?from=${start + 30 * 60_000}&to=${start + 40 * 60_000}`);
    assert.equal(p3.status, 200, JSON.stringify(p3.body));
    assert.equal(p3.body['events'], 10);
    assert.equal(p3.body['labelCoverage'], null);
  });

  const putReference = async (name: string, csv: string): Promise<Json> => {
    const r = await fetch(`${base}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    return { status: r.status, body: await r.json() as Record<string, unknown> };
  };

  test('a reference file whose labels or scores the metrics refuse is answered 422 saying why, not 500 internal', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'badref', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/badref/versions', { version: '1' })).status, 201);
    const third = await putReference('badref', 'x,prediction,score,label\n1,no,0.2,maybe\n2,yes,0.7,yes\n3,no,0.1,no\n');
    assert.equal(third.status, 422, JSON.stringify(third.body));
    assert.equal((third.body['error'] as { code: string }).code, 'unprocessable');
    assert.match((third.body['error'] as { message: string }).message, /3 classes found.*maybe/);
    const score = await putReference('badref', 'x,prediction,score,label\n1,no,1.2,no\n2,yes,0.7,yes\n');
    assert.equal(score.status, 422, JSON.stringify(score.body));
    assert.match((score.body['error'] as { message: string }).message, /scores must be probabilities in \[0, 1\] \(row 0 is 1\.2\)/);
    const m = await call(base, 'GET', '/v1/models/badref');
    assert.equal((m.body['versions'] as Array<{ reference: unknown }>)[0]?.reference, null, 'no reference kept');
  });
  /** A binary model (classes no/yes) with a reference file, and 20 labelled events each predicted right: yes with score 0.9, no with 0.1. */
  const binaryWithReference = async (name: string, referenceRows: string[]): Promise<{ from: number; to: number }> => {
    assert.equal((await call(base, 'POST', '/v1/models', { name, outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
    const ref = await putReference(name, `x,prediction,score,label\n${referenceRows.join('\n')}\n`);
    assert.equal(ref.status, 200, JSON.stringify(ref.body));
    const start = NOW - 3 * HOUR;
    const events = Array.from({ length: 20 }, (_, i) => ({ id: `${name}-${i}`, model: name, version: '1', timestamp: start + i * 60_000, features: { x: i }, prediction: i % 2 ? 'yes' : 'no', score: i % 2 ? 0.9 : 0.1 }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 20);
    assert.equal((await call(base, 'POST', '/v1/labels', events.map((e) => ({ id: e.id, label: e.prediction })))).body['accepted'], 20);
    return { from: start, to: start + HOUR };
  };

  test('a reference holding one class only (no) keeps the declared positive class (yes): realized metrics are of yes, rocAuc of a perfect model 1', async () => {
    const r = await binaryWithReference('onecls', Array.from({ length: 50 }, (_, i) => `${i},no,${(i / 50).toFixed(2)},no`));
    const p = await call(base, 'GET', `/v1/models/onecls/performance?from=${r.from}&to=${r.to}&ci=false&segments=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const realized = p.body['realized'] as { positiveLabel: string; classes: string[]; metrics: Record<string, { value: number | null }> };
    assert.equal(realized.positiveLabel, 'yes');
    assert.deepEqual(realized.classes, ['no', 'yes']);
    assert.equal(realized.metrics['rocAuc']?.value, 1);
    const m = await call(base, 'GET', '/v1/models/onecls');
    const reference = (m.body['versions'] as Array<{ reference: { metrics: { positiveLabel: string } } }>)[0]?.reference;
    assert.equal(reference?.metrics.positiveLabel, 'yes', 'the reference metrics too');
  });

  test('CBPE: a reference whose labels hold one class gives no estimate (its calibration would say every score is certainly no)', async () => {
    for (const [name, label] of [['cbpe-no', 'no'], ['cbpe-yes', 'yes']] as const) {
      const r = await binaryWithReference(name, Array.from({ length: 50 }, (_, i) => `${i},${i % 5 ? 'no' : 'yes'},${(i / 50).toFixed(2)},${label}`));
      const p = await call(base, 'GET', `/v1/models/${name}/performance?from=${r.from}&to=${r.to}&ci=false&segments=false`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.equal(p.body['estimated'], null, `${name}: ${JSON.stringify(p.body['estimated'])}`);
      assert.equal((p.body['realized'] as { metrics: Record<string, { value: number }> }).metrics['accuracy']?.value, 1);
    }
  });

  test('CBPE: a reference whose scores are all equal calibrates every score to its positive rate (0.3)', async () => {
    const r = await binaryWithReference('cbpe-flat', Array.from({ length: 50 }, (_, i) => `${i},${i % 2 ? 'no' : 'yes'},0.5,${i % 10 < 3 ? 'yes' : 'no'}`));
    const p = await call(base, 'GET', `/v1/models/cbpe-flat/performance?from=${r.from}&to=${r.to}&ci=false&segments=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    // 10 predicted yes (expected tp 10 * 0.3, fp 10 * 0.7) and 10 predicted no (expected fn 10 * 0.3, tn 10 * 0.7)
    const e = p.body['estimated'] as { accuracy: number; precision: number; recall: number; f1: number; n: number };
    assert.equal(e.n, 20);
    for (const [k, want] of [['accuracy', 0.5], ['precision', 0.3], ['recall', 0.5], ['f1', (2 * 0.3 * 0.5) / 0.8]] as const) {
      assert.ok(Math.abs(e[k] - want) < 1e-12, `${k} ${e[k]} want ${want}`);
    }
  });

  test('rocAuc and logLoss null because some labelled events have no score: the note says how many, not "needs scores"', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'part', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/part/versions', { version: '1' })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'partm', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/partm/versions', { version: '1' })).status, 201);
    const start = NOW - 3 * HOUR;
    const bin = Array.from({ length: 10 }, (_, i) => ({ id: `part-${i}`, model: 'part', version: '1', timestamp: start + i * 60_000, features: {}, prediction: String(i % 2), ...(i !== 3 && { score: i % 2 ? 0.8 : 0.2 }) }));
    const mc = Array.from({ length: 9 }, (_, i) => ({ id: `partm-${i}`, model: 'partm', version: '1', timestamp: start + i * 60_000, features: {}, prediction: 'abc'[i % 3], ...(i > 1 && { scores: [0.2, 0.3, 0.5] }) }));
    assert.equal((await call(base, 'POST', '/v1/events', { events: [...bin, ...mc] })).body['accepted'], 19);
    assert.equal((await call(base, 'POST', '/v1/labels', [...bin, ...mc].map((e) => ({ id: e.id, label: e.prediction })))).body['accepted'], 19);
    for (const [name, missing, n] of [['part', 1, 10], ['partm', 2, 9]] as const) {
      const p = await call(base, 'GET', `/v1/models/${name}/performance?from=${start}&to=${start + HOUR}&ci=false&segments=false`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const metrics = (p.body['realized'] as { metrics: Record<string, { value: number | null; note?: string }> }).metrics;
      assert.equal(metrics['accuracy']?.value, 1);
      for (const k of ['rocAuc', 'logLoss']) {
        assert.equal(metrics[k]?.value, null, k);
        assert.equal(metrics[k]?.note, `${k} needs a score for every labelled event: ${missing} of ${n} have none`);
      }
    }
  });
});
