import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { declareChurn } from './helpers/registry.js';
import { call, succeeding, testServer } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

// Audit 22: the overflow segment (the events past ingest.maxSegmentsPerModel, stored under "__other__") told apart from
// the segments clients send (real server, DuckDB file and PostgreSQL).
const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemaUrl = testSchemas('lookout_audit22', pgUrl).url;
const BACKENDS = ['DuckDB file', 'PostgreSQL'] as const;
const skipOf = (backend: (typeof BACKENDS)[number]): string | false => (backend === 'PostgreSQL' && !pgUrl ? 'LOOKOUT_TEST_PG_URL not set' : false);

/** A real server on a DuckDB file or a PostgreSQL schema, 2 distinct segments per model. */
function server(backend: (typeof BACKENDS)[number], tag: string): Promise<Server> {
  const dataDir = tempDir('lookout-a22-');
  return testServer({
    clock: () => NOW,
    configure: (c) => {
      c.dataDir = dataDir;
      c.ingest.maxSegmentsPerModel = 2;
      c.storage = backend === 'PostgreSQL' ? schemaUrl(tag) : `duckdb:${dataDir}/lookout.duckdb`;
    },
  });
}

const event = (model: string, id: string, i: number, segment: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, model, version: '1', timestamp: FROM + 2 * MINUTE + i * MINUTE, features: { x: i }, latencyMs: 5, segment, ...extra,
});

interface RowAnswer { index: number; status: string; code?: string; message?: string }
interface AffectedSegment { segment: string; value: number | null; overflow?: boolean }
interface AlertView { monitorId: string; context: { segments: AffectedSegment[] } }

/** The events of model `al` (segments region, limit 2): eu well, us and the regions past the limit (asia, latam) failing. */
function alertEvents(): Array<Record<string, unknown>> {
  return ['eu', 'eu', 'us', 'us', 'asia', 'latam'].map((region, i) => event('al', `al-${i}`, i, { region }, region === 'eu' ? { prediction: i } : { error: 'timeout' }));
}

async function declare(ok: ReturnType<typeof succeeding>, name: string, segmentKeys: string[]): Promise<void> {
  await ok('POST', '/v1/models', { name, outputKind: 'regression', segmentKeys, inputSchema: SCHEMA });
  await ok('POST', `/v1/models/${name}/versions`, { version: '1' });
}

for (const backend of BACKENDS) {
  describe(`audit 22: the overflow segment told apart (real server, ${backend})`, { skip: skipOf(backend) }, () => {
    let s: Server;
    const ok = succeeding(() => s.url);
    before(async () => {
      s = await server(backend, 'main');
    });
    after(async () => {
      await s?.close();
    });

    test('a segment value "__other__" sent by a client is refused (invalid_segment, saying it is reserved), counted as a reject, not in the overflow segment', async () => {
      // Until audit 22 such an event was accepted and stored under "region=__other__": GET /segments counted it in
      // overflow.events as an event of the segments past the limit, which it was not, and nothing told them apart.
      await declare(ok, 'cap', ['region', 'tier']);
      const answer = await ok('POST', '/v1/events', {
        events: [
          event('cap', 'eu', 0, { region: 'eu' }),
          event('cap', 'lit', 1, { region: '__other__' }),
          event('cap', 'lit-tier', 2, { region: 'eu', tier: '__other__' }),
          event('cap', 'us', 3, { region: 'us' }),
          event('cap', 'asia', 4, { region: 'asia' }), // past the limit of 2: stored under region=__other__
        ].map((e) => ({ ...e, prediction: 1 })),
      });
      const rows = answer['results'] as RowAnswer[];
      assert.deepEqual(rows.map((r) => [r.status, r.code ?? null]), [['accepted', null], ['rejected', 'invalid_segment'], ['rejected', 'invalid_segment'], ['accepted', null], ['accepted', null]], JSON.stringify(answer));
      assert.match(rows[1]?.message ?? '', /segment\.region is "__other__", which is reserved for the segment holding the events of segments past the model's limit \(ingest\.maxSegmentsPerModel\)/);
      assert.match(rows[2]?.message ?? '', /segment\.tier is "__other__"/);
      const segments = await ok('GET', `/v1/models/cap/segments?${RANGE}`);
      assert.deepEqual((segments['segments'] as string[]).slice().sort(), ['region=__other__', 'region=eu', 'region=us']);
      assert.deepEqual(segments['overflow'], { segments: ['region=__other__'], maxSegmentsPerModel: 2, events: 1 }, JSON.stringify(segments));
      // counted as the other rejects: /quality (under no segment: the value is not a segment of the model), /metrics
      const quality = await ok('GET', `/v1/models/cap/quality?${RANGE}`);
      assert.equal(quality['rejected'], 2, JSON.stringify(quality));
      assert.deepEqual(quality['rejectedByCode'], { invalid_segment: 2 });
      assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}&segment=region=__other__`))['rejected'], 0);
      assert.equal((await ok('GET', `/v1/models/cap/health?${RANGE}&segment=region=__other__`))['events'], 1);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /^lookout_events_rejected_total\{model="cap",code="invalid_segment"\} 2$/m);
    });

    test('an alert\'s most affected segments mark the overflow segment (overflow: true)', async () => {
      // Until audit 22 "region=__other__" was listed like any segment: nothing said it mixes every segment past the limit.
      await declare(ok, 'al', ['region']);
      assert.equal((await ok('POST', '/v1/events', { events: alertEvents() }))['accepted'], 6);
      await ok('POST', '/v1/monitors', { id: 'al-errors', model: 'al', metric: 'errorRate', window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 0.1 }] });
      await ok('POST', '/v1/monitors/run', {});
      const alerts = ((await ok('GET', '/v1/alerts?limit=100'))['alerts'] as AlertView[]).filter((a) => a.monitorId === 'al-errors');
      assert.equal(alerts.length, 1);
      const affected = alerts[0]!.context.segments.slice().sort((a, b) => a.segment.localeCompare(b.segment));
      assert.deepEqual(affected, [
        { segment: 'region=__other__', value: 1, overflow: true },
        { segment: 'region=eu', value: 0 },
        { segment: 'region=us', value: 1 },
      ]);
    });
  });
}

describe('audit 22: the gateway refuses a segment value "__other__" (real server, DuckDB file, a real model server)', () => {
  let s: Server;
  let v1: ModelServer;
  before(async () => {
    [s, v1] = await Promise.all([testServer({ clock: () => NOW, configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } }), startModelServer()]);
    await declareChurn(s.url, [{ version: '1.0.0', upstream: v1.url }], '1.0.0');
  });
  after(async () => {
    await s?.close();
    await v1?.close();
  });

  test('POST /predict with segment.region "__other__" is a 400 saying the value is reserved, before any upstream call', async () => {
    // Until audit 22 the prediction was recorded under region=__other__, counted as the overflow segment's.
    const refused = await call(s.url, 'POST', '/v1/models/churn/predict', { features: { x: 1 }, segment: { region: '__other__' } });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    const error = refused.body['error'] as { code: string; message: string };
    assert.equal(error.code, 'bad_request');
    assert.match(error.message, /segment\.region is "__other__", which is reserved/);
    assert.equal(v1.requests, 0);
    assert.equal((await call(s.url, 'POST', '/v1/models/churn/predict', { features: { x: 1 }, segment: { region: 'eu' } })).status, 200);
  });
});

describe('audit 22 (web): an alert\'s most affected segments say which one is over the limit', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    [s, browser] = await Promise.all([server('DuckDB file', 'web'), launch()]);
    const ok = succeeding(() => s.url);
    await declare(ok, 'al', ['region']);
    assert.equal((await ok('POST', '/v1/events', { events: alertEvents() }))['accepted'], 6);
    await ok('POST', '/v1/monitors', { id: 'al-errors', model: 'al', metric: 'errorRate', window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 0.1 }] });
    await ok('POST', '/v1/monitors/run', {});
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('region=__other__ is shown as the segments over the limit', async () => {
    // Until audit 22 the view showed "region=__other__ (1)" like any region.
    await openView(page, `${s.url}/ui/#/alerts?state=open`, { complete: true });
    const context = page.locator('.alert-context .muted', { hasText: 'most affected' });
    assert.equal(await context.count(), 1);
    const text = (await context.textContent()) ?? '';
    assert.match(text, /region=__other__ \(1, the segments over the limit\)/, text);
    assert.match(text, /region=us \(1\)/, text);
    assert.deepEqual(errors, []);
  });
});
