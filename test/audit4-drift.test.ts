import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, NOW, RANGE, SameData } from './helpers/drift.js';
import { call, testServer } from './helpers/server.js';

describe('drift over stored windows: audit 4 (real server, DuckDB file, real CLI)', () => {
  let s: Server;
  let data: SameData;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    data = new SameData(s, tempDir('lookout-audit4-drift-'));
  });
  after(async () => {
    await s.close();
  });

  test('driftShare=0.3 on GET /drift gives the dataset verdict of lookout drift --drift-share 0.3; out of (0, 1] is a 400', async () => {
    // a drifts (shifted by 30 of 40), b and c do not: 1 of 3 features, share 0.33: dataset drift at 0.3, not at 0.5.
    const ref = { a: Array.from({ length: 40 }, (_, i) => i), b: Array.from({ length: 40 }, (_, i) => i % 7), c: Array.from({ length: 40 }, (_, i) => i) };
    const cur = { a: Array.from({ length: 40 }, (_, i) => i + 30), b: Array.from({ length: 40 }, (_, i) => (i + 3) % 7), c: Array.from({ length: 40 }, (_, i) => i + 1) };
    const props = { a: { type: 'number' }, b: { type: 'number' }, c: { type: 'number' } };
    const { server, cli } = await data.both('share', props, ref, cur, '&driftShare=0.3', ['--drift-share', '0.3']);
    assert.deepEqual(server.features.map((f) => [f.name, f.drifted]), [['a', true], ['b', false], ['c', false]]);
    assert.deepEqual(server.datasetDrift, cli.datasetDrift);
    assert.equal(server.datasetDrift.drifted, true);
    assert.equal(server.datasetDrift.threshold, 0.3);
    // The default stays 0.5 (as the CLI's).
    const def = (await call(s.url, 'GET', `/v1/models/share/drift?${RANGE}`)).body as { datasetDrift: { drifted: boolean; threshold: number } };
    assert.deepEqual([def.datasetDrift.drifted, def.datasetDrift.threshold], [false, 0.5]);
    const one = (await call(s.url, 'GET', `/v1/models/share/drift?${RANGE}&driftShare=1`)).body as { datasetDrift: { drifted: boolean; threshold: number } };
    assert.deepEqual([one.datasetDrift.drifted, one.datasetDrift.threshold], [false, 1]);
    for (const bad of ['0', '-0.2', '1.5', 'abc', '', 'NaN', 'Infinity']) {
      const r = await call(s.url, 'GET', `/v1/models/share/drift?${RANGE}&driftShare=${bad}`);
      assert.equal(r.status, 400, `driftShare=${bad}: ${r.status} ${JSON.stringify(r.body)}`);
      const e = r.body['error'] as { code: string; message: string };
      assert.equal(e.code, 'bad_request');
      assert.match(e.message, /driftShare must be a number in \(0, 1\]/);
    }
  });

  test('a current range with 254 categories (over the cap of 200): newCategories lists only category values, never the "other" bucket', async () => {
    // Reference: a-d. Current: a-d and 250 new ones, over the cap, so the merged summary folds some into "other".
    const ref = { city: Array.from({ length: 40 }, (_, i) => 'abcd'[i % 4] as string) };
    const cur = { city: Array.from({ length: 300 }, (_, i) => (i < 50 ? ('abcd'[i % 4] as string) : `n${i - 50}`)) };
    const { server, cli } = await data.both('cities', { city: { type: 'string' } }, ref, cur);
    const sv = driftFeature(server, 'city').stats['newCategories'] as string[];
    const cl = driftFeature(cli, 'city').stats['newCategories'] as string[];
    assert.equal(cl.length, 250);
    assert.ok(sv.length > 0, 'the categories kept are listed');
    assert.deepEqual(sv.filter((c) => !cl.includes(c)), [], 'every category the server calls new is one the CLI calls new');
    const q = await call(s.url, 'GET', `/v1/models/cities/quality?${RANGE}`);
    assert.equal(q.status, 200);
    const qf = (q.body['features'] as Array<{ name: string; newCategories: string[]; newCategoryRate: number }>).find((f) => f.name === 'city');
    assert.deepEqual(qf?.newCategories, sv);
    assert.ok(qf && qf.newCategoryRate > 0 && qf.newCategoryRate <= 250 / 300, `newCategoryRate ${qf?.newCategoryRate}`);
  });
});
