import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { mulberry32 } from './helpers/quality-scenario.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { answerChecker, ANSWERS2_OPS, type AnswerChecker } from './helpers/answers.js';
import { call, testServer } from './helpers/server.js';

/*
 * The successful answers GET /v1/openapi.json describes (src/http/answers/): on a real server with a DuckDB file, fed
 * over HTTP (a binary classifier with segments, scores, costs and a failed inference, a regression model, a model
 * without a reference, labels, an alert), every described operation is called with ordinary and edge inputs (an empty
 * range, no reference, a sampled range, a segment filter, clipped hour points, paging) and each real answer is validated,
 * with Ajv 2020 resolving the document's components, against the schema the document declares for that operation and
 * status. Negative controls: a required field removed, a wrong type, an unknown metric or code, fail validation.
 */

const HOUR = 3_600_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const T0 = NOW - 3 * HOUR;


/** The operations whose successful answer the document must describe (the brief's list, and the others described). */
const REQUIRED = [
  'post /v1/events', 'post /v1/labels', 'get /v1/models', 'get /v1/models/{name}', 'get /v1/models/{name}/drift', 'get /v1/models/{name}/health',
  'get /v1/models/{name}/performance', 'get /v1/models/{name}/performance/buckets', 'get /v1/models/{name}/timeseries', 'get /v1/models/{name}/segments',
  'get /v1/overview', 'get /v1/alerts', 'get /v1/models/{name}/series', 'get /v1/models/{name}/quality', 'get /v1/models/{name}/features/{feature}/distribution',
  'get /v1/alerts/{id}', 'post /v1/alerts', 'post /v1/alerts/{id}/ack', 'put /v1/models/{name}/versions/{version}/reference', 'get /v1/models/{name}/events',
  'get /v1/silences', 'post /v1/silences', 'delete /v1/silences/{id}', 'post /v1/models', 'post /v1/models/{name}/versions',
  'get /v1/monitors', 'post /v1/monitors', 'get /v1/monitors/{id}', 'delete /v1/monitors/{id}', 'get /v1/monitors/{id}/evaluations',
];

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const pgSchemas = testSchemas('lookout_oapi', pgUrl);

for (const store of ['duckdb', 'postgres'] as const) {
describe(`answers described by GET /v1/openapi.json (real server, ${store === 'duckdb' ? 'DuckDB file' : 'PostgreSQL'})`, { skip: store === 'postgres' && !pgUrl ? 'LOOKOUT_TEST_PG_URL not set' : false }, () => {
  let s: Server;
  let base = '';
  let checker: AnswerChecker;
  const rnd = mulberry32(20261206);
  const check: AnswerChecker['check'] = (...a) => checker.check(...a);
  const refused: AnswerChecker['refused'] = (...a) => checker.refused(...a);

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => {
      c.server.maxLabelledEvents = 100; // the classifier's 240 labelled events are then sampled
      c.ingest.sampleRate = 1; // every event kept with its features (GET /events)
      if (store === 'postgres') c.storage = pgSchemas.url('answers');
    } });
    base = s.url;
    checker = await answerChecker(() => base);

    const inputSchema = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
    for (const m of [
      { name: 'clf', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region'], inputSchema },
      { name: 'reg', outputKind: 'regression', inputSchema, description: 'minutes to deliver' },
      { name: 'bare', outputKind: 'binary', inputSchema },
    ]) {
      await check('post', '/v1/models', '/v1/models', 201, m);
      await check('post', '/v1/models/{name}/versions', `/v1/models/${m.name}/versions`, 201, { version: '1', ...(m.name === 'reg' && { metadata: { git: 'abc' } }) });
    }
    // declared again: 200
    await check('post', '/v1/models', '/v1/models', 200, { name: 'bare', outputKind: 'binary', inputSchema });
    await check('post', '/v1/models/{name}/versions', '/v1/models/bare/versions', 200, { version: '1' });
    const cats = ['a', 'b', 'c'];
    const refClf = Array.from({ length: 300 }, (_, i) => {
      const score = Math.round(rnd() * 1000) / 1000;
      return `${(rnd() * 10).toFixed(3)},${cats[i % 3]},${score >= 0.5 ? 'yes' : 'no'},${score},${rnd() < score ? 'yes' : 'no'}`;
    });
    const put = '/v1/models/{name}/versions/{version}/reference';
    await check('put', put, '/v1/models/clf/versions/1/reference', 200, `x,c,prediction,score,label\n${refClf.join('\n')}\n`, { 'content-type': 'text/csv' });
    const refReg = Array.from({ length: 150 }, (_, i) => `${(rnd() * 10).toFixed(3)},${cats[i % 3]},${(i % 20) + 0.5},${i % 20}`);
    await check('put', put, '/v1/models/reg/versions/1/reference', 200, `x,c,prediction,label\n${refReg.join('\n')}\n`, { 'content-type': 'text/csv' });

    // the classifier: 240 events in two regions, scores, latencies, costs for half, a failed inference; a rejected row
    const clf = Array.from({ length: 240 }, (_, i) => {
      const score = Math.round(rnd() * 1000) / 1000;
      return {
        id: `c-${i}`, model: 'clf', version: '1', timestamp: T0 + i * 30_000, features: { x: rnd() * 12, c: cats[i % 4] ?? 'd' },
        prediction: score >= 0.5 ? 'yes' : 'no', score, latencyMs: 5 + (i % 40), segment: { region: i % 2 ? 'eu' : 'us' }, ...(i % 2 === 0 && { costUsd: 0.001 }),
      };
    });
    const failed = { id: 'c-failed', model: 'clf', version: '1', timestamp: T0 + 5 * MIN, features: { x: 1, c: 'a' }, error: 'upstream timeout', latencyMs: 900, segment: { region: 'eu' } };
    const badRow = { id: 'c-bad', model: 'clf', version: '1', timestamp: T0, features: { x: 'not a number', c: 'a' }, prediction: 'yes' };
    const ev = await check('post', '/v1/events', '/v1/events', 200, { events: [...clf, failed, badRow] });
    assert.equal(ev['accepted'], 241);
    assert.equal(ev['rejected'], 1);
    // the same rows again: duplicate_id, a rejected result with details absent (and one with a model in details: below)
    const again = await check('post', '/v1/events', '/v1/events', 200, { events: clf.slice(0, 3) });
    assert.equal(again['rejected'], 3);
    const reg = Array.from({ length: 80 }, (_, i) => ({ id: `r-${i}`, model: 'reg', version: '1', timestamp: T0 + i * MIN, features: { x: rnd() * 10, c: cats[i % 3] }, prediction: (i % 20) + rnd() }));
    // an id of the classifier sent as a regression event: duplicate_id naming the other model in details
    const cross = await check('post', '/v1/events', '/v1/events', 200, [...reg, { id: 'c-7', model: 'reg', version: '1', timestamp: T0, features: { x: 1, c: 'a' }, prediction: 2 }]);
    assert.equal(cross['accepted'], 80);
    assert.deepEqual(((cross['results'] as Array<Record<string, unknown>>)[80] as { details?: unknown }).details, { model: 'clf' });
    await check('post', '/v1/events', '/v1/events', 200, { events: Array.from({ length: 20 }, (_, i) => ({ id: `b-${i}`, model: 'bare', version: '1', timestamp: T0 + i * MIN, features: { x: i, c: 'a' }, prediction: i % 2 ? 'yes' : 'no' })) });
    await check('post', '/v1/events', '/v1/events', 200, { events: [] });

    const labels = await check('post', '/v1/labels', '/v1/labels', 200, {
      labels: [
        ...clf.map((e, i) => ({ id: e.id, label: rnd() < e.score ? 'yes' : 'no', ...(i === 0 && { model: 'clf' }) })),
        { id: 'nope', label: 'yes' }, { id: 'c-1', label: 'maybe' }, { id: 'r-1', label: 'x' }, { label: 'yes' }, { id: 'c-2', label: 'yes', model: 'reg' },
      ],
    });
    assert.equal(labels['accepted'], 240);
    assert.deepEqual((labels['results'] as Array<{ code?: string }>).slice(240).map((r) => r.code), ['unknown_prediction', 'invalid_label', 'invalid_label', 'invalid_id', 'model_mismatch']);
    await check('post', '/v1/labels', '/v1/labels', 200, [...reg.slice(0, 60).map((e) => ({ id: e.id, label: (e.prediction + rnd() - 0.5).toFixed(3) })), { id: 'r-70', label: 1 }, { id: 'r-70', label: 2 }]);
    await check('post', '/v1/labels', '/v1/labels', 200, { labels: Array.from({ length: 10 }, (_, i) => ({ id: `b-${i}`, label: i % 3 ? 'yes' : 'no' })) });

    // a multiclass model: per-class scores (CBPE macro estimates), a reference large enough for KS from compacted
    // sketches, and a categorical feature of more categories than a summary keeps (the "other" bucket)
    const mcSchema = { type: 'object', properties: { x: { type: 'number' }, city: { type: 'string' } } };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'mc', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: mcSchema })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/mc/versions', { version: '1' })).status, 201);
    const probs = (): number[] => {
      const w = [rnd() + 0.1, rnd() + 0.1, rnd() + 0.1];
      const t = w[0]! + w[1]! + w[2]!;
      return w.map((x) => Math.round((x / t) * 1000) / 1000);
    };
    const argmax = (p: number[]): string => cats[p.indexOf(Math.max(...p))] as string;
    const refMc = Array.from({ length: 1500 }, (_, i) => {
      const p = probs();
      return `${(rnd() * 100).toFixed(3)},city-${i % 250},${argmax(p)},${p.join(',')},${rnd() < 0.7 ? argmax(p) : cats[i % 3]}`;
    });
    await check('put', put, '/v1/models/mc/versions/1/reference', 200, `x,city,prediction,score_a,score_b,score_c,label\n${refMc.join('\n')}\n`, { 'content-type': 'text/csv' });
    const mc = Array.from({ length: 600 }, (_, i) => {
      const p = probs();
      return { id: `m-${i}`, model: 'mc', version: '1', timestamp: T0 + i * 15_000, features: { x: rnd() * 120, city: `city-${i % 260}` }, prediction: argmax(p), scores: p };
    });
    await check('post', '/v1/events', '/v1/events', 200, { events: mc });
    await check('post', '/v1/labels', '/v1/labels', 200, { labels: mc.slice(0, 90).map((e, i) => ({ id: e.id, label: i % 4 ? e.prediction : cats[i % 3] })) });
  });
  after(async () => {
    await s?.close();
  });

  const range = `from=${T0 - HOUR}&to=${NOW}`;
  const empty = `from=${NOW - 30 * HOUR}&to=${NOW - 29 * HOUR}`;
  /** From mid-hour: hour points clipped to the range. */
  const clipped = `from=${T0 + 20 * MIN}&to=${NOW - 10 * MIN}&granularity=hour`;

  test('models: the list (whole, paged, by prefix) and one model', async () => {
    const all = await check('get', '/v1/models', '/v1/models');
    assert.equal((all['models'] as unknown[]).length, 4);
    assert.equal(all['next'], null);
    const page = await check('get', '/v1/models', '/v1/models?limit=1');
    assert.equal(typeof page['next'], 'string');
    await check('get', '/v1/models', `/v1/models?limit=2&after=${String(page['next'])}`);
    await check('get', '/v1/models', '/v1/models?prefix=zzz');
    const clf = await check('get', '/v1/models/{name}', '/v1/models/clf');
    const version = (clf['versions'] as Array<{ reference: { metrics: unknown } | null }>)[0];
    assert.ok(version?.reference?.metrics, 'the classifier\'s reference has metrics');
    // the schemas are the document's only, not Fastify response schemas (whose serializer drops what they do not list):
    // a property the schema leaves open (source's fields) is still answered
    assert.equal(typeof (version?.reference as { source?: { file?: unknown } }).source?.file, 'string');
    const bare = await check('get', '/v1/models/{name}', '/v1/models/bare');
    assert.equal((bare['versions'] as Array<{ reference: unknown }>)[0]?.reference, null);
    await check('get', '/v1/models/{name}', '/v1/models/nosuch', 404);
    // negative controls: a required field removed, an output kind outside the set, a reference of the wrong type
    refused('get', '/v1/models/{name}', clf, (a) => delete a['segmentKeys'], 'segmentKeys removed');
    refused('get', '/v1/models/{name}', clf, (a) => (a['outputKind'] = 'ranking'), 'an unknown outputKind');
    refused('get', '/v1/models/{name}', clf, (a) => ((a['versions'] as Array<Record<string, unknown>>)[0]!['reference'] = 'file.csv'), 'a reference that is a string');
  });

  test('drift: whole range, a segment, a method, an empty range; 422 without a reference', async () => {
    const p = '/v1/models/{name}/drift';
    const d = await check('get', p, `/v1/models/clf/drift?${range}`);
    assert.equal((d['features'] as unknown[]).length, 2);
    assert.ok(d['prediction'] !== null);
    await check('get', p, `/v1/models/clf/drift?${range}&segment=region=eu&method=psi&threshold=0.2&driftShare=0.3`);
    await check('get', p, `/v1/models/reg/drift?${range}&method=wasserstein`);
    const none = await check('get', p, `/v1/models/clf/drift?${empty}`);
    assert.ok((none['features'] as Array<{ score: unknown; note?: string }>).every((f) => f.score === null && typeof f.note === 'string'), 'an empty range: no score, a note');
    await check('get', p, `/v1/models/bare/drift?${range}`, 422);
    refused('get', p, d, (a) => delete a['datasetDrift'], 'datasetDrift removed');
    refused('get', p, d, (a) => ((a['features'] as Array<Record<string, unknown>>)[0]!['score'] = 'high'), 'a score that is a string');
    refused('get', p, d, (a) => ((a['features'] as Array<Record<string, unknown>>)[0]!['method'] = 'magic'), 'an unknown method');
    refused('get', p, d, (a) => delete (a['features'] as Array<Record<string, unknown>>)[0]!['stats'], 'a feature\'s stats removed');
  });

  test('health: whole range, a segment, an empty range, no reference', async () => {
    const p = '/v1/models/{name}/health';
    const h = await check('get', p, `/v1/models/clf/health?${range}`);
    assert.equal(h['events'], 241);
    assert.ok((h['errorRate'] as number) > 0);
    await check('get', p, `/v1/models/clf/health?${range}&segment=region=us`);
    const none = await check('get', p, `/v1/models/clf/health?${empty}`);
    assert.equal(none['errorRate'], null);
    assert.equal(none['costPerInferenceUsd'], null);
    await check('get', p, `/v1/models/bare/health?${range}`);
    refused('get', p, h, (a) => delete a['latencyMs'], 'latencyMs removed');
    refused('get', p, h, (a) => delete a['requested'], 'requested removed');
    refused('get', p, h, (a) => (a['events'] = 2.5), 'a fractional event count');
  });

  test('performance: sampled with segments, options, regression, no reference, an empty range, a segment', async () => {
    const p = '/v1/models/{name}/performance';
    const perf = await check('get', p, `/v1/models/clf/performance?${range}`);
    assert.ok(perf['sampled'] !== null, 'the classifier\'s range is sampled');
    assert.ok(perf['estimated'] !== null && perf['labelDrift'] !== null);
    assert.equal((perf['bySegment'] as unknown[]).length, 2);
    await check('get', p, `/v1/models/clf/performance?${range}&segments=false&ci=false&metrics=accuracy,rocAuc`);
    await check('get', p, `/v1/models/clf/performance?${range}&segment=region=eu`);
    const reg = await check('get', p, `/v1/models/reg/performance?${range}`);
    assert.equal(reg['sampled'], null);
    assert.equal((reg['realized'] as { task: string }).task, 'regression');
    const bare = await check('get', p, `/v1/models/bare/performance?${range}`);
    assert.equal(bare['reference'], null);
    assert.equal(bare['labelDrift'], null);
    assert.equal(typeof bare['labelDriftNote'], 'string');
    const none = await check('get', p, `/v1/models/clf/performance?${empty}`);
    assert.equal(none['realized'], null);
    assert.equal(none['labelCoverage'], null);
    refused('get', p, perf, (a) => delete a['labelCoverage'], 'labelCoverage removed');
    refused('get', p, perf, (a) => (((a['realized'] as Record<string, unknown>)['metrics'] as Record<string, unknown>)['bogus'] = { value: 1, ci: null }), 'an unknown metric');
    refused('get', p, perf, (a) => (((a['realized'] as Record<string, unknown>)['metrics'] as Record<string, Record<string, unknown>>)['accuracy']!['ci'] = [0.1]), 'an interval of one number');
    refused('get', p, perf, (a) => delete (a['bySegment'] as Array<Record<string, unknown>>)[0]!['labelled'], 'a segment\'s labelled removed');
  });

  test('performance buckets: hours, half hours without intervals, an empty range, a segment', async () => {
    const p = '/v1/models/{name}/performance/buckets';
    const b = await check('get', p, `/v1/models/clf/performance/buckets?${range}&step=1h`);
    assert.equal((b['buckets'] as unknown[]).length, 4);
    await check('get', p, `/v1/models/reg/performance/buckets?from=${T0 + 7 * MIN}&to=${NOW}&step=30m&ci=false&metrics=mae`);
    await check('get', p, `/v1/models/clf/performance/buckets?${empty}&step=15m&segment=region=eu`);
    await check('get', p, `/v1/models/bare/performance/buckets?${range}&step=2h`);
    refused('get', p, b, (a) => delete (a['buckets'] as Array<Record<string, unknown>>)[0]!['estimated'], 'a bucket\'s estimated removed');
    refused('get', p, b, (a) => delete a['step'], 'step removed');
  });

  test('timeseries and series: counts, drift with and without a method, clipped hours, no reference', async () => {
    const p = '/v1/models/{name}/timeseries';
    const t = await check('get', p, `/v1/models/clf/timeseries?${range}&metric=events`);
    assert.ok((t['points'] as unknown[]).length > 100);
    const drift = await check('get', p, `/v1/models/clf/timeseries?${clipped}&metric=drift:x`);
    assert.equal(typeof drift['method'], 'string');
    assert.ok((drift['points'] as Array<{ from?: number }>).some((x) => x.from !== undefined), 'clipped points');
    await check('get', p, `/v1/models/clf/timeseries?${range}&metric=predictionDrift&method=psi&granularity=hour`);
    await check('get', p, `/v1/models/clf/timeseries?${range}&metric=latencyP95&segment=region=eu`);
    await check('get', p, `/v1/models/bare/timeseries?${range}&metric=drift:c`);
    await check('get', p, `/v1/models/clf/timeseries?${empty}&metric=errorRate`);
    refused('get', p, t, (a) => ((a['points'] as Array<Record<string, unknown>>)[0]!['value'] = 'n/a'), 'a value that is a string');
    refused('get', p, t, (a) => (a['granularity'] = 'week'), 'an unknown granularity');
    const sp = '/v1/models/{name}/series';
    const series = await check('get', sp, `/v1/models/clf/series?${clipped}&metrics=events,drift:c,errorRate,estimatedAccuracy`);
    assert.ok(Array.isArray(series['clipped']));
    await check('get', sp, `/v1/models/reg/series?${range}&metrics=throughput,predictionDrift&method=wasserstein`);
    refused('get', sp, series, (a) => delete a['methods'], 'methods removed');
  });

  test('raw events: a page, the next one, a segment, an empty range', async () => {
    const p = '/v1/models/{name}/events';
    const first = await check('get', p, `/v1/models/clf/events?${range}&limit=200`);
    assert.equal(typeof first['next'], 'string');
    const last = await check('get', p, `/v1/models/clf/events?${range}&limit=200&before=${String(first['next'])}`);
    assert.equal(last['next'], null);
    const events = [...first['events'] as unknown[], ...last['events'] as unknown[]] as Array<{ error: string | null; prediction: unknown }>;
    assert.equal(events.length, 241);
    assert.ok(events.some((e) => e.error !== null && e.prediction === null), 'the failed inference');
    // no segment: the parameter left out (`segment=` is a 400 since audit 25)
    await check('get', p, `/v1/models/mc/events?${range}&limit=5`);
    await check('get', p, `/v1/models/clf/events?${range}&segment=region=eu&limit=3`);
    await check('get', p, `/v1/models/reg/events?${empty}`);
    refused('get', p, first, (a) => delete (a['events'] as Array<Record<string, unknown>>)[0]!['ts'], 'an event\'s ts removed');
    refused('get', p, first, (a) => ((a['events'] as Array<Record<string, unknown>>)[0]!['score'] = '0.3'), 'a score as text');
  });

  test('segments, quality, distribution', async () => {
    const p = '/v1/models/{name}/segments';
    await check('get', p, `/v1/models/clf/segments?${range}`);
    const d = await check('get', p, `/v1/models/clf/segments?${range}&details=true`);
    assert.equal((d['details'] as unknown[]).length, 2);
    await check('get', p, `/v1/models/clf/segments?${range}&segment=region=eu&details=true`);
    await check('get', p, `/v1/models/bare/segments?${range}&details=true`);
    await check('get', p, `/v1/models/clf/segments?${empty}`);
    refused('get', p, d, (a) => delete (a['details'] as Array<Record<string, unknown>>)[0]!['driftedFeatures'], 'driftedFeatures removed');
    refused('get', p, d, (a) => delete (a['details'] as Array<Record<string, unknown>>)[0]!['throughputPerSecond'], 'a segment\'s health figure removed');
    const q = '/v1/models/{name}/quality';
    const quality = await check('get', q, `/v1/models/clf/quality?${range}`);
    await check('get', q, `/v1/models/bare/quality?${empty}`);
    refused('get', q, quality, (a) => delete (a['features'] as Array<Record<string, unknown>>)[0]!['missingRate'], 'missingRate removed');
    const dp = '/v1/models/{name}/features/{feature}/distribution';
    await check('get', dp, `/v1/models/clf/features/x/distribution?${range}`);
    const cat = await check('get', dp, `/v1/models/clf/features/c/distribution?${range}`);
    assert.ok((cat['categories'] as Array<{ isNew: boolean }>).some((c) => c.isNew), 'category d is new');
    await check('get', dp, `/v1/models/reg/features/x/distribution?${empty}`);
    refused('get', dp, cat, (a) => (a['kind'] = 'numerical'), 'a categorical answer said numerical');
  });

  test('overview: default, with performance, a page', async () => {
    const p = '/v1/overview';
    const o = await check('get', p, `/v1/overview?${range}`);
    const rows = o['rows'] as Array<Record<string, unknown>>;
    assert.equal(rows.length, 4);
    assert.equal(rows.find((r) => r['model'] === 'bare')?.['drift'], null);
    const withPerf = await check('get', p, `/v1/overview?${range}&performance=true`);
    const page = await check('get', p, `/v1/overview?${empty}&performance=true&limit=1`);
    assert.equal(typeof page['next'], 'string');
    refused('get', p, withPerf, (a) => delete (a['rows'] as Array<Record<string, unknown>>)[0]!['health'], 'a row\'s health removed');
    refused('get', p, withPerf, (a) => delete ((a['rows'] as Array<Record<string, unknown>>)[0]!['performance'] as Record<string, unknown>)['labelled'], 'a row\'s performance.labelled removed');
  });

  test('alerts and silences: none, one raised, acknowledged, listed; a silence created, listed, expired', async () => {
    assert.deepEqual((await check('get', '/v1/alerts', '/v1/alerts'))['alerts'], []);
    const raised = await check('post', '/v1/alerts', '/v1/alerts', 201, { source: 'oapi', model: 'clf', severity: 'page', summary: 'something is off', labels: { team: 'ml' } });
    const id = (raised['alert'] as { id: string }).id;
    const again = await check('post', '/v1/alerts', '/v1/alerts', 201, { source: 'oapi', model: 'clf', severity: 'page', summary: 'still off', labels: { team: 'ml' } });
    assert.equal((again['alert'] as { id: string }).id, id, 'deduplicated into the open alert');
    await check('post', '/v1/alerts/{id}/ack', `/v1/alerts/${id}/ack`, 200, { by: 'alice', note: 'looking' });
    await check('get', '/v1/alerts/{id}', `/v1/alerts/${id}`);
    const list = await check('get', '/v1/alerts', '/v1/alerts?state=acknowledged&model=clf');
    assert.equal((list['alerts'] as unknown[]).length, 1);
    await check('post', '/v1/alerts/{id}/resolve', `/v1/alerts/${id}/resolve`, 200, {});
    await check('post', '/v1/alerts/{id}/false-positive', `/v1/alerts/${id}/false-positive`, 200, {});
    await check('get', '/v1/alerts', '/v1/alerts?state=all');
    refused('get', '/v1/alerts', list, (a) => ((a['alerts'] as Array<Record<string, unknown>>)[0]!['state'] = 'snoozed'), 'an unknown state');
    // silences: none, one created (regex and negative matchers), listed, expired
    assert.deepEqual((await check('get', '/v1/silences', '/v1/silences'))['silences'], []);
    const created = await check('post', '/v1/silences', '/v1/silences', 201, {
      matchers: [{ name: 'model', value: 'clf' }, { name: 'team', value: 'ops|infra', isRegex: true, isNegative: true }], endsAt: NOW + HOUR, createdBy: 'alice', comment: 'deploy',
    });
    const sid = (created['silence'] as { id: string }).id;
    const silences = await check('get', '/v1/silences', '/v1/silences');
    assert.equal((silences['silences'] as Array<{ active: boolean }>)[0]?.active, true);
    await check('delete', '/v1/silences/{id}', `/v1/silences/${sid}`);
    refused('get', '/v1/silences', silences, (a) => delete (a['silences'] as Array<Record<string, unknown>>)[0]!['active'], 'active removed');
    refused('get', '/v1/silences', silences, (a) => ((a['silences'] as Array<{ matchers: unknown[] }>)[0]!.matchers = []), 'no matcher');
    refused('get', '/v1/alerts', list, (a) => delete (a['alerts'] as Array<Record<string, unknown>>)[0]!['startsAt'], 'startsAt removed');
  });

  test('monitors: created, replaced, listed before and after an evaluation, its evaluations, deleted', async () => {
    const def = { id: 'clf-errors', model: 'clf', metric: 'errorRate', window: '1h', minSamples: 0, levels: [{ severity: 'warning', threshold: 0.5 }] };
    await check('post', '/v1/monitors', '/v1/monitors', 201, def);
    await check('post', '/v1/monitors', '/v1/monitors', 200, { ...def, for: '5m', labels: { team: 'ml' } });
    await check('post', '/v1/monitors', '/v1/monitors', 201, { id: 'reg-drift', model: 'reg', metric: 'drift:x', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.3 }] });
    const fresh = await check('get', '/v1/monitors/{id}', '/v1/monitors/clf-errors');
    assert.equal((fresh['monitor'] as { last: unknown }).last, null);
    assert.equal((await call(base, 'POST', '/v1/monitors/run')).status, 200);
    const evaluated = await check('get', '/v1/monitors/{id}', '/v1/monitors/clf-errors');
    assert.ok((evaluated['monitor'] as { last: unknown }).last !== null, 'evaluated');
    const list = await check('get', '/v1/monitors', '/v1/monitors');
    assert.equal((list['monitors'] as unknown[]).length, 2);
    await check('get', '/v1/monitors', '/v1/monitors?model=reg');
    const evals = await check('get', '/v1/monitors/{id}/evaluations', `/v1/monitors/clf-errors/evaluations?from=${T0 - HOUR}&to=${NOW + 1}`);
    assert.ok((evals['evaluations'] as unknown[]).length > 0);
    await check('get', '/v1/monitors/{id}/evaluations', `/v1/monitors/reg-drift/evaluations?${empty}`);
    await check('delete', '/v1/monitors/{id}', '/v1/monitors/reg-drift');
    refused('get', '/v1/monitors/{id}', evaluated, (a) => delete (a['monitor'] as Record<string, unknown>)['problem'], 'problem removed');
    refused('get', '/v1/monitors/{id}', evaluated, (a) => (((a['monitor'] as Record<string, unknown>)['last'] as Record<string, unknown>)['at'] = 'yesterday'), 'a last evaluation time as text');
    refused('get', '/v1/monitors/{id}/evaluations', evals, (a) => delete (a['evaluations'] as Array<Record<string, unknown>>)[0]!['samples'], 'samples removed');
  });

  test('ingest answers: negative controls', async () => {
    const ok = await check('post', '/v1/labels', '/v1/labels', 200, [{ id: 'c-3', label: 'no' }, { id: 'nope', label: 'no' }]);
    refused('post', '/v1/labels', ok, (a) => ((a['results'] as Array<Record<string, unknown>>)[1]!['code'] = 'bogus'), 'an unknown label rejection code');
    refused('post', '/v1/labels', ok, (a) => delete a['accepted'], 'accepted removed');
    const ev = await check('post', '/v1/events', '/v1/events', 200, [{ model: 'bare', version: '1', features: { x: 1, c: 'a' }, prediction: 'no' }, { model: 'nosuch' }]);
    refused('post', '/v1/events', ev, (a) => delete (a['results'] as Array<Record<string, unknown>>)[0]!['id'], 'an accepted row\'s id removed');
    refused('post', '/v1/events', ev, (a) => delete (a['results'] as Array<Record<string, unknown>>)[1]!['message'], 'a rejected row\'s message removed');
    refused('post', '/v1/events', ev, (a) => ((a['results'] as Array<Record<string, unknown>>)[0]!['status'] = 'queued'), 'an unknown status');
  });

  test('a multiclass model: macro metrics and estimates, KS from compacted sketches, the categories beyond the cap', async () => {
    const d = await check('get', '/v1/models/{name}/drift', `/v1/models/mc/drift?${range}`);
    const [x, city] = d['features'] as Array<{ stats: { ks?: { method: string }; other?: unknown } }>;
    assert.equal(x?.stats.ks?.method, 'sketch');
    assert.ok(city?.stats.other, 'the other bucket');
    const perf = await check('get', '/v1/models/{name}/performance', `/v1/models/mc/performance?${range}`);
    assert.equal((perf['realized'] as { task: string }).task, 'multiclass');
    assert.ok(perf['estimated'] !== null, 'a CBPE estimate');
    await check('get', '/v1/models/{name}/performance/buckets', `/v1/models/mc/performance/buckets?${range}&step=1h&metrics=f1Macro,rocAuc`);
    const dist = await check('get', '/v1/models/{name}/features/{feature}/distribution', `/v1/models/mc/features/city/distribution?${range}`);
    assert.ok((dist['categories'] as Array<{ other?: true }>).some((c) => c.other === true));
    await check('get', '/v1/models/{name}/quality', `/v1/models/mc/quality?${range}`);
    await check('get', '/v1/models/{name}/timeseries', `/v1/models/mc/timeseries?${range}&metric=estimatedF1&granularity=hour`);
    await check('get', '/v1/models/{name}/series', `/v1/models/mc/series?${range}&metrics=drift:city,predictionDrift,missing:x`);
    await check('get', '/v1/overview', `/v1/overview?${range}&performance=true&prefix=m`);
    refused('get', '/v1/models/{name}/drift', d, (a) => (((a['features'] as Array<{ stats: { ks: Record<string, unknown> } }>)[0]!.stats.ks)['method'] = 'guess'), 'an unknown KS method');
    refused('get', '/v1/models/{name}/performance', perf, (a) => ((a['realized'] as Record<string, unknown>)['task'] = 'ranking'), 'an unknown task');
  });

  test('every operation the brief lists is described, and every described operation was checked on real answers', () => {
    const { validated } = checker;
    // test/oapi-answers2 checks the others (registry, gateway, rollouts, SLOs...)
    const described = checker.described().filter((d) => !ANSWERS2_OPS.some((op) => d.startsWith(`${op} `)));
    for (const op of REQUIRED) assert.ok(described.some((d) => d.startsWith(`${op} `)), `${op} has no described answer`);
    const unchecked = described.filter((d) => !validated.has(d));
    assert.deepEqual(unchecked, [], 'described answers never validated');
    assert.ok([...validated.values()].reduce((a, b) => a + b, 0) > 60, `${[...validated.values()].reduce((a, b) => a + b, 0)} answers validated`);
  });
});
}
