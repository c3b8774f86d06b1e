import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

interface Metric { value: number | null; note?: string }
interface Realized { positiveLabel: string; classes: string[]; metrics: Record<string, Metric> }

describe('audit: labelled performance (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  test('binary without a reference: a segment holding only the negative class is measured for the positive class, as the whole range', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'yn', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/yn/versions', { version: '1' })).status, 201);
    const start = NOW - 3 * HOUR;
    const rows = Array.from({ length: 40 }, (_, i) => {
      const eu = i < 20;
      return { id: `yn-${i}`, region: eu ? 'eu' : 'us', prediction: eu && i % 3 === 0 ? 'yes' : 'no', label: eu && i % 4 === 0 ? 'yes' : 'no' };
    });
    const ev = await call(base, 'POST', '/v1/events', { events: rows.map((r, i) => ({ id: r.id, model: 'yn', version: '1', timestamp: start + i * 60_000, features: {}, prediction: r.prediction, segment: { region: r.region } })) });
    assert.equal(ev.body['accepted'], 40);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: rows.map((r) => ({ id: r.id, label: r.label })) })).body['accepted'], 40);
    const p = await call(base, 'GET', `/v1/models/yn/performance?from=${start}&to=${start + HOUR}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal((p.body['realized'] as Realized).positiveLabel, 'yes');
    // sklearn's precision/recall/f1 with pos_label='yes' where no row is 'yes': 0 (zero_division), accuracy 1
    const us = (p.body['bySegment'] as Array<{ segment: string; realized: Realized }>).find((x) => x.segment === 'region=us')?.realized;
    assert.equal(us?.positiveLabel, 'yes');
    const usRows = rows.filter((r) => r.region === 'us');
    assert.equal(usRows.filter((r) => r.label === 'yes' || r.prediction === 'yes').length, 0);
    assert.equal(us?.metrics['accuracy']?.value, usRows.filter((r) => r.label === r.prediction).length / usRows.length);
    for (const k of ['precision', 'recall', 'f1']) {
      assert.equal(us?.metrics[k]?.value, 0, k);
      assert.match(String(us?.metrics[k]?.note), /ill-defined/, k);
    }
    // the same for a bucket holding only negatives (the 'us' rows are minutes 20 to 39: the bucket [30m, 45m) holds 10 of them)
    const b = await call(base, 'GET', `/v1/models/yn/performance/buckets?from=${start + 30 * 60_000}&to=${start + 45 * 60_000}&step=15m`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const bucket = (b.body['buckets'] as Array<{ labelled: number; realized: Realized }>)[0];
    assert.equal(bucket?.labelled, 10);
    assert.equal(bucket?.realized.positiveLabel, 'yes');
    assert.equal(bucket?.realized.metrics['recall']?.value, 0);
  });

  test('a range older than the minute windows (answered in whole hours): labelled events, coverage and realized are of the answer\'s from/to, as events and CBPE', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'old', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/old/versions', { version: '1' })).status, 201);
    const start = NOW - 72 * HOUR; // minute windows are kept 2 days
    const rows = Array.from({ length: 1200 }, (_, i) => ({ id: `old-${i}`, ts: start + i * 6000, prediction: String(i % 2), label: i % 3 === 0 ? '0' : '1' }));
    const ev = await call(base, 'POST', '/v1/events', { events: rows.map((r) => ({ id: r.id, model: 'old', version: '1', timestamp: r.ts, features: {}, prediction: r.prediction })) });
    assert.equal(ev.body['accepted'], rows.length);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: rows.map((r) => ({ id: r.id, label: r.label })) })).body['accepted'], rows.length);
    const p = await call(base, 'GET', `/v1/models/old/performance?from=${start + HOUR / 2}&to=${start + (3 * HOUR) / 2}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const from = p.body['from'] as number;
    const to = p.body['to'] as number;
    assert.deepEqual([from, to], [start, start + 2 * HOUR], 'answered in whole hours');
    const inRange = rows.filter((r) => r.ts >= from && r.ts < to);
    assert.equal(p.body['events'], inRange.length);
    assert.equal(p.body['labelled'], inRange.length);
    assert.equal(p.body['labelCoverage'], 1);
    const realized = p.body['realized'] as Realized & { n: number };
    assert.equal(realized.n, inRange.length);
    assert.equal(realized?.metrics['accuracy']?.value, inRange.filter((r) => r.label === r.prediction).length / inRange.length);
  });

  test('labelled events the metrics refuse (a third class of a binary model declared without classes): realized null with realizedNote saying why', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'loose', outputKind: 'binary', segmentKeys: ['region'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/loose/versions', { version: '1' })).status, 201);
    const start = NOW - 3 * HOUR;
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: `loose-${i}`, region: i < 10 ? 'eu' : 'us', prediction: String(i % 2), label: i === 0 ? 'maybe' : String(i % 3 === 0 ? 1 : 0) }));
    assert.equal((await call(base, 'POST', '/v1/events', { events: rows.map((r, i) => ({ id: r.id, model: 'loose', version: '1', timestamp: start + i * 60_000, features: {}, prediction: r.prediction, segment: { region: r.region } })) })).body['accepted'], 20);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: rows.map((r) => ({ id: r.id, label: r.label })) })).body['accepted'], 20);
    const p = await call(base, 'GET', `/v1/models/loose/performance?from=${start}&to=${start + HOUR}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body['realized'], null);
    assert.match(String(p.body['realizedNote']), /3 classes found.*maybe/);
    const seg = p.body['bySegment'] as Array<{ segment: string; realized: Realized | null; realizedNote?: string }>;
    assert.match(String(seg.find((x) => x.segment === 'region=eu')?.realizedNote), /maybe/);
    const us = seg.find((x) => x.segment === 'region=us');
    assert.equal(us?.realizedNote, undefined);
    assert.equal(us?.realized?.metrics['accuracy']?.value, rows.filter((r) => r.region === 'us' && r.label === r.prediction).length / 10);
    const b = await call(base, 'GET', `/v1/models/loose/performance/buckets?from=${start}&to=${start + 20 * 60_000}&step=10m`);
    const buckets = b.body['buckets'] as Array<{ realized: Realized | null; realizedNote?: string }>;
    assert.equal(buckets[0]?.realized, null);
    assert.match(String(buckets[0]?.realizedNote), /maybe/);
    assert.equal(buckets[1]?.realizedNote, undefined);
  });

  test('a reference CSV whose labels and predictions are yes/no (typed BOOLEAN by the CSV reader) keeps the classes no/yes: realized metrics and CBPE work', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'ynref', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/ynref/versions', { version: '1' })).status, 201);
    // score 0.2: 2 of 10 rows are yes; score 0.8: 8 of 10 (already isotonic: calibrated 0.2 and 0.8)
    const ref = Array.from({ length: 20 }, (_, i) => {
      const high = i >= 10;
      return { x: i, score: high ? 0.8 : 0.2, prediction: high ? 'yes' : 'no', label: (high ? i - 10 < 8 : i < 2) ? 'yes' : 'no' };
    });
    const csv = ['x,score,prediction,label', ...ref.map((r) => `${r.x},${r.score},${r.prediction},${r.label}`)].join('\n');
    const put = await fetch(`${base}/v1/models/ynref/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(put.status, 200, await put.text());
    const start = NOW - 3 * HOUR;
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: `ynref-${i}`, score: i % 3 === 0 ? 0.8 : 0.2, label: i % 4 === 0 ? 'yes' : 'no' }));
    const ev = await call(base, 'POST', '/v1/events', { events: rows.map((r, i) => ({ id: r.id, model: 'ynref', version: '1', timestamp: start + i * 60_000, features: { x: i }, prediction: r.score > 0.5 ? 'yes' : 'no', score: r.score })) });
    assert.equal(ev.body['accepted'], rows.length);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: rows.map((r) => ({ id: r.id, label: r.label })) })).body['accepted'], rows.length);
    const p = await call(base, 'GET', `/v1/models/ynref/performance?from=${start}&to=${start + HOUR}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const reference = p.body['reference'] as Realized & { confusionMatrix: number[][] };
    assert.deepEqual([reference.classes, reference.positiveLabel], [['no', 'yes'], 'yes']);
    const cell = (label: string, prediction: string): number => ref.filter((r) => r.label === label && r.prediction === prediction).length;
    assert.deepEqual(reference.confusionMatrix, [[cell('no', 'no'), cell('no', 'yes')], [cell('yes', 'no'), cell('yes', 'yes')]]);
    const realized = p.body['realized'] as Realized | null;
    assert.equal(realized?.positiveLabel, 'yes', String(p.body['realizedNote']));
    const predicted = (r: (typeof rows)[number]): string => (r.score > 0.5 ? 'yes' : 'no');
    assert.equal(realized?.metrics['accuracy']?.value, rows.filter((r) => r.label === predicted(r)).length / rows.length);
    // CBPE: expected TP = 0.8 per event predicted yes, FP = 0.2; expected FN = 0.2 per event predicted no
    const a = rows.filter((r) => r.score > 0.5).length;
    const b = rows.length - a;
    const est = p.body['estimated'] as { precision: number; recall: number };
    assert.ok(Math.abs(est.precision - 0.8) < 1e-12, String(est.precision));
    assert.ok(Math.abs(est.recall - (0.8 * a) / (0.8 * a + 0.2 * b)) < 1e-12, String(est.recall));
  });
});
