import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { answerChecker } from './helpers/answers.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
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

  test('the model view filtered to a segment marks that segment\'s row; every other segment links to its own view', async () => {
    // Until then the table ignored ?segment=: nothing in it said which segment the view above is of, nor led to another.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await openView(page, `${s.url}/ui/#/model/w?${RANGE}&segment=${encodeURIComponent('region=eu')}`, { complete: true });
    const current = page.locator('[data-testid="segments-table"] tbody tr[aria-current="true"]');
    assert.equal(await current.count(), 1);
    assert.equal(await current.getAttribute('data-segment'), 'region=eu');
    assert.equal(await current.locator('td').first().textContent(), 'region=eu (this view)');
    assert.equal(await current.locator('a').count(), 0, 'no link to the view already shown');
    const us = page.locator('[data-testid="segments-table"] tbody tr[data-segment="region=us"] a');
    assert.equal(await us.count(), 1);
    await us.click();
    await page.locator('[data-testid="segments-table"] tbody tr[aria-current="true"][data-segment="region=us"]').waitFor();
    assert.match(decodeURIComponent(page.url()), /from=.*segment=region=us|segment=region=us.*from=/, 'the range is kept');
    assert.deepEqual(errors, []);
  });
});

describe('audit 21: GET /v1/overview?segment= and lookout status --segment (real server, DuckDB file)', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  const status = (...args: string[]) => lookoutAsync(['status', '--url', s.url, '--from', String(FROM), '--to', String(NOW), ...args]);

  before(async () => {
    s = await testServer({ clock: () => NOW });
    await ok('POST', '/v1/models', { name: 'ov', outputKind: 'regression', segmentKeys: ['region', 'tier'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models/ov/versions', { version: '1' });
    await ok('POST', '/v1/models', { name: 'plain', outputKind: 'regression', inputSchema: SCHEMA });
    await ok('POST', '/v1/models/plain/versions', { version: '1' });
    // eu: 4 events, none failed; us: 6 events, 3 failed; plain: 3 events
    const ov = [...Array.from({ length: 4 }, () => ({ region: 'eu', tier: 'gold' })), ...Array.from({ length: 6 }, () => ({ region: 'us' }))].map((segment, i) => ({
      id: `ov${i}`, model: 'ov', version: '1', timestamp: FROM + (i + 1) * MINUTE, features: { x: i }, latencyMs: 5, segment,
      ...(segment.region === 'us' && i % 2 === 0 ? { error: 'timeout' } : { prediction: i }),
    }));
    const plain = Array.from({ length: 3 }, (_, i) => ({ id: `pl${i}`, model: 'plain', version: '1', timestamp: FROM + (i + 1) * MINUTE, features: { x: i }, prediction: i }));
    assert.equal((await ok('POST', '/v1/events', { events: [...ov, ...plain] }))['accepted'], 13);
    await ok('POST', '/v1/monitors', { id: 'us-errors', model: 'ov', metric: 'errorRate', segment: 'region=us', window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 0.1 }] });
    await ok('POST', '/v1/monitors/run', {});
  });
  after(async () => {
    await s?.close();
  });

  test('?segment= gives each row the figures of the segment; models that do not declare its keys have no row', async () => {
    // Until audit 21 /v1/overview had no segment filter (an unknown parameter, 400): an on-call view of one region
    // needed a /health, /drift and /performance request per model.
    const checker = await answerChecker(() => s.url);
    const body = await checker.check('get', '/v1/overview', `/v1/overview?${RANGE}&segment=${encodeURIComponent('region=eu')}&performance=true`);
    assert.equal(body['segment'], 'region=eu');
    const rows = body['rows'] as Array<{ model: string; health: { events: number; errorRate: number } }>;
    assert.deepEqual(rows.map((r) => r.model), ['ov']);
    const health = await ok('GET', `/v1/models/ov/health?${RANGE}&segment=region=eu`);
    assert.equal(rows[0]?.health.events, 4);
    assert.deepEqual(rows[0]?.health, Object.fromEntries(Object.keys(rows[0]?.health ?? {}).map((k) => [k, health[k]])));
    const us = (await ok('GET', `/v1/overview?${RANGE}&segment=${encodeURIComponent('region=us')}`))['rows'] as Array<{ health: { errorRate: number } }>;
    assert.equal(us[0]?.health.errorRate, 0.5);
    // without a segment: every model, the whole traffic, segment ""
    const all = await checker.check('get', '/v1/overview', `/v1/overview?${RANGE}`);
    assert.deepEqual((all['rows'] as Array<{ model: string }>).map((r) => r.model), ['ov', 'plain']);
    assert.equal(all['segment'], '');
  });

  test('a malformed ?segment=, one given twice or naming a key no model declares is a 400 naming the segment keys (details.segmentKeys)', async () => {
    const cases: Array<{ q: string; message: RegExp }> = [
      { q: 'segment=region', message: /segment must be "key=value\[,key=value\]" \(got "region"\).*segment keys of the models: region, tier/ },
      { q: `segment=${encodeURIComponent('region=eu,region=us')}`, message: /segment names "region" twice/ },
      { q: 'segment=region%3Deu&segment=tier%3Dgold', message: /segment is given 2 times/ },
      { q: 'segment=colour%3Dred', message: /segment names "colour", not a segment key of any model; segment keys of the models: region, tier/ },
    ];
    for (const c of cases) {
      const res = await call(s.url, 'GET', `/v1/overview?${RANGE}&${c.q}`);
      assert.equal(res.status, 400, `${c.q}: ${JSON.stringify(res.body)}`);
      const error = res.body['error'] as { code: string; message: string; details: Record<string, unknown> };
      assert.equal(error.code, 'bad_request');
      assert.match(error.message, c.message, c.q);
      assert.deepEqual(error.details['segmentKeys'], ['region', 'tier'], c.q);
    }
  });

  test('lookout status --segment: the rows of the segment, its alerts (and the whole traffic\'s), a bad segment refused with exit 2', async () => {
    const eu = await status('--segment', 'region=eu', '--json');
    assert.equal(eu.code, 0, eu.stderr);
    const out = JSON.parse(eu.stdout) as { segment: string; rows: Array<{ model: string; health: { events: number } }>; alerts: unknown[] };
    assert.equal(out.segment, 'region=eu');
    assert.deepEqual(out.rows.map((r) => [r.model, r.health.events]), [['ov', 4]]);
    // the alert of region=us is not region=eu's: --fail-on alerts is well for eu, unwell for us and the whole traffic
    assert.deepEqual(out.alerts, []);
    assert.equal((await status('--segment', 'region=eu', '--fail-on', 'alerts')).code, 0);
    const usRun = await status('--segment', 'region=us', '--fail-on', 'alerts');
    assert.equal(usRun.code, 1, usRun.stdout + usRun.stderr);
    assert.match(usRun.stdout, /segment region=us/);
    assert.equal((await status('--fail-on', 'alerts')).code, 1);
    const human = await status('--segment', 'region=eu,tier=gold');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /segment region=eu,tier=gold/);
    assert.match(human.stdout, /^ov +1 +4 /m);
    // refused as the API refuses it
    const bad = await status('--segment', 'colour=red');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a segment key of any model/);
    const plain = await status('--model', 'plain', '--segment', 'region=eu');
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /not a segment key of model "plain"/);
  });
});
