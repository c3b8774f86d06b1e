import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, FROM, HOUR, NOW, RANGE, SameData } from './helpers/drift.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';

describe('drift over stored windows: audit 5 (real server, DuckDB file, real CLI)', () => {
  let s: Server;
  let data: SameData;
  const post = poster(() => s.url);
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    data = new SameData(s, tempDir('lookout-audit5-drift-'));
  });
  after(async () => {
    await s.close();
  });

  /** The newCategoryRate of /quality and of a monitor (1h window) on the model's feature `city`. */
  async function newCategoryRates(model: string): Promise<{ quality: number | null; monitor: number | null }> {
    const q = await call(s.url, 'GET', `/v1/models/${model}/quality?${RANGE}`);
    assert.equal(q.status, 200);
    const qf = (q.body['features'] as Array<{ name: string; newCategoryRate: number | null }>).find((f) => f.name === 'city');
    await post('/v1/monitors', { id: `${model}-new`, model, metric: 'newCategoryRate:city', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.1 }] });
    await post('/v1/monitors/run', {});
    const e = await lastEvaluation(s.url, `${model}-new`, FROM, NOW + HOUR);
    return { quality: qf?.newCategoryRate ?? null, monitor: e.value };
  }

  test('a reference with 250 categories (over the cap of 200): the newCategoryRate monitor finds no new category, as newCategories and /quality', async () => {
    // The reference summary names 200 of its 250 categories and counts 50 as "other"; the range has the same 250.
    const cats = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${String((i * 7) % 250).padStart(3, '0')}`);
    const { server, cli } = await data.both('manyrate', { city: { type: 'string' } }, { city: cats(500) }, { city: cats(500).reverse() });
    assert.deepEqual(driftFeature(cli, 'city').stats['newCategories'], []);
    assert.deepEqual(driftFeature(server, 'city').stats['newCategories'], []);
    const rates = await newCategoryRates('manyrate');
    assert.deepEqual(rates, { quality: 0, monitor: 0 });
    const e = await lastEvaluation(s.url, 'manyrate-new', FROM, NOW + HOUR);
    assert.equal(e.status, 'ok');
    assert.match(String(e.detail?.['note']), /more categories than/);
  });

  test('a reference under the cap: the newCategoryRate monitor and /quality give the same share of new values', async () => {
    const ref = { city: Array.from({ length: 40 }, (_, i) => 'abcd'[i % 4] as string) };
    const cur = { city: Array.from({ length: 40 }, (_, i) => (i < 30 ? ('abcd'[i % 4] as string) : `n${i % 3}`)) };
    await data.both('fewrate', { city: { type: 'string' } }, ref, cur);
    assert.deepEqual(await newCategoryRates('fewrate'), { quality: 10 / 40, monitor: 10 / 40 });
  });
});
