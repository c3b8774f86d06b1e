import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { answerChecker } from './helpers/answers.js';
import { tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { call, succeeding, testServer } from './helpers/server.js';

// Audit 21: segments, the leftovers of audit 20 (real server, DuckDB file, and PostgreSQL where storage is involved).
const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemaUrl = testSchemas('lookout_audit21', pgUrl).url;
const BACKENDS = ['DuckDB file', 'PostgreSQL'] as const;
const skipOf = (backend: (typeof BACKENDS)[number]): string | false => (backend === 'PostgreSQL' && !pgUrl ? 'LOOKOUT_TEST_PG_URL not set' : false);

/** A real server on `dataDir` (and, for PostgreSQL, the schema `store`), the segment limit `cap`; restartable on the same store. */
function starter(backend: (typeof BACKENDS)[number], cap: number, clock: () => number): { start: () => Promise<Server> } {
  const dataDir = tempDir('lookout-a21-');
  const store = backend === 'PostgreSQL' ? schemaUrl(`cap${cap}`) : undefined;
  return {
    start: () => testServer({
      clock,
      configure: (c) => {
        c.dataDir = dataDir;
        c.ingest.maxSegmentsPerModel = cap;
        if (store !== undefined) c.storage = store;
      },
    }),
  };
}

const event = (id: string, region: string, i: number, x: unknown = i): Record<string, unknown> => ({
  id, model: 'cap', version: '1', timestamp: FROM + 2 * MINUTE + i * 1000, features: { x }, prediction: i, segment: { region },
});

for (const backend of BACKENDS) {
  describe(`audit 21: rejected rows and the segment limit (real server, ${backend})`, { skip: skipOf(backend) }, () => {
    const srv = starter(backend, 4, () => NOW);
    let s: Server;
    const ok = succeeding(() => s.url);
    const segments = async (): Promise<string[]> => ((await ok('GET', `/v1/models/cap/segments?${RANGE}`))['segments'] as string[]).slice().sort();
    before(async () => {
      s = await srv.start();
    });
    after(async () => {
      await s?.close();
    });

    test('rows refused by validation take no slot of ingest.maxSegmentsPerModel: valid segments after a flood of bad ones keep theirs, across a restart', async () => {
      // Until audit 21 SegmentCap placed a rejected row's segment as an accepted event's: 5 rows of new regions refused for
      // their features took the model's 4 slots, and every valid region after them went under "__other__".
      await ok('POST', '/v1/models', { name: 'cap', outputKind: 'regression', segmentKeys: ['region'], inputSchema: SCHEMA });
      await ok('POST', '/v1/models/cap/versions', { version: '1' });
      const bad = ['b1', 'b2', 'b3', 'b4', 'b5'].map((r, i) => event(`bad-${r}`, r, i, 'not a number'));
      const flood = await ok('POST', '/v1/events', { events: bad });
      assert.equal(flood['rejected'], 5, JSON.stringify(flood));
      const good = await ok('POST', '/v1/events', { events: ['eu', 'us', 'asia'].map((r, i) => event(`ok-${r}`, r, 10 + i)) });
      assert.equal(good['accepted'], 3, JSON.stringify(good));
      // a refused row of a segment with accepted events still counts under its segment
      assert.equal((await ok('POST', '/v1/events', { events: [event('bad-eu', 'eu', 20, 'nope')] }))['rejected'], 1);
      assert.deepEqual(await segments(), ['region=asia', 'region=eu', 'region=us']);
      assert.equal((await ok('GET', `/v1/models/cap/health?${RANGE}&segment=region=eu`))['events'], 1);
      assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}&segment=region=eu`))['rejected'], 1);
      // every refused row still counts in the model's totals
      assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}`))['rejected'], 6);
      await s.close();
      // after a restart the stored segments are counted again (seeded): the refused rows' regions are not among them
      s = await srv.start();
      assert.equal((await ok('POST', '/v1/events', { events: [event('ok-latam', 'latam', 30), event('ok-africa', 'africa', 31), event('ok-arctic', 'arctic', 32)] }))['accepted'], 3);
      assert.deepEqual(await segments(), ['region=__other__', 'region=asia', 'region=eu', 'region=latam', 'region=us']);
      assert.equal((await ok('GET', `/v1/models/cap/health?${RANGE}&segment=region=latam`))['events'], 1);
      assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}`))['rejected'], 6);
    });

    test('GET /segments marks the overflow segment: the limit, the segments folded into it and their events in the range', async () => {
      // Until audit 21 "region=__other__" was listed as any segment: nothing said it holds the events of the segments
      // past ingest.maxSegmentsPerModel, nor what the limit is.
      const checker = await answerChecker(() => s.url);
      const path = '/v1/models/{name}/segments';
      const listed = await checker.check('get', path, `/v1/models/cap/segments?${RANGE}`);
      assert.deepEqual(listed['overflow'], { segments: ['region=__other__'], maxSegmentsPerModel: 4, events: 2 }, JSON.stringify(listed));
      const detailed = await checker.check('get', path, `/v1/models/cap/segments?${RANGE}&details=true`);
      const details = detailed['details'] as Array<{ segment: string; events: number; overflow?: boolean }>;
      assert.deepEqual(details.filter((d) => d.overflow === true).map((d) => [d.segment, d.events]), [['region=__other__', 2]]);
      assert.equal(details.filter((d) => d.overflow !== undefined).length, 1, JSON.stringify(details));
      // a model below its limit has none
      const below = await checker.check('get', path, `/v1/models/cap/segments?${RANGE}&segment=region=eu`);
      assert.equal(below['overflow'], undefined);
      checker.refused('get', path, listed, (a) => { (a['overflow'] as Record<string, unknown>)['maxSegmentsPerModel'] = 'four'; }, 'a limit that is not a number');
    });
  });
}

/** Events of `al` in [from, from + 1 h): region=eu, tier=gold, every other one a failed inference. */
function alertEvents(prefix: string, from: number): Array<Record<string, unknown>> {
  return Array.from({ length: 10 }, (_, i) => ({
    id: `${prefix}-${i}`, model: 'al', version: '1', timestamp: from + 2 * MINUTE + i * MINUTE, features: { x: i }, latencyMs: 5,
    ...(i % 2 === 0 ? { error: 'timeout' } : { prediction: i }), segment: { region: 'eu', tier: 'gold' },
  }));
}

const errorMonitor = (id: string, segment: string): Record<string, unknown> => ({
  id, model: 'al', metric: 'errorRate', segment, window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 0.1 }],
});

interface AlertView { id: string; state: string; fingerprint: string; monitorId: string; labels: Record<string, string> }

for (const backend of BACKENDS) {
  describe(`audit 21: alert labels carry the canonical segment (real server, ${backend})`, { skip: skipOf(backend) }, () => {
    let now = NOW;
    const dataDir = tempDir('lookout-a21-alerts-');
    const store = backend === 'PostgreSQL' ? schemaUrl('alerts') : `duckdb:${dataDir}/lookout.duckdb`;
    let s: Server;
    const ok = succeeding(() => s.url);
    const start = (): Promise<Server> => testServer({
      clock: () => now,
      configure: (c) => {
        c.dataDir = dataDir;
        if (backend === 'PostgreSQL') c.storage = store;
      },
    });
    const alertsOf = async (monitor: string): Promise<AlertView[]> => {
      const all = (await ok('GET', '/v1/alerts?limit=1000'))['alerts'] as AlertView[];
      return all.filter((a) => a.monitorId === monitor);
    };

    before(async () => {
      s = await start();
      await ok('POST', '/v1/models', { name: 'al', outputKind: 'regression', segmentKeys: ['region', 'tier'], inputSchema: SCHEMA });
      await ok('POST', '/v1/models/al/versions', { version: '1' });
      assert.equal((await ok('POST', '/v1/events', { events: alertEvents('h1', FROM) }))['accepted'], 10);
    });
    after(async () => {
      await s?.close();
    });

    test('two spellings of one segment (keys in another order, a value URI-encoded) give their alerts one segment label, the canonical key', async () => {
      // Until audit 21 the label was the monitor's text: "tier=gold&region=eu" and "region=eu&tier=gold" were two label
      // values, so two notification groups (groupBy segment), and a silence or an inhibition's equal: [segment] of one
      // missed the other.
      await ok('POST', '/v1/monitors', errorMonitor('eu-gold-a', 'tier=gold&region=eu'));
      await ok('POST', '/v1/monitors', errorMonitor('eu-gold-b', 'region=eu&tier=gold'));
      await ok('POST', '/v1/monitors', errorMonitor('eu-gold-c', 'region=%65u&tier=gold'));
      await ok('POST', '/v1/monitors/run', {});
      const labels = await Promise.all(['eu-gold-a', 'eu-gold-b', 'eu-gold-c'].map(async (id) => {
        const list = await alertsOf(id);
        assert.equal(list.length, 1, `${id}: ${JSON.stringify(list)}`);
        return (list[0] as AlertView).labels['segment'];
      }));
      assert.deepEqual(labels, ['region=eu&tier=gold', 'region=eu&tier=gold', 'region=eu&tier=gold']);
      // the monitor keeps its segment as written
      assert.equal(((await ok('GET', '/v1/monitors/eu-gold-a'))['monitor'] as Record<string, unknown>)['segment'], 'tier=gold&region=eu');
    });

    test('an alert raised before the upgrade, with the segment as written, keeps its id, state and acknowledgement: the next evaluations update it, no second alert', async () => {
      const [before1] = await alertsOf('eu-gold-a');
      assert.ok(before1);
      await ok('POST', `/v1/alerts/${before1.id}/ack`, { by: 'oncall' });
      await s.close();
      // as the release before audit 21 stored it: the label as written, the fingerprint of those labels
      const { openStore } = await import('../src/storage/open.js');
      const { fingerprint } = await import('../src/alerting/fingerprint.js');
      const db = await openStore(store);
      await db.init();
      const stored = (await db.alertStore().listAlerts({ monitorId: 'eu-gold-a' }))[0];
      assert.ok(stored);
      const legacy = { ...stored.labels, segment: 'tier=gold&region=eu' };
      await db.alertStore().putAlert({ ...stored, labels: legacy, fingerprint: fingerprint('eu-gold-a', legacy) });
      await db.close();

      now = NOW + HOUR;
      s = await start();
      assert.equal((await ok('POST', '/v1/events', { events: alertEvents('h2', NOW) }))['accepted'], 10);
      await ok('POST', '/v1/monitors/run', {});
      const list = await alertsOf('eu-gold-a');
      assert.equal(list.length, 1, JSON.stringify(list));
      const a = list[0] as AlertView;
      assert.equal(a.id, before1.id);
      assert.equal(a.state, 'acknowledged');
      assert.equal(a.labels['segment'], 'region=eu&tier=gold');
      // resolving: the window after has no errors
      now = NOW + 2 * HOUR;
      const calm = alertEvents('h3', NOW + HOUR).map((e) => ({ ...e, error: undefined, prediction: 1 }));
      await ok('POST', '/v1/events', { events: calm });
      await ok('POST', '/v1/monitors/run', {});
      const after1 = await alertsOf('eu-gold-a');
      assert.deepEqual(after1.map((x) => [x.id, x.state]), [[before1.id, 'resolved']]);
    });
  });
}

describe('audit 21 (web): the segment table marks the segment past the limit', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => NOW, configure: (c) => { c.ingest.maxSegmentsPerModel = 2; } }), launch()]);
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', { name: 'w', outputKind: 'regression', segmentKeys: ['region'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models/w/versions', { version: '1' });
    const reference = `x,prediction\n${Array.from({ length: 40 }, (_, i) => `${i % 8},${i % 5}`).join('\n')}\n`;
    const up = await fetch(`${s.url}/v1/models/w/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
    assert.equal(up.status, 200, await up.text());
    const events = ['eu', 'us', 'asia', 'latam', 'eu'].map((region, i) => ({ id: `w${i}`, model: 'w', version: '1', timestamp: FROM + (i + 1) * MINUTE, features: { x: i }, prediction: i, segment: { region } }));
    assert.equal((await ok('POST', '/v1/events', { events }))['accepted'], 5);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('the __other__ row says it is over the limit, and a line gives the limit and its events', async () => {
    // Until audit 21 "region=__other__" was a row like any other: nothing said what it holds or why.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await openView(page, `${s.url}/ui/#/model/w?${RANGE}`, { complete: true });
    const note = page.locator('[data-testid="segments-overflow"]');
    assert.equal(await note.count(), 1);
    assert.match((await note.textContent()) ?? '', /region=__other__: the 2 events of segments past the server's limit of 2 distinct segments per model/);
    const cells = await page.locator('[data-testid="segments-table"] tbody tr td:first-child').allTextContents();
    assert.deepEqual(cells.slice().sort(), ['region=__other__ (over the limit)', 'region=eu', 'region=us']);
    assert.deepEqual(errors, []);
  });
});
