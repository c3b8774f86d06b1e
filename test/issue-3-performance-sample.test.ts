import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { seededRandom } from '../src/core/random/rng.js';
import { computeMetrics } from '../src/core/metrics/index.js';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/**
 * Issue 3 (/performance over any time range): reads of labelled events used to stop at 1,000,000 rows, so metrics
 * over a long range silently covered only its first part. Over `server.maxLabelledEvents` they are now computed on
 * a uniform sample by id, and the answer says so. Here the limit is 100 and the hour holds 600 labelled events.
 */
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const H = NOW - 3 * HOUR;
const N = 600;

/** Event i of the hour: one every 6 s, a score, the prediction it gives, a label drawn from the score. */
function sentEvent(i: number, r: ReturnType<typeof seededRandom>) {
  const score = Math.round(r.next() * 1000) / 1000;
  return { id: `ev-${i}`, ts: H + i * 6000, prediction: score >= 0.5 ? '1' : '0', score, label: r.next() < score ? '1' : '0', region: i % 3 === 0 ? 'eu' : 'us' };
}
type Sent = ReturnType<typeof sentEvent>;

/** The reference selection: the first 32 bits of the id's MD5 (node:crypto) below rate x 2^32. */
const inSample = (id: string, rate: number): boolean => parseInt(createHash('md5').update(id, 'utf8').digest('hex').slice(0, 8), 16) < Math.floor(rate * 2 ** 32);

describe('issue 3: GET /performance over more labelled events than a read holds (real server, DuckDB file)', () => {
  let s: Server;
  const sent: Sent[] = [];

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.server.maxLabelledEvents = 100) });
    const model = { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
    assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const r = seededRandom(7);
    for (let i = 0; i < N; i++) sent.push(sentEvent(i, r));
    const events = sent.map((e) => ({ id: e.id, model: 'm', version: '1', timestamp: e.ts, features: { x: e.score }, prediction: e.prediction, score: e.score, segment: { region: e.region } }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], N);
    assert.equal((await call(s.url, 'POST', '/v1/labels', { labels: sent.map((e) => ({ id: e.id, label: e.label })) })).body['accepted'], N);
  });
  after(async () => {
    await s.close();
  });

  const metricsOf = (list: Sent[]) => computeMetrics({ task: 'binary', labels: list.map((e) => e.label), predictions: list.map((e) => e.prediction), scores: list.map((e) => e.score), positiveLabel: '1', resamples: 200 });

  test('the hour: metrics of the uniform sample by id, `sampled` gives its rate and the hour\'s labelled events', async () => {
    const res = await call(s.url, 'GET', `/v1/models/m/performance?from=${H}&to=${H + HOUR}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as { labelled: number; labelCoverage: number; sampled: { rate: number; labelledInRange: number } | null; realized: { n: number; metrics: Record<string, { value: number; ci?: [number, number] }> }; bySegment: Array<{ segment: string; labelled: number }> };
    assert.ok(body.sampled, 'sampled');
    assert.equal(body.sampled.labelledInRange, N);
    assert.ok(body.sampled.rate > 0 && body.sampled.rate < 100 / N, `rate ${body.sampled.rate}`);
    const sample = sent.filter((e) => inSample(e.id, body.sampled?.rate ?? 0));
    assert.ok(sample.length > 20 && sample.length <= 100, `sample of ${sample.length}`);
    assert.equal(body.labelled, sample.length);
    assert.equal(body.realized.n, sample.length);
    const want = metricsOf(sample);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc']) {
      assert.equal(body.realized.metrics[k]?.value, want.metrics[k]?.value, k);
      assert.deepEqual(body.realized.metrics[k]?.ci, want.metrics[k]?.ci, `${k} CI`);
    }
    // coverage estimated from the sample: every event of the hour is labelled
    assert.ok(Math.abs(body.labelCoverage - 1) < 0.3, `coverage ${body.labelCoverage}`);
    assert.deepEqual(body.bySegment.map((x) => [x.segment, x.labelled]), [['region=eu', sample.filter((e) => e.region === 'eu').length], ['region=us', sample.filter((e) => e.region === 'us').length]]);
  });

  test('a range under the limit: every labelled event, `sampled` null', async () => {
    const to = H + 90 * 6000; // 90 events
    const body = (await call(s.url, 'GET', `/v1/models/m/performance?from=${H}&to=${to}`)).body as { labelled: number; sampled: unknown; realized: { metrics: Record<string, { value: number }> } };
    assert.equal(body.sampled, null);
    const all = sent.filter((e) => e.ts < to);
    assert.equal(body.labelled, all.length);
    assert.equal(body.realized.metrics['accuracy']?.value, metricsOf(all).metrics['accuracy']?.value);
  });

  test('buckets: each bucket as /performance answers it, sampled only where the bucket holds more than the limit', async () => {
    const res = await call(s.url, 'GET', `/v1/models/m/performance/buckets?from=${H}&to=${H + HOUR}&step=15m`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const buckets = res.body['buckets'] as Array<{ from: number; to: number; labelled: number; sampled: { rate: number; labelledInRange: number } | null }>;
    assert.equal(buckets.length, 4);
    for (const b of buckets) {
      const inBucket = sent.filter((e) => e.ts >= b.from && e.ts < b.to);
      assert.equal(inBucket.length, 150);
      assert.ok(b.sampled, 'each bucket holds 150 labelled events, over the limit of 100');
      assert.equal(b.sampled.labelledInRange, 150);
      assert.equal(b.labelled, inBucket.filter((e) => inSample(e.id, b.sampled?.rate ?? 0)).length);
    }
    const small = (await call(s.url, 'GET', `/v1/models/m/performance/buckets?from=${H}&to=${H + HOUR}&step=5m`)).body['buckets'] as Array<{ labelled: number; sampled: unknown }>;
    assert.deepEqual(small.map((b) => [b.labelled, b.sampled]), small.map(() => [50, null]));
  });
});

test('issue 3: server.maxLabelledEvents in the config file: a whole number from 100', async () => {
  const file = join(tempDir('lookout-max-labelled-'), 'lookout.yaml');
  await writeFile(file, 'server: { maxLabelledEvents: 250000 }\n');
  assert.equal(loadConfig(file).server.maxLabelledEvents, 250_000);
  for (const bad of ['99', '1.5', 'many']) {
    await writeFile(file, `server: { maxLabelledEvents: ${bad} }\n`);
    assert.throws(() => loadConfig(file), /invalid config .*maxLabelledEvents/);
  }
});
