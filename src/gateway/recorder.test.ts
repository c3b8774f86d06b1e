import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../core/random/rng.js';
import type { ValidEvent } from '../ingest/event-input.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { ModelCatalog } from '../monitoring/catalog.js';
import { DuckDbStore } from '../storage/duckdb/store.js';
import { EventRecorder } from './recorder.js';
import { agree, GatewayStats } from './stats.js';

const ev = (id: string): ValidEvent => ({
  id, model: 'm', version: '1.0.0', ts: 1_700_000_000_000, features: { x: 1 }, prediction: 'yes', score: 0.9, scores: null,
  latencyMs: 1, error: null, segment: {}, costUsd: null,
});

describe('issue 5: gateway event recorder and live statistics', () => {
  test('events are committed in batches through the real pipeline; memory is bounded (excess dropped and counted)', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.init();
    const catalog = new ModelCatalog(store);
    await catalog.putModel({ name: 'm', outputKind: 'binary', inputSchema: { type: 'object' }, segmentKeys: [], classes: ['no', 'yes'], createdAt: 0, updatedAt: 0 });
    await catalog.putVersion({ model: 'm', version: '1.0.0', createdAt: 0 });
    const pipeline = new IngestPipeline(store, catalog, { sampleRate: 0, random: seededRandom(1), clock: () => 1_700_000_000_000 });
    const rec = new EventRecorder(pipeline, { maxBatch: 100, maxDelayMs: 10_000, maxPending: 250 });
    for (let i = 0; i < 300; i++) rec.record(ev(`e${i}`));
    assert.equal(rec.dropped, 50, 'beyond 250 pending events, new ones are dropped');
    await rec.flush();
    assert.equal(rec.recorded, 250);
    assert.equal(await store.countEvents('m'), 250);
    rec.record(ev('late'));
    rec.record(ev('late'));
    assert.equal(rec.duplicates, 1, 'an id reused within a batch is recorded once (it would fail the whole commit)');
    assert.equal(await store.countEvents('m'), 250, 'a small batch waits for its delay');
    await rec.flush();
    assert.equal(await store.countEvents('m'), 251);
    await store.close();
  });

  test('a batch the pipeline refuses (its queue at ingest.maxQueuedEvents) is kept and submitted again, within maxPending; never thrown at the prediction', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.init();
    const catalog = new ModelCatalog(store);
    await catalog.putModel({ name: 'm', outputKind: 'binary', inputSchema: { type: 'object' }, segmentKeys: [], classes: ['no', 'yes'], createdAt: 0, updatedAt: 0 });
    await catalog.putVersion({ model: 'm', version: '1.0.0', createdAt: 0 });
    const pipeline = new IngestPipeline(store, catalog, { sampleRate: 0, random: seededRandom(1), clock: () => 1_700_000_000_000, maxQueuedEvents: 100 });
    const errors: unknown[] = [];
    const rec = new EventRecorder(pipeline, { maxBatch: 50, maxDelayMs: 20, maxPending: 120, onError: (e) => errors.push(e) });
    // The queue full (100 events of HTTP ingest waiting for their commit): the recorder's batch of 50 is refused.
    const http = pipeline.submit(Array.from({ length: 100 }, (_, i) => ev(`h${i}`)), []);
    await assert.rejects(pipeline.submit([ev('x')], []), /ingest queue is full/);
    for (let i = 0; i < 50; i++) rec.record(ev(`g${i}`));
    await new Promise((r) => setImmediate(r));
    // Refused and kept: 50 buffered, room for 70 more before maxPending (120); beyond it, dropped and counted.
    for (let i = 50; i < 200; i++) rec.record(ev(`g${i}`));
    await http;
    await rec.flush();
    assert.deepEqual(errors, [], 'a refusal is no commit failure');
    assert.equal(rec.failed, 0);
    assert.equal(rec.recorded + rec.dropped, 200, `recorded ${rec.recorded}, dropped ${rec.dropped}`);
    assert.equal(rec.recorded, 120, 'the refused batch and the 70 that fitted beside it (maxPending 120) were recorded');
    assert.equal(rec.dropped, 80);
    assert.equal(await store.countEvents('m'), 100 + rec.recorded);
    await pipeline.close();
    await store.close();
  });

  test('audit 27: committed(ids) commits the batch holding them at once (not after maxDelayMs); holds() says which ids are not stored yet, a refused batch\'s still', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.init();
    const catalog = new ModelCatalog(store);
    await catalog.putModel({ name: 'm', outputKind: 'binary', inputSchema: { type: 'object' }, segmentKeys: [], classes: ['no', 'yes'], createdAt: 0, updatedAt: 0 });
    await catalog.putVersion({ model: 'm', version: '1.0.0', createdAt: 0 });
    const pipeline = new IngestPipeline(store, catalog, { sampleRate: 0, random: seededRandom(1), clock: () => 1_700_000_000_000, maxQueuedEvents: 100 });
    const rec = new EventRecorder(pipeline, { maxBatch: 1000, maxDelayMs: 60_000 });
    rec.record(ev('a'));
    rec.record(ev('b'));
    assert.deepEqual([rec.holds(['a']), rec.holds(['zz', 'b']), rec.holds(['zz'])], [true, true, false]);
    await rec.committed(['zz']);
    assert.equal(await store.countEvents('m'), 0, 'ids it does not hold commit nothing');
    await rec.committed(['b']);
    assert.equal(await store.countEvents('m'), 2, 'committed at once, not after maxDelayMs (a minute here)');
    assert.equal(rec.holds(['a', 'b']), false);
    // the pipeline's queue full: the batch is refused, kept, and its ids still held
    const http = pipeline.submit(Array.from({ length: 100 }, (_, i) => ev(`h${i}`)), []);
    rec.record(ev('c'));
    await rec.committed(['c']);
    assert.equal(rec.holds(['c']), true, 'refused (queue full): still buffered, so a label says so');
    await http;
    await rec.flush();
    assert.equal(rec.holds(['c']), false);
    assert.equal(await store.countEvents('m'), 103);
    await pipeline.close();
    await store.close();
  });

  test('statistics: per-version counts, error rate, p95, paired disagreement and latency delta', () => {
    let now = 0;
    const s = new GatewayStats(() => now);
    for (let i = 0; i < 100; i++) s.answer('m', 'a', i % 10 !== 0, i, i % 2 ? 'yes' : 'no', 0.8);
    const a = s.arm('m', 'a');
    assert.deepStrictEqual([a.n, a.errors, a.categories.get('yes'), a.categories.get('no')], [100, 10, 50, 40], 'failed answers have no prediction');
    assert.ok(Math.abs((a.meanConfidence as number) - 0.8) < 1e-12);
    assert.ok(Math.abs((a.p95Ms as number) - 94) <= 2, `${a.p95Ms}`);
    s.pair('m', 'a', 'b', 'yes', 'no', 5);
    s.pair('m', 'a', 'b', 'yes', 'yes', 3);
    s.pair('m', 'b', 'a', 'no', 'no', -2);
    s.pair('m', 'a', 'b', 'yes', null, 0);
    s.pairSkipped('m', 'b', 'a');
    assert.deepStrictEqual(s.pairBetween('m', 'a', 'b'), { n: 3, disagreements: 1, failures: 1, skipped: 1, meanLatencyDeltaMs: 10 / 3 });
    now = 5;
    s.reset('m');
    assert.equal(s.arm('m', 'a').n, 0);
    assert.equal(s.since('m'), 5);
    assert.ok(agree(1, 1 + 1e-9) && !agree(1, 1.01) && agree('1', 1));
  });
});
