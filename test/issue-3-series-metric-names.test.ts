import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import type { VersionContext } from '../src/monitoring/catalog.js';
import { windowValueBasis } from '../src/monitoring/window-values.js';
import { call, testServer } from './helpers/server.js';
import { declareModel, sendEvents } from './helpers/window-values.js';

/*
 * Issue 3 (time series "for charts"): a series metric must name a metric, and a feature metric a feature the version
 * summarises. Before, `drift:typo` was answered with nulls, and since feature metrics of hour and day windows are stored
 * per window, every window it read got a stored value under the mistyped name.
 */
const H = 3_600_000;
const NOW = Math.floor(Date.now() / H) * H + 30 * 60_000;
const FROM = NOW - 6 * H;
let s: Server;

before(async () => {
  s = await testServer({ clock: () => NOW });
  await declareModel(s.url, 'mn'); // features a (numerical) and c (categorical), with a reference
  await sendEvents(s.url, 'mn', 120, 2, 5, (i) => FROM + i * 150_000);
});
after(async () => s?.close());

const storedValues = async (metric: string): Promise<number> => {
  const v = s.deps.reader.resolveVersion('mn', '1') as VersionContext;
  const basis = windowValueBasis(v);
  assert.ok(basis !== null, 'the version has a reference: its feature values are stored');
  return (await s.deps.store.queryWindowValues({ model: 'mn', version: '1', segment: '', granularity: 'hour', from: FROM - H, to: NOW, metrics: [metric], basis })).length;
};

test('issue 3: a series of an unknown feature, or a metric that cannot take one, is refused with the known names, and nothing is stored', async () => {
  const range = `granularity=hour&from=${FROM}&to=${NOW}`;
  const bad: Array<[string, RegExp, Record<string, unknown>]> = [
    ['drift:typo', /unknown feature "typo".*summarises a, c/, { unknown: 'typo', features: ['a', 'c'] }],
    ['missing:', /needs a feature: missing:FEATURE, one of a, c/, { features: ['a', 'c'] }],
    ['drift', /needs a feature/, { features: ['a', 'c'] }],
    ['events:a', /takes no feature/, {}],
    ['latency', /unknown metric "latency": one of events,/, {}],
  ];
  for (const [metric, message, details] of bad) {
    for (const path of [`/v1/models/mn/timeseries?metric=${encodeURIComponent(metric)}&${range}`, `/v1/models/mn/series?metrics=events,${encodeURIComponent(metric)}&${range}`]) {
      const r = await call(s.url, 'GET', path);
      assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
      const err = r.body['error'] as { code: string; message: string; details: Record<string, unknown> };
      assert.equal(err.code, 'bad_request');
      assert.match(err.message, message);
      if (path.includes('/timeseries?')) for (const [k, want] of Object.entries(details)) assert.deepEqual(err.details[k], want, `${metric}: details.${k}`);
      else assert.deepEqual([err.details['unknown'], err.details['features']], [[metric], ['a', 'c']], `${metric}: /series lists the refused metrics and the features`);
    }
  }
  // The same request with a real feature is answered, and its values are stored (in the background); the refused one's never.
  const ok = await call(s.url, 'GET', `/v1/models/mn/timeseries?metric=drift:a&${range}`);
  assert.equal(ok.status, 200);
  assert.ok((ok.body['points'] as Array<{ value: number | null }>).some((p) => p.value !== null), 'drift:a has values');
  const ok2 = await call(s.url, 'GET', `/v1/models/mn/series?metrics=events,missing:c&${range}`);
  assert.equal(ok2.status, 200);
  let stored = 0;
  for (let i = 0; i < 100 && stored === 0; i++) {
    stored = await storedValues('drift:a');
    if (stored === 0) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(stored > 0, 'the closed hour windows of drift:a are stored');
  assert.equal(await storedValues('drift:typo'), 0);
});

test('issue 3: a feature whose name holds a colon is charted as itself ("missing:a:b" is feature "a:b", not "a")', async () => {
  const schema = { type: 'object', properties: { a: { type: 'number' }, 'a:b': { type: 'number' } } };
  assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'colon', outputKind: 'regression', inputSchema: schema })).status, 201);
  assert.equal((await call(s.url, 'POST', '/v1/models/colon/versions', { version: '1' })).status, 201);
  // "a" always present, "a:b" in every other event.
  const events = Array.from({ length: 40 }, (_, i) => ({ model: 'colon', version: '1', timestamp: FROM + i * 60_000, features: i % 2 === 0 ? { a: i, 'a:b': i } : { a: i }, prediction: i }));
  assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], events.length);
  const range = `granularity=hour&from=${FROM}&to=${FROM + H}`;
  const value = async (metric: string): Promise<unknown> => {
    const r = await call(s.url, 'GET', `/v1/models/colon/timeseries?metric=${encodeURIComponent(metric)}&${range}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return (r.body['points'] as Array<{ value: number | null }>)[0]?.value;
  };
  assert.equal(await value('missing:a:b'), 0.5);
  assert.equal(await value('missing:a'), 0);
});
