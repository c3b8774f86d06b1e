import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { featureDrift } from '../src/core/drift/feature.js';
import { categoricalSample } from '../src/core/drift/sample.js';
import type { FeatureDrift } from '../src/core/drift/types.js';
import type { Server } from '../src/server.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 19: label drift, range references, lookout.yaml range references and `lookout status`, tried as a demanding
 * user would, on a real server with a DuckDB file. Each test failed on the code before its fix.
 */

const HOUR = 3_600_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const T0 = NOW - 3 * HOUR;

type Json = Record<string, unknown>;

describe('audit 19: label drift (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  const ok = succeeding(() => base);
  const upload = async (model: string, version: string, csv: string): Promise<void> => {
    const r = await fetch(`${base}/v1/models/${model}/versions/${version}/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(r.status, 200, await r.text());
  };
  /** Events at T0 + i minutes (ids PREFIX-i) predicting their label, then their labels. */
  const traffic = async (model: string, prefix: string, labels: readonly string[]): Promise<void> => {
    const events = labels.map((l, i) => ({ id: `${prefix}-${i}`, model, version: '1', timestamp: T0 + (i % 150) * MIN, features: { x: i % 7 }, prediction: l }));
    assert.equal((await ok('POST', '/v1/events', events))['accepted'], labels.length);
    assert.equal((await ok('POST', '/v1/labels', { labels: labels.map((label, i) => ({ id: `${prefix}-${i}`, label })) }))['accepted'], labels.length);
  };
  const range = `from=${T0 - HOUR}&to=${NOW}&segments=false&ci=false`;

  // 250 classes (more than a categorical summary's cap of 200), each as frequent in the reference as in the traffic
  const classes = Array.from({ length: 250 }, (_, i) => `c${String(i).padStart(3, '0')}`);
  const refLabels = [0, 1, 2, 3].flatMap(() => classes);
  const curLabels = [0, 1].flatMap(() => [...classes].reverse()); // the same shares, met in another order

  before(async () => {
    s = await testServer({ clock: () => NOW });
    base = s.url;
    for (const [name, declared] of [['many', true], ['manyfree', false]] as const) {
      await ok('POST', '/v1/models', { name, outputKind: 'multiclass', ...(declared && { classes }), inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      await ok('POST', `/v1/models/${name}/versions`, { version: '1' });
      await upload(name, '1', `x,prediction,label\n${refLabels.map((l, i) => `${i % 7},${l},${l}`).join('\n')}\n`);
      await traffic(name, name, curLabels);
    }
  });
  after(async () => {
    await s?.close();
  });

  test('more classes than the category cap: the labels of the same shares are no drift, whatever order they come in (declared classes: exact, as `lookout drift`)', async () => {
    const want = featureDrift('__label', categoricalSample(refLabels), categoricalSample(curLabels));
    assert.equal(want.drifted, false);
    const got = (await ok('GET', `/v1/models/many/performance?${range}`))['labelDrift'] as FeatureDrift;
    assert.equal(got.method, want.method);
    assert.equal(got.drifted, false, `score ${String(got.score)}`);
    assert.ok(got.score !== null && want.score !== null && Math.abs(got.score - want.score) <= 1e-9, `score ${String(got.score)} against ${String(want.score)}`);
    // without declared classes: the classes the reference folded into its "other" bucket are folded in the traffic too
    const free = (await ok('GET', `/v1/models/manyfree/performance?${range}`))['labelDrift'] as FeatureDrift;
    assert.equal(free.drifted, false, `score ${String(free.score)}`);
    assert.ok(free.score !== null && free.score > 0.99, `score ${String(free.score)}`);
  });
});

describe('audit 19: range references (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  const ok = succeeding(() => base);

  before(async () => {
    s = await testServer({ clock: () => NOW });
    base = s.url;
    await ok('POST', '/v1/models', { name: 'rr', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    for (const version of ['1', '2']) {
      await ok('POST', '/v1/models/rr/versions', { version });
      const events = Array.from({ length: 120 }, (_, i) => ({ id: `rr${version}-${i}`, model: 'rr', version, timestamp: T0 + i * MIN, features: { x: i % 5 }, prediction: i % 3 ? 'no' : 'yes' }));
      assert.equal((await ok('POST', '/v1/events', events))['accepted'], 120);
    }
  });
  after(async () => {
    await s?.close();
  });

  test('an existing version given a range of a version the model does not have: refused, not taken from its own traffic', async () => {
    const r = await call(base, 'POST', '/v1/models/rr/versions', { version: '2', reference: { from: T0, to: T0 + 2 * HOUR, version: '7' } });
    assert.equal(r.status, 404, JSON.stringify(r.body).slice(0, 300));
    assert.equal((r.body['error'] as Json)['code'], 'unknown_version');
    assert.match(String((r.body['error'] as Json)['message']), /no version "7" to take the reference range from/);
    assert.equal(s.deps.catalog.version('rr', '2')?.record.reference, undefined, 'version 2 keeps having no reference');
    // the version named, or the version itself without one: taken
    await ok('POST', '/v1/models/rr/versions', { version: '2', reference: { from: T0, to: T0 + 2 * HOUR, version: '1' } });
    assert.deepEqual((s.deps.catalog.version('rr', '2')?.record.reference as { source: unknown }).source, { from: T0, to: T0 + 2 * HOUR, version: '1' });
    await ok('POST', '/v1/models/rr/versions', { version: '2', reference: { from: T0, to: T0 + 2 * HOUR } });
    assert.deepEqual((s.deps.catalog.version('rr', '2')?.record.reference as { source: unknown }).source, { from: T0, to: T0 + 2 * HOUR, version: '2' });
  });
});
