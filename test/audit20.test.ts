import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

// Audit 20: segments across the product, as an ML engineer uses them (real server, DuckDB file).
const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };
const MODEL = { name: 'seg', outputKind: 'regression', segmentKeys: ['region', 'tier'], inputSchema: SCHEMA };

/** Per (region, tier): events in the hour before NOW, every `errorEvery`-th a failed inference. */
const CELLS: Array<{ region: string; tier: string; events: number; errorEvery: number }> = [
  { region: 'São Paulo', tier: 'gold', events: 8, errorEvery: 2 },
  { region: 'São Paulo', tier: 'silver', events: 4, errorEvery: 4 },
  { region: 'eu', tier: 'gold', events: 6, errorEvery: 100 },
];

describe('audit 20: segments (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await call(base, 'GET', path);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.alerting = { dashboardUrl: 'http://lookout.example' }) });
    base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', MODEL)).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/seg/versions', { version: '1' })).status, 201);
    let n = 0;
    const events = CELLS.flatMap((c) => Array.from({ length: c.events }, (_, i) => {
      n++;
      const failed = i % c.errorEvery === 0;
      return {
        id: `e${n}`, model: 'seg', version: '1', timestamp: FROM + 2 * MINUTE + n * MINUTE, features: { x: n }, latencyMs: 10,
        ...(failed ? { error: 'upstream timeout' } : { prediction: n }), segment: { region: c.region, tier: c.tier },
      };
    }));
    const res = await call(base, 'POST', '/v1/events', { events });
    assert.equal(res.body['accepted'], events.length, JSON.stringify(res.body));
  });
  after(async () => {
    await s?.close();
  });

  test('a monitor\'s segment written as the events carry it (a space, a non-ASCII letter, keys in any order) measures that segment\'s events, as ?segment= does', async () => {
    // Until audit 20 the monitor compared its segment's raw text with the stored (URI-encoded) keys: "region=São Paulo"
    // matched no event, its throughput was 0 (a false page for a monitor of a drop) and its error rate had no data.
    const monitors = [
      { id: 'sp-errors', metric: 'errorRate', segment: 'region=São Paulo', query: 'region=São Paulo' },
      { id: 'sp-gold-errors', metric: 'errorRate', segment: 'tier=gold&region=São Paulo', query: 'region=São Paulo,tier=gold' },
      { id: 'sp-throughput', metric: 'throughput', segment: 'region=São Paulo', query: 'region=São Paulo' },
      { id: 'sp-encoded', metric: 'errorRate', segment: 'region=S%C3%A3o%20Paulo', query: 'region=São Paulo' },
    ];
    for (const m of monitors) {
      const res = await call(base, 'POST', '/v1/monitors', {
        id: m.id, model: 'seg', metric: m.metric, segment: m.segment, window: '1h', minSamples: 1,
        direction: m.metric === 'throughput' ? 'below' : 'above', levels: [{ severity: 'page', threshold: m.metric === 'throughput' ? 0.001 : 0.9 }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    assert.equal((await call(base, 'POST', '/v1/monitors/run', {})).status, 200);
    for (const m of monitors) {
      const health = await get(`/v1/models/seg/health?${RANGE}&segment=${encodeURIComponent(m.query)}`);
      assert.ok((health['events'] as number) > 0);
      const evals = (await get(`/v1/monitors/${m.id}/evaluations?from=${NOW - HOUR}&to=${NOW + 1}`))['evaluations'] as Array<{ at: number; status: string; value: number | null; detail: Record<string, unknown> }>;
      const last = evals.find((e) => e.at === NOW);
      assert.ok(last, JSON.stringify(evals));
      const expected = m.metric === 'throughput' ? health['throughputPerSecond'] : health['errorRate'];
      assert.equal(last.value, expected, `${m.id} (${m.segment}): ${JSON.stringify(last)}`);
      assert.equal(last.status, 'ok', `${m.id}: ${JSON.stringify(last)}`);
    }
  });

  test('an alert of a monitor of a two-key segment links to the dashboard with the segment as the API\'s ?segment= takes it', async () => {
    // Until audit 20 the link carried the monitor's "tier=gold&region=São Paulo" as it is: the dashboard passed it to
    // the API, which read one key, region, of the value "São Paulo&tier=gold"... (no events: an empty view of the alert).
    const res = await call(base, 'POST', '/v1/monitors', {
      id: 'sp-gold-page', model: 'seg', metric: 'errorRate', segment: 'tier=gold&region=São Paulo', window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 0.1 }],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await call(base, 'POST', '/v1/monitors/run', {})).status, 200);
    const alerts = (await get('/v1/alerts?state=open'))['alerts'] as Array<{ labels: Record<string, string>; context: Record<string, unknown> }>;
    const alert = alerts.find((a) => a.labels['monitor'] === 'sp-gold-page');
    assert.ok(alert, JSON.stringify(alerts));
    const link = new URL(String(alert.context['dashboardUrl']));
    const params = new URLSearchParams(link.hash.slice(link.hash.indexOf('?') + 1));
    assert.equal(params.get('segment'), 'region=São Paulo,tier=gold', link.href);
    const health = await get(`/v1/models/seg/health?${RANGE}&segment=${encodeURIComponent(params.get('segment') ?? '')}`);
    assert.equal(health['events'], 8);
  });
});
