import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors, type RequestTiming } from './helpers/browser.js';
import { call, testServer } from './helpers/server.js';

/*
 * Audit 16, many models: the dashboard overview's figures in one request per page of models (GET /v1/overview), the
 * same numbers as the per-model endpoints; the overview page no longer asks /health, /drift and /performance per
 * version. A real server (DuckDB file), real HTTP, Debian's Chromium.
 */
const HOUR = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
const N = 30;

describe('GET /v1/overview and the overview page with many models', () => {
  let s: Server;
  let browser: Browser | undefined;
  const now = Date.now();
  const from = now - 24 * HOUR;
  const range = `from=${from}&to=${now}`;
  const names = Array.from({ length: N }, (_, i) => `m${String(i).padStart(2, '0')}`);
  before(async () => {
    // a fixed clock: throughput over a range still running (to after now) is over the part passed, which moves
    s = await testServer({ clock: () => now, configure: (c) => { c.server.warmUpDays = 0; c.server.windowValueFillSeconds = 0; } });
    for (const [i, name] of names.entries()) {
      const binary = i % 2 === 0;
      const r = await call(s.url, 'POST', '/v1/models', { name, outputKind: binary ? 'binary' : 'regression', ...(binary && { classes: ['0', '1'] }), inputSchema: SCHEMA });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal((await call(s.url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
    }
    // m00 and m01 have two versions; the first 6 models a reference for version 1
    for (const name of ['m00', 'm01']) assert.equal((await call(s.url, 'POST', `/v1/models/${name}/versions`, { version: '2' })).status, 201);
    for (const name of names.slice(0, 6)) {
      const rows = ['x,c,prediction', ...Array.from({ length: 300 }, (_, j) => `${j % 10},${['a', 'b'][j % 2]},${j % 2}`)];
      const up = await fetch(`${s.url}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: rows.join('\n') });
      assert.equal(up.status, 200, await up.text());
    }
    // events over the last 3 hours; the odd models' x shifted up (drift), some errors; labels for the binary ones
    const events = names.slice(0, 12).flatMap((name, i) => Array.from({ length: 120 }, (_, j) => ({
      id: `${name}-${j}`, model: name, version: name === 'm00' && j % 3 === 0 ? '2' : '1', timestamp: now - 3 * HOUR + j * 60_000,
      features: { x: (j % 10) + (i % 2 ? 6 : 0), c: ['a', 'b', 'z'][j % (i % 2 ? 3 : 2)] }, prediction: i % 2 === 0 ? String(j % 2) : j / 10,
      latencyMs: 5 + (j % 13) + i, error: j % (10 + i) === 0 ? 'boom' : null,
    })));
    const res = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    const labels = events.filter((e) => typeof e.prediction === 'string' && e.error === null && Number(e.id.split('-')[1]) % 2 === 0).map((e, k) => ({ id: e.id, label: String(k % 3 === 0 ? 1 : 0) }));
    assert.equal((await call(s.url, 'POST', '/v1/labels', { labels })).status, 200);
    await s.deps.pipeline.flush();
    if (!browserUnavailable()) browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  type Row = { model: string; version: string; health: Record<string, unknown>; drift: { datasetDrift: unknown; driftedFeatures: string[]; skipped?: unknown } | null; performance?: Record<string, unknown> | null };
  const pages = async (q: string): Promise<{ rows: Row[]; requests: number }> => {
    const rows: Row[] = [];
    let after: string | null = null;
    let requests = 0;
    do {
      const r = await call(s.url, 'GET', `/v1/overview?${q}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      requests++;
      rows.push(...(r.body['rows'] as Row[]));
      after = r.body['next'] as string | null;
    } while (after);
    return { rows, requests };
  };
  const head = ['model', 'version', 'segment', 'from', 'to', 'requested'];
  const without = (o: Record<string, unknown>, keys: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

  test('each version\'s figures are what /health, /drift and /performance answer for it', async () => {
    const { rows, requests } = await pages(`${range}&limit=7&performance=true`);
    assert.equal(requests, 5); // 30 models, 7 a page
    assert.deepEqual(rows.map((r) => `${r.model}@${r.version}`), names.flatMap((n) => (n === 'm00' || n === 'm01' ? [`${n}@1`, `${n}@2`] : [`${n}@1`])));
    let drifted = 0;
    let realized = 0;
    for (const row of rows) {
      const q = `${range}&version=${row.version}`;
      const health = await call(s.url, 'GET', `/v1/models/${row.model}/health?${q}`);
      assert.deepEqual(row.health, without(health.body, head), `${row.model}@${row.version} health`);
      const drift = await call(s.url, 'GET', `/v1/models/${row.model}/drift?${q}`);
      if (drift.status === 422) assert.equal(row.drift, null, `${row.model}@${row.version}: no reference, no drift`);
      else {
        assert.equal(drift.status, 200);
        const d = drift.body as { datasetDrift: unknown; features: Array<{ name: string; drifted: boolean }>; skipped: unknown };
        // skipped since audit 24 (the features the reference lacks, as /drift's)
        assert.deepEqual(row.drift, { datasetDrift: d.datasetDrift, driftedFeatures: d.features.filter((f) => f.drifted).map((f) => f.name), skipped: d.skipped }, `${row.model}@${row.version} drift`);
        drifted += row.drift?.driftedFeatures.length ?? 0;
      }
      const metric = Number(row.model.slice(1)) % 2 === 0 ? 'accuracy' : 'mae';
      const perf = await call(s.url, 'GET', `/v1/models/${row.model}/performance?${q}&segments=false&ci=false&metrics=${metric}`);
      assert.equal(perf.status, 200, JSON.stringify(perf.body));
      assert.deepEqual(row.performance, without(perf.body, head), `${row.model}@${row.version} performance`);
      if ((row.performance?.['realized'] ?? null) !== null) realized++;
    }
    assert.ok(drifted > 0, 'some features drifted (the comparison covers drifted ones)');
    assert.ok(realized > 0, 'some versions have realized metrics');
    // without performance=true there is none; without limit, pages of 100 models
    const one = await call(s.url, 'GET', `/v1/overview?${range}`);
    assert.equal((one.body['rows'] as Row[]).length, N + 2);
    assert.equal(one.body['next'], null);
    assert.equal((one.body['rows'] as Row[])[0]?.performance, undefined);
  });

  test('bad parameters: a 400 with a structured error', async () => {
    for (const [q, code] of [['limit=0', 'bad_request'], ['performance=yes', 'bad_request'], ['after=xyz!', 'bad_request'], [`from=${now}&to=${from}`, 'bad_request']] as const) {
      const r = await call(s.url, 'GET', `/v1/overview?${q}`);
      assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body['error'] as { code: string }).code, code, q);
    }
  });

  test('the overview page asks a few requests, not three per model version, and shows every row as before', async (t) => {
    if (!browser) return t.skip(browserUnavailable() ?? 'no browser');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    const requests: RequestTiming[] = [];
    await openView(page, `${s.url}/ui/#/overview?from=${from}&to=${now}`, { complete: true, timeoutMs: 120_000, requests });
    const api = requests.filter((r) => r.path.startsWith('/v1/'));
    const perVersion = api.filter((r) => /^\/v1\/models\/[^/]+\/(health|drift|performance)\b/.test(r.path));
    assert.deepEqual(perVersion.map((r) => r.path.split('?')[0]), [], 'no per-version figure requests');
    assert.ok(api.length <= 6, `${api.length} API requests: ${api.map((r) => r.path.split('?')[0]).join(', ')}`);
    const shown = await page.locator('[data-testid="models-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-model') ?? ''}@${tr.getAttribute('data-version') ?? ''}:${tr.getAttribute('data-status') ?? ''}`));
    assert.equal(shown.length, N + 2);
    // each row's status and figures as the per-model endpoints give them
    const m01 = page.locator('tr[data-model="m01"][data-version="1"]');
    const d = (await call(s.url, 'GET', `/v1/models/m01/drift?${range}&version=1`)).body as { datasetDrift: { driftedFeatures: number; features: number; drifted: boolean } };
    assert.match((await m01.textContent()) ?? '', new RegExp(`${d.datasetDrift.driftedFeatures}/${d.datasetDrift.features} features`));
    assert.equal(await m01.getAttribute('data-status'), d.datasetDrift.drifted ? 'red' : 'yellow');
    const h = (await call(s.url, 'GET', `/v1/models/m20/health?${range}&version=1`)).body as { events: number };
    assert.equal(h.events, 0);
    assert.equal(await page.locator('tr[data-model="m20"]').getAttribute('data-status'), 'grey', 'no traffic: grey');
    // the quality column filled from the performance pass
    const m02 = (await call(s.url, 'GET', `/v1/models/m02/performance?${range}&version=1&segments=false&ci=false&metrics=accuracy`)).body as { realized: { metrics: { accuracy: { value: number } } } };
    assert.match((await page.locator('tr[data-model="m02"]').textContent()) ?? '', new RegExp(`accuracy ${(m02.realized.metrics.accuracy.value * 100).toFixed(1)}%`));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
