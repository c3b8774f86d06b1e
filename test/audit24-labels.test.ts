import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseMonitor } from '../src/monitors/definition.js';
import { MonitorEvaluator } from '../src/monitors/evaluator.js';
import type { Server } from '../src/server.js';
import type { EvaluationRecord } from '../src/storage/alerts.js';
import { call, poster, testServer } from './helpers/server.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

interface Sent { id: string; segment: string; failed: boolean }

/**
 * `n` predictions of model `model` spread over the hour from `t` (segment region=eu for even i, region=us for odd i),
 * plus `failed` failed inferences (no prediction: not in labelCoverage's denominator).
 */
function hour(prefix: string, model: string, t: number, n: number, failed = 0): Array<Record<string, unknown>> {
  const ok = Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`, model, version: '1', timestamp: t + i * MIN, features: { x: i }, prediction: String(i % 2), score: i % 2 ? 0.8 : 0.2,
    segment: { region: i % 2 ? 'us' : 'eu' },
  }));
  const bad = Array.from({ length: failed }, (_, i) => ({ id: `${prefix}f${i}`, model, version: '1', timestamp: t + (n + i) * 30_000, features: { x: i }, prediction: null, error: true }));
  return [...ok, ...bad];
}

const sent = (events: Array<Record<string, unknown>>): Sent[] => events.map((e) => ({
  id: e['id'] as string, failed: e['prediction'] === null,
  segment: e['segment'] ? `region=${(e['segment'] as { region: string }).region}` : '',
}));

describe('audit 24 (labels): a labelCoverage monitor metric, /performance\'s labelCoverage of the window (real server, DuckDB file)', () => {
  const T0 = Date.UTC(2026, 10, 2, 9); // hours A [T0, T0+1h), B [+1h, +2h), C [+2h, +3h)
  let now = T0 + 3 * H + 5 * MIN;
  let s: Server;
  const post = poster(() => s.url);
  const all: Sent[] = [];
  const labelled = new Set<string>();
  const label = async (ids: string[]): Promise<void> => {
    const r = await post('/v1/labels', { labels: ids.map((id) => ({ id, label: id.endsWith('1') ? '1' : '0' })) });
    assert.equal(r['accepted'], ids.length, JSON.stringify(r));
    for (const id of ids) labelled.add(id);
  };
  /** The hand count: labelled predictions / predictions of the hour starting at `t` (and segment). */
  const hand = (prefix: string, segment = ''): number => {
    const preds = all.filter((e) => e.id.startsWith(prefix) && !e.failed && (segment === '' || e.segment === segment));
    return preds.filter((e) => labelled.has(e.id)).length / preds.length;
  };
  const evals = async (id: string): Promise<EvaluationRecord[]> => {
    const r = await call(s.url, 'GET', `/v1/monitors/${id}/evaluations?from=${T0 - DAY}&to=${now + H}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body['evaluations'] as EvaluationRecord[];
  };
  const at = async (id: string, end: number): Promise<EvaluationRecord> => {
    const e = (await evals(id)).find((x) => x.at === end);
    assert.ok(e, `${id}: no evaluation at ${new Date(end).toISOString()}: ${JSON.stringify(await evals(id))}`);
    return e;
  };
  const coverage = async (from: number, to: number, segment = ''): Promise<unknown> => {
    const r = await call(s.url, 'GET', `/v1/models/cov/performance?from=${from}&to=${to}&ci=false&segments=false${segment ? `&segment=${encodeURIComponent(segment)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body['labelCoverage'];
  };
  const monitor = async (body: Record<string, unknown>): Promise<void> => {
    const r = await call(s.url, 'POST', '/v1/monitors', { model: 'cov', metric: 'labelCoverage', window: '1h', minSamples: 5, levels: [{ severity: 'page', threshold: 0.5 }], ...body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const run = async (): Promise<void> => {
    const r = await call(s.url, 'POST', '/v1/monitors/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.retention = { eventsDays: 3 }; } });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'cov', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA, segmentKeys: ['region'] })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/cov/versions', { version: '1' })).status, 201);
    const events = [...hour('A', 'cov', T0, 20, 3), ...hour('B', 'cov', T0 + H, 20), ...hour('C', 'cov', T0 + 2 * H, 10)];
    const r = await post('/v1/events', { events });
    assert.equal(r['accepted'], events.length, JSON.stringify(r).slice(0, 500));
    all.push(...sent(events));
    // hour A: 14 of its 20 predictions labelled (A0..A13: 7 of eu's 10, 7 of us's 10); hour B: 4 so far; hour C: none
    await label([...Array.from({ length: 14 }, (_, i) => `A${i}`), 'B0', 'B1', 'B2', 'B5']);
  });
  after(() => s?.close());

  test('the value is labelled / predictions of the window (failed inferences out), /performance\'s labelCoverage, per segment too; it fires below the level and holds above (hand count)', async () => {
    await monitor({ id: 'cov-now' });
    await monitor({ id: 'cov-eu', segment: 'region=eu' });
    await run();
    // hour A: 14 / 20 (its 3 failed inferences are not predictions); hour B: 4 / 20
    assert.equal(hand('A'), 0.7);
    assert.equal(hand('B'), 0.2);
    const a = await at('cov-now', T0 + H);
    assert.deepEqual([a.status, a.value, a.samples, a.detail?.['labelled'], a.detail?.['predictions']], ['ok', 0.7, 20, 14, 20]);
    assert.equal(await coverage(T0, T0 + H), 0.7, 'the same number /performance answers for the window');
    const b = await at('cov-now', T0 + 2 * H);
    assert.deepEqual([b.status, b.value, b.samples], ['page', 0.2, 20]);
    assert.equal(await coverage(T0 + H, T0 + 2 * H), 0.2);
    // hour C (10 predictions, no label): 0, paged
    const c = await at('cov-now', T0 + 3 * H);
    assert.deepEqual([c.status, c.value, c.samples], ['page', 0, 10]);
    // region=eu: A0, A2, ..., A12 of A0..A18 even: 7 / 10; B: B0, B2 of 10: 0.2
    assert.equal(hand('A', 'region=eu'), 0.7);
    assert.equal(hand('B', 'region=eu'), 0.2);
    const ea = await at('cov-eu', T0 + H);
    const eb = await at('cov-eu', T0 + 2 * H);
    assert.deepEqual([ea.value, ea.samples, eb.value, eb.samples, eb.status], [0.7, 10, 0.2, 10, 'page']);
    assert.equal(await coverage(T0 + H, T0 + 2 * H, 'region=eu'), 0.2);
    // a window without predictions (before the traffic, caught up): no value, no samples, no alert
    const empty = await at('cov-now', T0);
    assert.deepEqual([empty.status, empty.value, empty.samples], ['insufficient_data', null, 0]);
    // the alert is raised for the window that paged
    const alerts = (await call(s.url, 'GET', '/v1/alerts?model=cov')).body['alerts'] as Array<{ monitorId: string; severity: string; labels: Record<string, string> }>;
    const raised = alerts.find((x) => x.monitorId === 'cov-now');
    assert.equal(raised?.severity, 'page', JSON.stringify(alerts));
    // category labels: under the default inhibition rule (data mutes drift) it does not mute the model's drift alerts
    assert.equal(raised?.labels['category'], 'labels');
  });

  test('with a delay, labels arriving late are counted before the window is judged: it holds where a monitor without delay paged', async () => {
    // hour D [T0+3h, T0+4h): 20 predictions, 4 labelled within the hour
    const d = hour('D', 'cov', T0 + 3 * H, 20);
    now = T0 + 3 * H + 30 * MIN;
    assert.equal((await post('/v1/events', { events: d }))['accepted'], 20);
    all.push(...sent(d));
    await label(['D0', 'D1', 'D2', 'D3']);
    await monitor({ id: 'cov-late', delay: '2h' });
    // 10 minutes after hour D closed: the monitor without delay judges it (4 / 20), the delayed one does not yet
    now = T0 + 4 * H + 10 * MIN;
    await run();
    assert.deepEqual([(await at('cov-now', T0 + 4 * H)).value, (await at('cov-now', T0 + 4 * H)).status], [0.2, 'page']);
    assert.equal((await evals('cov-late')).find((x) => x.at === T0 + 4 * H), undefined, 'not judged before its delay');
    // the labels come in an hour later; the delayed monitor judges hour D then: 16 / 20
    now = T0 + 5 * H + 20 * MIN;
    await label(Array.from({ length: 12 }, (_, i) => `D${i + 4}`));
    now = T0 + 6 * H + 1 * MIN;
    await run();
    assert.equal(hand('D'), 0.8);
    const late = await at('cov-late', T0 + 4 * H);
    assert.deepEqual([late.status, late.value, late.samples], ['ok', 0.8, 20]);
    assert.equal(await coverage(T0 + 3 * H, T0 + 4 * H), 0.8);
  });
});

describe('audit 24 (labels): labelCoverage before the events retention.eventsDays keeps (real server, DuckDB file)', () => {
  const T0 = Date.UTC(2026, 10, 2, 9);
  let now = T0 + 2 * H;
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.retention = { eventsDays: 1 }; } });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'old', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/old/versions', { version: '1' })).status, 201);
    // hour [T0, T0+1h): 20 predictions, all labelled; the events (and labels) go after a day, the summaries stay
    const events = hour('O', 'old', T0, 20);
    assert.equal((await post('/v1/events', { events }))['accepted'], 20);
    assert.equal((await post('/v1/labels', { labels: events.map((e) => ({ id: e['id'], label: e['prediction'] })) }))['accepted'], 20);
    // a day and 10 hours later: hour [T0, T0+1h) is 33 hours back, within a new monitor's catch-up (48 windows)
    now = T0 + DAY + 10 * H;
    assert.equal((await s.deps.retention?.run())?.events, 20);
  });
  after(() => s?.close());

  test('a window whose events were deleted with their labels has no value (not 0: no page), with /performance\'s note', async () => {
    const m = await call(s.url, 'POST', '/v1/monitors', { id: 'gone', model: 'old', metric: 'labelCoverage', window: '1h', minSamples: 5, levels: [{ severity: 'page', threshold: 0.5 }] });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    assert.equal((await call(s.url, 'POST', '/v1/monitors/run', {})).status, 200);
    const evs = (await call(s.url, 'GET', `/v1/monitors/gone/evaluations?from=${T0}&to=${now}`)).body['evaluations'] as EvaluationRecord[];
    const e = evs.find((x) => x.at === T0 + H);
    assert.ok(e, JSON.stringify(evs));
    assert.deepEqual([e.status, e.value, e.samples], ['insufficient_data', null, 0], JSON.stringify(e));
    assert.match(String(e.detail?.['note']), /retention\.eventsDays \(1 day\)/);
    assert.ok(evs.every((x) => x.status !== 'page'), JSON.stringify(evs.filter((x) => x.status === 'page')));
    const alerts = (await call(s.url, 'GET', '/v1/alerts?model=old')).body['alerts'] as unknown[];
    assert.deepEqual(alerts, []);
    // the note is /performance's for the same range
    const p = await call(s.url, 'GET', `/v1/models/old/performance?from=${T0}&to=${T0 + H}&ci=false&segments=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual([p.body['labelCoverage'], p.body['predictions']], [null, 20]);
    assert.match(String(e.detail?.['note']), new RegExp(String(p.body['labelCoverageNote']).replace(/[.()]/g, '\\$&')));
  });

  test('/performance/buckets: a bucket before the cutoff has labelCoverage null with /performance\'s note (was: no coverage, labelled 0 beside its predictions: a chart read 0)', async () => {
    const p = await call(s.url, 'GET', `/v1/models/old/performance?from=${T0}&to=${T0 + H}&ci=false&segments=false`);
    // the hour before the cutoff has no coverage (null, the note), the hour with no traffic none either, without a note
    const b = await call(s.url, 'GET', `/v1/models/old/performance/buckets?from=${T0}&to=${T0 + 2 * H}&step=1h&ci=false`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const [first, second] = b.body['buckets'] as Array<Record<string, unknown>>;
    assert.deepEqual([first?.['labelled'], first?.['predictions'], first?.['labelCoverage']], [0, 20, null]);
    assert.equal(first?.['labelCoverageNote'], p.body['labelCoverageNote']);
    assert.match(String(first?.['realizedNote']), /deleted by retention\.eventsDays \(1 day\)/);
    assert.deepEqual([second?.['predictions'], second?.['labelCoverage'], second?.['labelCoverageNote']], [0, null, undefined]);
  });

  test('buckets after the cutoff answer the coverage /performance answers for their range', async () => {
    // hour [now - 2h, now - 1h): 10 predictions, 3 labelled
    const t = Math.floor(now / H) * H - 2 * H;
    const events = hour('N', 'old', t, 10);
    assert.equal((await post('/v1/events', { events }))['accepted'], 10);
    assert.equal((await post('/v1/labels', { labels: events.slice(0, 3).map((e) => ({ id: e['id'], label: e['prediction'] })) }))['accepted'], 3);
    const b = await call(s.url, 'GET', `/v1/models/old/performance/buckets?from=${t}&to=${t + 2 * H}&step=1h&ci=false`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const [first, second] = b.body['buckets'] as Array<Record<string, unknown>>;
    assert.deepEqual([first?.['labelled'], first?.['predictions'], first?.['labelCoverage'], first?.['labelCoverageNote']], [3, 10, 0.3, undefined]);
    const p = await call(s.url, 'GET', `/v1/models/old/performance?from=${t}&to=${t + H}&ci=false&segments=false`);
    assert.equal(p.body['labelCoverage'], first?.['labelCoverage']);
    assert.deepEqual([second?.['predictions'], second?.['labelCoverage']], [0, null]);
  });
});

describe('audit 24 (labels): labelCoverage over more labelled events than a read holds (server.maxLabelledEvents; real server)', () => {
  const T0 = Date.UTC(2026, 10, 2, 9);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => T0 + H + 5 * MIN, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.server.maxLabelledEvents = 100; } });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'many', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/many/versions', { version: '1' })).status, 201);
    // 400 predictions in hour [T0, T0+1h), 300 of them labelled: a read holds 100, so a sample by id is read
    const events = Array.from({ length: 400 }, (_, i) => ({ id: `m${i}`, model: 'many', version: '1', timestamp: T0 + i * 9000, features: { x: i }, prediction: String(i % 2) }));
    assert.equal((await post('/v1/events', { events }))['accepted'], 400);
    assert.equal((await post('/v1/labels', { labels: events.slice(0, 300).map((e) => ({ id: e.id, label: e.prediction })) }))['accepted'], 300);
  });
  after(() => s?.close());

  test('the sample\'s count is divided by its rate, as /performance does (not read as a coverage of about 0.15: a false page)', async () => {
    const m = await call(s.url, 'POST', '/v1/monitors', { id: 'many', model: 'many', metric: 'labelCoverage', window: '1h', levels: [{ severity: 'page', threshold: 0.5 }] });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    assert.equal((await call(s.url, 'POST', '/v1/monitors/run', {})).status, 200);
    const evs = (await call(s.url, 'GET', `/v1/monitors/many/evaluations?from=${T0}&to=${T0 + 2 * H}`)).body['evaluations'] as EvaluationRecord[];
    const e = evs.find((x) => x.at === T0 + H);
    assert.ok(e, JSON.stringify(evs));
    const p = await call(s.url, 'GET', `/v1/models/many/performance?from=${T0}&to=${T0 + H}&ci=false&segments=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const sampled = p.body['sampled'] as { rate: number; labelledInRange: number };
    assert.equal(sampled.labelledInRange, 300);
    assert.ok(sampled.rate < 1);
    assert.equal(e.detail?.['sampleRate'], sampled.rate);
    assert.equal(e.value, p.body['labelCoverage'], 'the number /performance answers');
    assert.equal(e.value, (e.detail?.['labelled'] as number) / sampled.rate / 400);
    // the true coverage is 0.75: the estimate from a sample of about 60 is near it, and holds
    assert.ok(Math.abs((e.value ?? 0) - 0.75) < 0.2, String(e.value));
    assert.deepEqual([e.status, e.samples], ['ok', 400]);
  });
});

describe('audit 24 (labels): labelCoverage of a window older than the minute windows (read in whole hours; real server)', () => {
  const T0 = Date.UTC(2026, 10, 2, 9);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    // three days on: the minute windows' retention (2 days) has passed, the hour [T0, T0+1h) is read in whole hours
    s = await testServer({ clock: () => T0 + 3 * DAY });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'q', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/q/versions', { version: '1' })).status, 201);
    // 16 predictions, 4 in each quarter of the hour; the 4 of its last quarter labelled
    const events = Array.from({ length: 16 }, (_, i) => ({ id: `q${i}`, model: 'q', version: '1', timestamp: T0 + i * 225_000, features: { x: i }, prediction: String(i % 2) }));
    assert.equal((await post('/v1/events', { events }))['accepted'], 16);
    assert.equal((await post('/v1/labels', { labels: events.slice(12).map((e) => ({ id: e.id, label: e.prediction })) }))['accepted'], 4);
  });
  after(() => s?.close());

  test('a 15-minute window counts the labelled events of the hour its summary covers, as /performance (not 0 / 16 of its own quarter)', async () => {
    const evaluator = new MonitorEvaluator({ reader: s.deps.reader, catalog: s.deps.catalog, store: s.deps.store });
    const def = parseMonitor({ id: 'q15', model: 'q', metric: 'labelCoverage', window: '15m', minSamples: 1, levels: [{ severity: 'page', threshold: 0.5 }] }, () => 'q15');
    const r = await evaluator.evaluate(def, T0 + 15 * MIN);
    const p = await call(s.url, 'GET', `/v1/models/q/performance?from=${T0}&to=${T0 + 15 * MIN}&ci=false&segments=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual([p.body['from'], p.body['to'], p.body['labelled'], p.body['predictions'], p.body['labelCoverage']], [T0, T0 + H, 4, 16, 0.25]);
    assert.deepEqual([r.verdict.value, r.verdict.samples, r.detail['labelled'], r.detail['predictions']], [0.25, 16, 4, 16]);
  });
});
