import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../src/core/random/rng.js';
import { computeMetrics } from '../src/core/metrics/index.js';
import { hashKey } from '../src/http/auth.js';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const H1 = NOW - 5 * HOUR; // no drift
const H2 = NOW - 3 * HOUR; // x shifted

function normal(r: ReturnType<typeof seededRandom>): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

const MODEL = {
  name: 'scoring',
  outputKind: 'binary',
  classes: ['0', '1'],
  segmentKeys: ['region'],
  inputSchema: {
    type: 'object',
    required: ['c'],
    properties: { x: { type: 'number' }, y: { type: 'number' }, c: { type: 'string', enum: ['a', 'b', 'c'] } },
  },
};

interface Sent {
  id: string;
  ts: number;
  prediction: string;
  score: number;
  label: string;
  latencyMs: number;
  region: string;
  xMissing: boolean;
}

describe('lookout serve: models, ingest, labels and the query API (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  const sent: Sent[] = [];
  const r = seededRandom(99);

  function makeEvents(start: number, n: number, shift: number): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (let i = 0; i < n; i++) {
      const x = normal(r) + shift;
      const score = Math.round(1 / (1 + Math.exp(-x)) * 1000) / 1000;
      const label = r.next() < score ? '1' : '0';
      const e: Sent = { id: `e-${start}-${i}`, ts: start + Math.floor((i / n) * HOUR), prediction: score >= 0.5 ? '1' : '0', score, label, latencyMs: Math.round(Math.exp(3 + normal(r) * 0.5) * 10) / 10, region: r.next() < 0.5 ? 'eu' : 'us', xMissing: i % 25 === 0 };
      sent.push(e);
      out.push({
        id: e.id, model: 'scoring', version: '1', timestamp: new Date(e.ts).toISOString(),
        features: { ...(e.xMissing ? {} : { x: Math.round(x * 1000) / 1000 }), y: r.next(), c: ['a', 'b', 'c'][Math.floor(r.next() * 3)] },
        prediction: e.prediction, score: e.score, latencyMs: e.latencyMs, segment: { region: e.region }, costUsd: 0.001, error: i % 50 === 0 ? 'timeout' : null,
      });
    }
    return out;
  }

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  test('declare a model, a version and upload a reference CSV', async () => {
    const m = await call(base, 'POST', '/v1/models', MODEL);
    assert.equal(m.status, 201, JSON.stringify(m.body));
    const v = await call(base, 'POST', '/v1/models/scoring/versions', { version: '1', metadata: { git: 'abc123' } });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    const lines = ['x,y,c,score,prediction,label'];
    for (let i = 0; i < 2000; i++) {
      const x = normal(r);
      const score = Math.round(1 / (1 + Math.exp(-x)) * 1000) / 1000;
      lines.push([Math.round(x * 1000) / 1000, r.next(), ['a', 'b', 'c'][Math.floor(r.next() * 3)], score, score >= 0.5 ? 1 : 0, r.next() < score ? 1 : 0].join(','));
    }
    const ref = await fetch(`${base}/v1/models/scoring/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: lines.join('\n') });
    const body = (await ref.json()) as { versions: Array<{ reference: { rows: number; metrics: { metrics: Record<string, { value: number }> } } }> };
    assert.equal(ref.status, 200, JSON.stringify(body));
    assert.equal(body.versions[0]?.reference.rows, 2000);
    assert.ok((body.versions[0]?.reference.metrics.metrics['accuracy']?.value ?? 0) > 0.6);
  });

  test('POST /v1/events: per-row results, ids assigned, bad rows rejected with reasons', async () => {
    const good = makeEvents(H1, 1500, 0);
    const bad = [
      { model: 'scoring', version: '1', features: { x: 'oops', c: 'a' }, prediction: '1' },
      { model: 'nope', version: '1', features: { c: 'a' }, prediction: '1' },
      { model: 'scoring', version: '9', features: { c: 'a' }, prediction: '1' },
      { model: 'scoring', version: '1', features: { c: 'a' }, prediction: '7' },
      { model: 'scoring', version: '1', features: { x: 1 }, prediction: '1' },
      { model: 'scoring', version: '1', features: { c: 'a' }, prediction: '1', score: 2 },
      { model: 'scoring', version: '1', features: { c: 'a' }, prediction: '1', timestamp: 'yesterday-ish' },
      'not an object',
    ];
    const noId = { model: 'scoring', version: '1', timestamp: new Date(H1).toISOString(), features: { c: 'b', x: 0.1 }, prediction: '0', score: 0.2 };
    const res = await call(base, 'POST', '/v1/events', { events: [...good, ...bad, noId] });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    assert.equal(res.body['accepted'], 1501);
    assert.equal(res.body['rejected'], bad.length);
    const results = res.body['results'] as Array<{ index: number; status: string; code?: string; id?: string; message?: string }>;
    const codes = results.filter((x) => x.status === 'rejected').map((x) => x.code);
    assert.deepEqual(codes, ['schema_violation', 'unknown_model', 'unknown_version', 'invalid_prediction', 'schema_violation', 'invalid_score', 'invalid_timestamp', 'invalid_event']);
    for (const x of results.filter((y) => y.status === 'rejected')) assert.ok((x.message ?? '').length > 10, 'a reason is given');
    const last = results[results.length - 1];
    assert.equal(last?.status, 'accepted');
    // issue 3: a server-assigned id is a time-ordered UUID (version 7: its first 48 bits are the time it was made)
    const id = last?.id ?? '';
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'server-assigned id');
    assert.ok(Math.abs(parseInt(id.slice(0, 8) + id.slice(9, 13), 16) - Date.now()) < 60_000, id);
    sent.push({ id: last?.id ?? '', ts: H1, prediction: '0', score: 0.2, label: '0', latencyMs: NaN, region: '', xMissing: false });
    // Retrying the same batch does not store duplicates.
    const again = await call(base, 'POST', '/v1/events', { events: good.slice(0, 10) });
    assert.equal(again.body['accepted'], 0);
    assert.deepEqual((again.body['results'] as Array<{ code: string }>).map((x) => x.code), new Array(10).fill('duplicate_id'));
    assert.equal(await s.deps.store.countEvents('scoring'), 1501);
    // Rejected rows of a known model are stored as data-quality events.
    assert.equal(await s.deps.store.countRejects('scoring'), 6);
    const shifted = await call(base, 'POST', '/v1/events', makeEvents(H2, 1500, 1.0));
    assert.equal(shifted.body['accepted'], 1500);
  });

  test('GET /drift: no drift in the first hour, drift of x in the shifted hour, method and threshold recorded', async () => {
    const d1 = await call(base, 'GET', `/v1/models/scoring/drift?from=${H1}&to=${H1 + HOUR}&version=1`);
    assert.equal(d1.status, 200, JSON.stringify(d1.body));
    const f1 = d1.body['features'] as Array<{ name: string; method: string; threshold: number; autoSelected: boolean; drifted: boolean; score: number }>;
    assert.deepEqual(f1.map((f) => [f.name, f.method, f.threshold, f.autoSelected]), [['x', 'wasserstein', 0.1, true], ['y', 'wasserstein', 0.1, true], ['c', 'jensenshannon', 0.1, true]]);
    assert.deepEqual(f1.map((f) => f.drifted), [false, false, false]);
    const d2 = await call(base, 'GET', `/v1/models/scoring/drift?from=${H2}&to=${H2 + HOUR}`);
    const f2 = d2.body['features'] as typeof f1;
    assert.equal(f2[0]?.drifted, true);
    assert.ok((f2[0]?.score ?? 0) > 0.5, `normalised Wasserstein of a 1-sigma shift: ${f2[0]?.score}`);
    assert.equal(f2[1]?.drifted, false);
    const ks = await call(base, 'GET', `/v1/models/scoring/drift?from=${H2}&to=${H2 + HOUR}&method=ks`);
    const fk = (ks.body['features'] as typeof f1)[0];
    assert.deepEqual([fk?.method, fk?.autoSelected, fk?.drifted], ['ks', false, true]);
    const bad = await call(base, 'GET', '/v1/models/scoring/drift?method=magic');
    assert.equal(bad.status, 400);
    assert.match(String((bad.body['error'] as { message: string }).message), /known methods: chisquare/);
  });

  test('GET /quality: missing rates and rejected rows', async () => {
    const q = await call(base, 'GET', `/v1/models/scoring/quality?from=${H1}&to=${H1 + HOUR}`);
    assert.equal(q.status, 200);
    const x = (q.body['features'] as Array<{ name: string; missing: number; missingRate: number }>).find((f) => f.name === 'x');
    assert.equal(x?.missing, 60); // every 25th of 1500
    assert.equal(x?.missingRate, 60 / 1501);
    // Rejected rows count at arrival time (their own timestamps may be what is wrong), in the windows of the
    // version they name; a row naming an unknown version is stored as a reject of the model only.
    const all = await call(base, 'GET', `/v1/models/scoring/quality?from=${H1}&to=${NOW + 60_000}`);
    assert.equal(all.body['rejected'], 5);
    assert.deepEqual(all.body['rejectedByCode'], { schema_violation: 2, invalid_prediction: 1, invalid_score: 1, invalid_timestamp: 1 });
  });

  test('GET /health: latency quantiles within 1% of exact, exact error rate and throughput', async () => {
    const h = await call(base, 'GET', `/v1/models/scoring/health?from=${H2}&to=${H2 + HOUR}`);
    const lat = sent.filter((e) => e.ts >= H2 && e.ts < H2 + HOUR).map((e) => e.latencyMs).sort((a, b) => a - b);
    const exact = (q: number): number => lat[Math.max(0, Math.ceil(q * lat.length) - 1)] as number;
    const body = h.body as { events: number; errorRate: number; throughputPerSecond: number; latencyMs: { p50: number; p95: number; p99: number } };
    assert.equal(body.events, 1500);
    assert.equal(body.errorRate, 30 / 1500);
    assert.equal(body.throughputPerSecond, 1500 / 3600);
    for (const [k, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
      assert.ok(Math.abs(body.latencyMs[k] - exact(q)) <= 0.011 * exact(q) + 1e-9, `${k}: ${body.latencyMs[k]} vs ${exact(q)}`);
    }
  });

  test('POST /v1/labels and GET /performance: realized metrics match the metrics core, CBPE estimate beside them', async () => {
    const h1 = sent.filter((e) => e.ts >= H1 && e.ts < H1 + HOUR && e.region !== '');
    const res = await call(base, 'POST', '/v1/labels', { labels: [...h1.map((e) => ({ id: e.id, label: e.label })), { id: 'no-such-id', label: '1' }, { id: 5 }] });
    assert.equal(res.status, 200);
    assert.equal(res.body['accepted'], h1.length);
    assert.deepEqual((res.body['results'] as Array<{ code?: string }>).slice(-2).map((x) => x.code), ['unknown_prediction', 'invalid_id']);
    // issue 3: each label is stored with its prediction's time (reads of labelled events filter labels by it)
    const read = (s.deps.store as unknown as { read(sql: { text: string; params: never[] }): Promise<Array<{ id: string; ts: bigint | null }>> }).read.bind(s.deps.store);
    const times = new Map((await read({ text: 'SELECT id, ts FROM labels', params: [] })).map((r) => [r.id, r.ts === null ? null : Number(r.ts)]));
    assert.deepEqual(h1.map((e) => times.get(e.id)), h1.map((e) => e.ts));
    const p = await call(base, 'GET', `/v1/models/scoring/performance?from=${H1}&to=${H1 + HOUR}`);
    const body = p.body as { labelled: number; realized: { metrics: Record<string, { value: number }> }; estimated: { accuracy: number }; bySegment: Array<{ segment: string; labelled: number }> };
    assert.equal(body.labelled, h1.length);
    const expected = computeMetrics({ task: 'binary', labels: h1.map((e) => e.label), predictions: h1.map((e) => e.prediction), scores: h1.map((e) => e.score), positiveLabel: '1', resamples: 200 });
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc']) assert.equal(body.realized.metrics[k]?.value, expected.metrics[k]?.value, k);
    assert.ok(Math.abs(body.estimated.accuracy - (expected.metrics['accuracy']?.value ?? 0)) < 0.06, `CBPE ${body.estimated.accuracy} vs realized ${expected.metrics['accuracy']?.value}`);
    assert.deepEqual(body.bySegment.map((x) => x.segment), ['region=eu', 'region=us']);
    const eu = await call(base, 'GET', `/v1/models/scoring/performance?from=${H1}&to=${H1 + HOUR}&segment=region=eu`);
    assert.equal((eu.body as { labelled: number }).labelled, h1.filter((e) => e.region === 'eu').length);
  });

  test('issue 6: GET /performance is kept between reads and recomputed once labels arrive (never stale); segments=false', async () => {
    const h1 = sent.filter((e) => e.ts >= H1 && e.ts < H1 + HOUR && e.region !== '');
    const url = `/v1/models/scoring/performance?from=${H1}&to=${H1 + HOUR}`;
    const first = await call(base, 'GET', url);
    assert.deepEqual((await call(base, 'GET', url)).body, first.body);
    const slim = await call(base, 'GET', `${url}&segments=false`);
    assert.equal(slim.body['bySegment'], null);
    assert.deepEqual(slim.body['realized'], first.body['realized']);
    assert.equal((await call(base, 'GET', `${url}&segments=maybe`)).status, 400);
    const flipped = h1.slice(0, 40).map((e) => ({ id: e.id, label: e.label === '1' ? '0' : '1' }));
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: flipped })).status, 200);
    const labels = h1.map((e, i) => (i < 40 ? (e.label === '1' ? '0' : '1') : e.label));
    const expected = computeMetrics({ task: 'binary', labels, predictions: h1.map((e) => e.prediction), scores: h1.map((e) => e.score), positiveLabel: '1', resamples: 200 });
    for (const q of [url, `${url}&segments=false`]) {
      const metrics = ((await call(base, 'GET', q)).body['realized'] as { metrics: Record<string, { value: number }> }).metrics;
      for (const k of ['accuracy', 'f1', 'rocAuc']) assert.equal(metrics[k]?.value, expected.metrics[k]?.value, `${q}: ${k}`);
    }
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: h1.slice(0, 40).map((e) => ({ id: e.id, label: e.label })) })).status, 200);
    assert.deepEqual((await call(base, 'GET', url)).body, first.body);
  });

  test('issue 6: GET /performance?metrics= computes only the metrics asked for, with the same values and CIs; ci=false skips the bootstraps', async () => {
    const url = `/v1/models/scoring/performance?from=${H1}&to=${H1 + HOUR}`;
    const full = (await call(base, 'GET', url)).body as { realized: { metrics: Record<string, unknown> }; bySegment: Array<{ realized: { metrics: Record<string, unknown> } }> };
    const only = (await call(base, 'GET', `${url}&metrics=accuracy,rocAuc`)).body as typeof full;
    assert.deepEqual(Object.keys(only.realized.metrics).sort(), ['accuracy', 'rocAuc']);
    assert.deepEqual(only.realized.metrics['accuracy'], full.realized.metrics['accuracy']);
    assert.deepEqual(only.realized.metrics['rocAuc'], full.realized.metrics['rocAuc'], 'same bootstrap CI when other metrics are skipped');
    assert.deepEqual(only.bySegment.map((x) => Object.keys(x.realized.metrics).sort()), only.bySegment.map(() => ['accuracy', 'rocAuc']));
    const bad = await call(base, 'GET', `${url}&metrics=accuracy,mae`);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /binary metrics: accuracy, precision, recall, f1, rocAuc, logLoss/);
    assert.deepEqual((bad.body['error'] as { details: { unknown: string[] } }).details.unknown, ['mae']);
    assert.equal((await call(base, 'GET', `${url}&metrics=`)).status, 400);
    // ci=false: point values only (no bootstrap), the same values
    const points = (await call(base, 'GET', `${url}&metrics=accuracy,rocAuc&ci=false`)).body as { realized: { metrics: Record<string, { value: number; ci: unknown }> } };
    for (const k of ['accuracy', 'rocAuc']) {
      assert.equal(points.realized.metrics[k]?.value, (full.realized.metrics[k] as { value: number }).value, k);
    }
    assert.equal(points.realized.metrics['rocAuc']?.ci ?? null, null, 'no bootstrap CI');
    assert.equal((await call(base, 'GET', `${url}&ci=maybe`)).status, 400);
  });

  test('issue 6: GET /performance/buckets answers per aligned bucket what /performance?segments=false answers for its range; labels are never stale', async () => {
    const step = 15 * 60_000;
    const from = H1 - 20 * 60_000; // not aligned: the first bucket is [from, H1 - 15 min), clipped to the range, before any label
    const url = (q = ''): string => `/v1/models/scoring/performance/buckets?from=${from}&to=${H1 + HOUR}&step=15m${q}`;
    type B = { step: number; buckets: Array<{ from: number; to: number; labelled: number; realized: { metrics: Record<string, { value: number; ci: unknown }> } | null }>; reference: unknown };
    const res = await call(base, 'GET', url('&metrics=accuracy,rocAuc'));
    assert.equal(res.status, 200);
    const body = res.body as unknown as B;
    assert.equal(body.step, step);
    assert.deepEqual(body.buckets.map((b) => [b.from, b.to]), [0, 1, 2, 3, 4, 5].map((i) => [Math.max(from, H1 - 30 * 60_000 + i * step), H1 - 15 * 60_000 + i * step]));
    assert.deepEqual(body.buckets.slice(0, 2).map((b) => [b.labelled, b.realized]), [[0, null], [0, null]]);
    for (const b of body.buckets.slice(2)) {
      const one = (await call(base, 'GET', `/v1/models/scoring/performance?from=${b.from}&to=${b.to}&segments=false&metrics=accuracy,rocAuc`)).body;
      assert.equal(b.labelled, one['labelled']);
      assert.ok(b.labelled > 50, `${b.labelled} labelled`);
      assert.deepEqual(b.realized, one['realized'], 'same values and bootstrap CIs');
    }
    const inBucket = (b: { from: number; to: number }, region?: string) => sent.filter((e) => e.ts >= b.from && e.ts < b.to && e.ts >= H1 && e.ts < H1 + HOUR && (region === undefined || e.region === region));
    const b3 = body.buckets[3] as B['buckets'][number];
    const exp = computeMetrics({ task: 'binary', labels: inBucket(b3).map((e) => e.label), predictions: inBucket(b3).map((e) => e.prediction), scores: inBucket(b3).map((e) => e.score), positiveLabel: '1', resamples: 200, only: ['accuracy', 'rocAuc'] });
    assert.deepEqual(b3.realized?.metrics, exp.metrics, 'the metrics core on the bucket\'s labelled events');
    // one segment; ci=false
    const eu = (await call(base, 'GET', url('&segment=region=eu&ci=false&metrics=accuracy'))).body as unknown as B;
    for (const b of eu.buckets.slice(2)) {
      const e = inBucket(b, 'eu');
      assert.equal(b.labelled, e.length);
      assert.equal(b.realized?.metrics['accuracy']?.value, e.filter((x) => x.label === x.prediction).length / e.length);
    }
    // labels arriving later change a cached bucket at once
    const flip = inBucket(b3).slice(0, 30);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: flip.map((e) => ({ id: e.id, label: e.label === '1' ? '0' : '1' })) })).status, 200);
    const after = (await call(base, 'GET', url('&metrics=accuracy,rocAuc'))).body as unknown as B;
    const labels = inBucket(b3).map((e, i) => (i < 30 ? (e.label === '1' ? '0' : '1') : e.label));
    const exp2 = computeMetrics({ task: 'binary', labels, predictions: inBucket(b3).map((e) => e.prediction), scores: inBucket(b3).map((e) => e.score), positiveLabel: '1', resamples: 200, only: ['accuracy', 'rocAuc'] });
    assert.deepEqual(after.buckets[3]?.realized?.metrics, exp2.metrics);
    assert.notDeepEqual(exp2.metrics, exp.metrics);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: flip.map((e) => ({ id: e.id, label: e.label })) })).status, 200);
    assert.deepEqual(((await call(base, 'GET', url('&metrics=accuracy,rocAuc'))).body as unknown as B).buckets[3]?.realized?.metrics, exp.metrics);
    // bad parameters: structured 400s
    for (const [q, msg] of [['', /step must be a duration/], ['&step=soon', /step must be a duration/], ['&step=30s', /at least a minute/], [`&step=1m&from=${H1 - 20 * HOUR}`, /1260 buckets; at most 1000/], ['&step=1h&metrics=mae', /binary metrics/], ['&step=1h&ci=maybe', /ci must be true or false/]] as const) {
      const bad = await call(base, 'GET', `/v1/models/scoring/performance/buckets?to=${H1 + HOUR}${q.includes('from=') ? '' : `&from=${from}`}${q}`);
      assert.equal(bad.status, 400, q);
      assert.match((bad.body['error'] as { message: string }).message, msg, q);
    }
    assert.equal((await call(base, 'GET', '/v1/models/nope/performance/buckets?step=1h')).status, 404);
  });

  test('issue 6: GET /segments lists the segments with traffic in the range (from the stored windows)', async () => {
    const r = await call(base, 'GET', `/v1/models/scoring/segments?from=${H1}&to=${H2 + HOUR}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body['segments'], ['region=eu', 'region=us']);
    assert.deepEqual((await call(base, 'GET', `/v1/models/scoring/segments?from=${H1 - 30 * 86_400_000}&to=${H1 - 20 * 86_400_000}`)).body['segments'], []);
    assert.equal((await call(base, 'GET', '/v1/models/nope/segments')).status, 404);
    // details=true: each segment's health and drifted features, as /health and /drift answer for the segment
    const range = `from=${H1}&to=${H2 + HOUR}`;
    const d = await call(base, 'GET', `/v1/models/scoring/segments?${range}&details=true`);
    assert.equal(d.status, 200);
    const details = d.body['details'] as Array<Record<string, unknown> & { segment: string; driftedFeatures: string[] | null }>;
    assert.deepEqual(details.map((x) => x.segment), ['region=eu', 'region=us']);
    assert.equal(d.body['detailsTruncated'], false);
    for (const x of details) {
      const seg = `segment=${encodeURIComponent(x.segment)}`;
      const health = (await call(base, 'GET', `/v1/models/scoring/health?${range}&${seg}`)).body;
      for (const k of ['events', 'errorRate', 'latencyMs', 'throughputPerSecond', 'costUsd']) assert.deepEqual(x[k], health[k], `${x.segment} ${k}`);
      const drift = (await call(base, 'GET', `/v1/models/scoring/drift?${range}&${seg}`)).body as { features: Array<{ name: string; drifted: boolean }> };
      assert.deepEqual(x.driftedFeatures, drift.features.filter((f) => f.drifted).map((f) => f.name));
    }
    assert.ok(details.some((x) => (x.driftedFeatures ?? []).includes('x')), 'x drifted in the second hour shows in a segment');
    assert.equal((await call(base, 'GET', `/v1/models/scoring/segments?${range}&details=maybe`)).status, 400);
  });

  test('GET /timeseries: one point per window, values per window', async () => {
    const t = await call(base, 'GET', `/v1/models/scoring/timeseries?metric=events&from=${H1}&to=${H2 + HOUR}&granularity=hour`);
    const pts = t.body['points'] as Array<{ t: number; value: number | null }>;
    // the empty hour counts 0 events (null until audit 23), and has no drift score
    assert.deepEqual(pts.map((p) => p.value), [1501, 0, 1500]);
    const d = await call(base, 'GET', `/v1/models/scoring/timeseries?metric=drift:x&from=${H1}&to=${H2 + HOUR}&granularity=hour`);
    const dv = (d.body['points'] as Array<{ value: number | null }>).map((p) => p.value);
    assert.ok((dv[0] ?? 1) < 0.1 && (dv[2] ?? 0) > 0.5, JSON.stringify(dv));
    assert.equal(dv[1], null);
    const bad = await call(base, 'GET', '/v1/models/scoring/timeseries?metric=bogus');
    assert.equal(bad.status, 400);
  });

  test('GET /events: sampled raw events with their features', async () => {
    const e = await call(base, 'GET', `/v1/models/scoring/events?from=${H2}&to=${H2 + HOUR}&limit=5&segment=region=eu`);
    const list = e.body['events'] as Array<{ id: string; segment: string; features: Record<string, unknown> }>;
    assert.ok(list.length > 0 && list.length <= 5);
    for (const x of list) {
      assert.equal(x.segment, 'region=eu');
      assert.ok('c' in x.features);
    }
    assert.equal((await call(base, 'GET', '/v1/models/scoring/events?limit=0')).status, 400);
  });

  test('a version whose reference is a past time range of stored traffic', async () => {
    const v = await call(base, 'POST', '/v1/models/scoring/versions', { version: '2', reference: { from: new Date(H1).toISOString(), to: H1 + HOUR, version: '1' } });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    const v2 = (v.body['versions'] as Array<{ version: string; reference: { rows: number; source: Record<string, unknown> } }>).find((x) => x.version === '2');
    assert.equal(v2?.reference.rows, 1501);
    assert.deepEqual(v2?.reference.source, { from: H1, to: H1 + HOUR, version: '1' });
    const events = makeEvents(H2 + HOUR, 800, 1.0).map((e) => ({ ...e, version: '2', id: `v2-${String(e['id'])}` }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 800);
    const d = await call(base, 'GET', `/v1/models/scoring/drift?version=2&from=${H2 + HOUR}&to=${H2 + 2 * HOUR}`);
    const f = d.body['features'] as Array<{ name: string; drifted: boolean }>;
    assert.deepEqual(f.map((x) => [x.name, x.drifted]), [['x', true], ['y', false], ['c', false]]);
    const missing = await call(base, 'POST', '/v1/models/scoring/versions', { version: '3', reference: { from: H1, to: H1 - 1 } });
    assert.equal(missing.status, 400);
  });

  test('structured errors with the right status', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['GET', '/v1/models/none/drift', undefined, 404, 'unknown_model'],
      ['POST', '/v1/events', '{"events": [', 400, 'invalid_json'],
      ['POST', '/v1/events', '{"events": [NaN]}', 400, 'invalid_json'],
      ['POST', '/v1/events', { events: 'x' }, 400, 'bad_request'],
      ['GET', '/v1/nothing', undefined, 404, 'not_found'],
      ['GET', '/v1/models/scoring/drift?from=abc', undefined, 400, 'bad_request'],
      ['POST', '/v1/models', { name: 'bad name!', outputKind: 'binary', inputSchema: {} }, 400, 'validation_failed'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const headers: Record<string, string> = typeof body === 'string' ? { 'content-type': 'application/json' } : {};
      const res = await call(base, method, path, body, headers);
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal((res.body['error'] as { code: string }).code, code, `${method} ${path}`);
      assert.equal(typeof (res.body['error'] as { message: string }).message, 'string');
    }
    const big = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"events":["${'x'.repeat(17 * 1024 * 1024)}"]}` });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'payload_too_large');
    assert.equal(await s.deps.store.countEvents('scoring'), 3801, 'nothing stored by bad requests');
  });

  test('/metrics exposes ingest counters and /healthz answers', async () => {
    const m = await fetch(`${base}/metrics`);
    const text = await m.text();
    assert.match(text, /lookout_events_accepted_total\{model="scoring"\} 3801/);
    assert.match(text, /lookout_events_rejected_total\{model="scoring",code="schema_violation"\} 2/);
    assert.match(text, /lookout_ingest_queue_events 0/);
    // Each committed group's time, and where it went: the four stages partition it.
    const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
    const commits = value(/^lookout_ingest_commit_seconds_count (\S+)$/m);
    const total = value(/^lookout_ingest_commit_seconds_sum (\S+)$/m);
    assert.ok(commits > 0, 'groups were committed');
    let sum = 0;
    for (const stage of ['prepare', 'wait', 'store', 'apply']) {
      assert.equal(value(new RegExp(`^lookout_ingest_commit_stage_seconds_count\\{stage="${stage}"\\} (\\S+)$`, 'm')), commits, stage);
      const seconds = value(new RegExp(`^lookout_ingest_commit_stage_seconds_sum\\{stage="${stage}"\\} (\\S+)$`, 'm'));
      assert.ok(seconds >= 0, `${stage}: ${seconds}`);
      sum += seconds;
    }
    assert.ok(Math.abs(sum - total) < 1e-6 * Math.max(1, commits), `stages ${sum} s against ${total} s in all`);
    // The deltas are computed beside wait and store (COMMIT waits for them): within each group's time, not added to it.
    assert.equal(value(/^lookout_ingest_commit_stage_seconds_count\{stage="deltas"\} (\S+)$/m), commits, 'deltas');
    const deltas = value(/^lookout_ingest_commit_stage_seconds_sum\{stage="deltas"\} (\S+)$/m);
    assert.ok(deltas > 0 && deltas <= total, `deltas ${deltas} s against ${total} s in all`);
    // The embedded store's memory by component, as DuckDB accounts it: the events' id index holds the stored ids.
    const memory = new Map([...text.matchAll(/^lookout_store_memory_bytes\{component="([A-Z_]+)"\} (\S+)$/gm)].map((x) => [x[1], Number(x[2])]));
    const own = new Map((await (s.deps.store.memoryUsage?.() ?? Promise.resolve([]))).map((x) => [x.component, x.bytes]));
    assert.ok((memory.get('ART_INDEX') ?? 0) > 0, JSON.stringify([...memory]));
    assert.deepEqual([...memory.keys()].sort(), [...own.keys()].sort());
    assert.equal((await call(base, 'GET', '/healthz')).status, 200);
  });
});

describe('lookout serve with API keys (scopes ingest, read, admin; keys stored hashed)', () => {
  let s: Server;
  before(async () => {
    s = await testServer({
      configure: (c) => {
        c.auth.keys = [
          { name: 'writer', sha256: hashKey('k-ingest-0123456789'), scopes: ['ingest'] },
          { name: 'viewer', sha256: hashKey('k-read-0123456789'), scopes: ['read'] },
          { name: 'ops', sha256: hashKey('k-admin-0123456789'), scopes: ['admin'] },
        ];
      },
    });
  });
  after(async () => {
    await s.close();
  });

  test('every endpoint but /healthz needs a key with the right scope', async () => {
    const b = s.url;
    assert.equal((await call(b, 'GET', '/healthz')).status, 200);
    const none = await call(b, 'GET', '/v1/models');
    assert.equal(none.status, 401);
    assert.equal((none.body['error'] as { code: string }).code, 'unauthorized');
    assert.equal((await call(b, 'GET', '/v1/models', undefined, { authorization: 'Bearer wrong' })).status, 401);
    const forbidden = await call(b, 'GET', '/v1/models', undefined, { authorization: 'Bearer k-ingest-0123456789' });
    assert.equal(forbidden.status, 403);
    assert.match((forbidden.body['error'] as { message: string }).message, /lacks the "read" scope/);
    assert.equal((await call(b, 'GET', '/v1/models', undefined, { 'x-api-key': 'k-read-0123456789' })).status, 200);
    assert.equal((await call(b, 'POST', '/v1/models', MODEL, { authorization: 'Bearer k-read-0123456789' })).status, 403);
    assert.equal((await call(b, 'POST', '/v1/models', MODEL, { authorization: 'Bearer k-admin-0123456789' })).status, 201);
    assert.equal((await call(b, 'POST', '/v1/events', { events: [] }, { authorization: 'Bearer k-read-0123456789' })).status, 403);
    assert.equal((await call(b, 'POST', '/v1/events', { events: [] }, { authorization: 'Bearer k-ingest-0123456789' })).status, 200);
    assert.equal((await call(b, 'GET', '/metrics')).status, 401);
  });
});
