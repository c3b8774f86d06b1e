import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
/** Two segment keys; "twin" has none and gets only the events of region=eu (what a summary of just those gives). */
const MODEL = { name: 'seg', outputKind: 'regression', segmentKeys: ['region', 'tier'], inputSchema: SCHEMA };
const TWIN = { name: 'twin', outputKind: 'regression', segmentKeys: [], inputSchema: SCHEMA };
const REFERENCE = `x,c\n${Array.from({ length: 40 }, (_, i) => `${i},${i % 2 === 0 ? 'a' : 'b'}`).join('\n')}\n`;

type Row = { region?: string; tier?: string; x: number; c: string; latencyMs: number; error: boolean };

/** Events in every combination: both keys, one of them, none. */
const ROWS: Row[] = [
  ...Array.from({ length: 6 }, (_, i) => ({ region: 'eu', tier: 'gold', x: 1 + i, c: 'a', latencyMs: 10 + i, error: false })),
  ...Array.from({ length: 4 }, (_, i) => ({ region: 'eu', tier: 'silver', x: 30 + i * 7, c: 'z', latencyMs: 200 + 50 * i, error: i === 0 })),
  ...Array.from({ length: 5 }, (_, i) => ({ region: 'us', tier: 'gold', x: 100 + i, c: 'b', latencyMs: 5, error: i < 2 })),
  ...Array.from({ length: 3 }, (_, i) => ({ region: 'eu', x: 50 + i, c: 'b', latencyMs: 40, error: false })),
  ...Array.from({ length: 2 }, (_, i) => ({ x: 7 + i, c: 'a', latencyMs: 1, error: false })),
];

function event(model: string, r: Row, i: number): Record<string, unknown> {
  const segment = { ...(r.region !== undefined && { region: r.region }), ...(r.tier !== undefined && { tier: r.tier }) };
  return {
    id: `${model}-${i}`, model, version: '1', timestamp: new Date(FROM + 5 * MINUTE + i * MINUTE).toISOString(),
    features: { x: r.x, c: r.c }, prediction: r.x, latencyMs: r.latencyMs, error: r.error, ...(model === 'seg' && { segment }),
  };
}

/** Numbers to 9 significant digits. */
function rounded(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v)));
}

const isEu = (r: Row): boolean => r.region === 'eu';
const isGold = (r: Row): boolean => r.tier === 'gold';

describe('a segment naming some of the model\'s segment keys (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await call(base, 'GET', path);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
    for (const m of [MODEL, TWIN]) {
      assert.equal((await call(base, 'POST', '/v1/models', m)).status, 201);
      assert.equal((await call(base, 'POST', `/v1/models/${m.name}/versions`, { version: '1' })).status, 201);
      const ref = await call(base, 'PUT', `/v1/models/${m.name}/versions/1/reference`, REFERENCE, { 'content-type': 'text/csv' });
      assert.equal(ref.status, 200, JSON.stringify(ref.body));
    }
    const res = await call(base, 'POST', '/v1/events', [
      ...ROWS.map((r, i) => event('seg', r, i)),
      ...ROWS.map((r, i) => [r, i] as const).filter(([r]) => isEu(r)).map(([r, i]) => event('twin', r, i)),
    ]);
    assert.equal(res.body['accepted'], ROWS.length + ROWS.filter(isEu).length, JSON.stringify(res.body));
  });
  after(async () => {
    await s.close();
  });

  test('summary endpoints answer a partial segment as a summary of its events (as /events and the twin model do)', async () => {
    const eu = ROWS.filter(isEu);
    const q = `${RANGE}&segment=region%3Deu`;
    // Raw events match on the subset: 13 of them.
    assert.equal(((await get(`/v1/models/seg/events?${q}&limit=1000`))['events'] as unknown[]).length, eu.length);

    const health = await get(`/v1/models/seg/health?${q}`);
    assert.equal(health['events'], eu.length, JSON.stringify(health));
    assert.equal(health['errorRate'], eu.filter((r) => r.error).length / eu.length);
    const lat = health['latencyMs'] as { mean: number; max: number };
    assert.equal(lat.mean, eu.reduce((a, r) => a + r.latencyMs, 0) / eu.length);
    assert.equal(lat.max, Math.max(...eu.map((r) => r.latencyMs)));
    const twinHealth = await get(`/v1/models/twin/health?${RANGE}`);
    assert.deepEqual({ ...health, model: 'twin', segment: '' }, twinHealth, 'the same figures as a summary of just those events');

    const quality = await get(`/v1/models/seg/quality?${q}`);
    assert.equal(quality['events'], eu.length);
    assert.deepEqual(quality['features'], (await get(`/v1/models/twin/quality?${RANGE}`))['features']);

    const drift = await get(`/v1/models/seg/drift?${q}`);
    const twinDrift = await get(`/v1/models/twin/drift?${RANGE}`);
    assert.deepEqual(drift['features'], twinDrift['features']);
    assert.ok((drift['features'] as unknown[]).length === 2);

    const dist = await get(`/v1/models/seg/features/x/distribution?${q}`);
    assert.deepEqual(dist['current'], (await get(`/v1/models/twin/features/x/distribution?${RANGE}`))['current']);
    assert.equal((dist['current'] as { count: number }).count, eu.length);

    for (const metric of ['events', 'errorRate', 'drift:x', 'missing:x', 'latencyP95']) {
      for (const g of ['minute', 'hour']) {
        const ts = await get(`/v1/models/seg/timeseries?${q}&metric=${metric}&granularity=${g}`);
        const twin = await get(`/v1/models/twin/timeseries?${RANGE}&metric=${metric}&granularity=${g}`);
        // A window's stored latency quantiles are computed as it is written: a merge's own differ in the last digits.
        assert.deepEqual(rounded(ts['points']), rounded(twin['points']), `${metric} by ${g}`);
        const total = (ts['points'] as Array<{ events: number }>).reduce((a, p) => a + p.events, 0);
        assert.equal(total, eu.length, `${metric} by ${g}`);
      }
    }
    const series = await get(`/v1/models/seg/series?${q}&metrics=events,drift:x,latencyP50&granularity=hour`);
    const twinSeries = await get(`/v1/models/twin/series?${RANGE}&metrics=events,drift:x,latencyP50&granularity=hour`);
    assert.deepEqual(rounded(series['series']), rounded(twinSeries['series']));
    assert.deepEqual(series['events'], twinSeries['events']);

    // The other key alone, and both keys (a full segment: as before).
    const gold = await get(`/v1/models/seg/health?${RANGE}&segment=tier%3Dgold`);
    assert.equal(gold['events'], ROWS.filter(isGold).length);
    const both = await get(`/v1/models/seg/health?${RANGE}&segment=region%3Deu,tier%3Dgold`);
    assert.equal(both['events'], ROWS.filter((r) => isEu(r) && isGold(r)).length);
    const none = await get(`/v1/models/seg/health?${RANGE}&segment=region%3Dmars`);
    assert.equal(none['events'], 0);
  });

  test('a segment naming a key the model does not declare is a 400 naming its segment keys', async () => {
    for (const path of ['health', 'drift', 'events', 'performance', 'timeseries?metric=events']) {
      const res = await call(base, 'GET', `/v1/models/seg/${path}${path.includes('?') ? '&' : '?'}${RANGE}&segment=colour%3Dred`);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.match((res.body['error'] as { message: string }).message, /"colour".*region, tier/, path);
    }
    const res = await call(base, 'POST', '/v1/monitors', { id: 'bad-key', model: 'seg', metric: 'throughput', segment: 'colour=red', window: '1h', levels: [{ severity: 'page', threshold: 1 }] });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match((res.body['error'] as { message: string }).message, /"colour".*region, tier/);
  });

  test('a monitor of a partial segment evaluates the events of every segment that holds it', async () => {
    const eu = ROWS.filter(isEu);
    const monitors: Array<{ id: string; metric: string; value: number; segment?: string }> = [
      { id: 'eu-throughput', metric: 'throughput', value: eu.length / 3600 },
      { id: 'eu-error', metric: 'errorRate', value: eu.filter((r) => r.error).length / eu.length },
      { id: 'eu-missing', metric: 'missingRate:x', value: 0 },
      // The newest event of tier=gold (us, the 15th) was at FROM + 19 min: its minute closed 40 min before NOW.
      { id: 'gold-freshness', metric: 'freshness', segment: 'tier=gold', value: 40 * MINUTE },
    ];
    for (const m of monitors) {
      const res = await call(base, 'POST', '/v1/monitors', { id: m.id, model: 'seg', metric: m.metric, segment: m.segment ?? 'region=eu', window: '1h', minSamples: 1, direction: 'above', levels: [{ severity: 'page', threshold: 10 * HOUR }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    assert.equal((await call(base, 'POST', '/v1/monitors/run', {})).status, 200);
    for (const m of monitors) {
      const evals = (await get(`/v1/monitors/${m.id}/evaluations?from=${NOW - HOUR}&to=${NOW + 1}`))['evaluations'] as Array<{ at: number; status: string; value: number | null }>;
      const last = evals.find((e) => e.at === NOW);
      assert.ok(last, JSON.stringify(evals));
      assert.equal(last.status, 'ok', JSON.stringify(last));
      assert.equal(last.value, m.value, m.id);
    }
  });
});
