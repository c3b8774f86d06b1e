import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { FROM, HOUR, NOW, RANGE } from './helpers/drift.js';
import { call, testServer } from './helpers/server.js';

describe('drift: audit 27 (real server, DuckDB file)', () => {
  let s: Server;
  const dataDir = tempDir('lookout-audit27-drift-data-');
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.dataDir = dataDir; c.alerting = { evaluationInterval: 0 }; } });
  });
  after(async () => {
    await s.close();
  });

  test('a string feature whose CSV reference spells numbers ("1.0", "2.50") keeps that spelling: the same values sent as events do not drift', async () => {
    // Until audit 27 DuckDB typed the column DOUBLE and the reference kept "1" and "2.5", which no event (a string
    // feature: "1.0", "2.50") sends: every category new, chi-squared p ~1e-30 on identical data.
    const base = s.url;
    const versions = ['1.0', '2.50', '3.0'];
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'appver', outputKind: 'regression', inputSchema: { type: 'object', properties: { app: { type: 'string' }, n: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/appver/versions', { version: '1' })).status, 201);
    const rows = Array.from({ length: 90 }, (_, i) => `${versions[i % 3] as string},${i % 7},0.5`);
    const csv = `app,n,prediction\n${rows.join('\n')}\n,1,0.5\n`;
    const up = await call(base, 'PUT', '/v1/models/appver/versions/1/reference', csv, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: `a${i}`, model: 'appver', version: '1', timestamp: new Date(FROM + Math.floor((i * (HOUR - 1000)) / 60)).toISOString(),
      features: { app: versions[i % 3], n: i % 7 }, prediction: 0.5,
    }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 60);
    const d = await call(base, 'GET', `/v1/models/appver/drift?${RANGE}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const app = (d.body['features'] as Array<{ name: string; score: number; drifted: boolean; stats: { newCategories: string[]; quality: { missingReference: number } } }>).find((f) => f.name === 'app');
    assert.ok(app);
    assert.deepEqual(app.stats.newCategories, []);
    assert.equal(app.drifted, false, JSON.stringify(app));
    assert.ok(app.score > 0.9, `chi-squared p ${app.score}`);
    assert.ok(Math.abs(app.stats.quality.missingReference - 1 / 91) < 1e-12, String(app.stats.quality.missingReference));
  });
  test('a classifier declaring classes "1.0" and "2.0": its CSV reference\'s predictions and labels are those classes, not 1 and 2 (no prediction or label drift on the same data)', async () => {
    // Until audit 27 the reference's fractional column was read as each number's shortest text (1, 2), which no event
    // of these classes predicts: prediction drift p ~1e-30 on identical data, every class "new", and label drift alike.
    const base = s.url;
    const classes = ['1.0', '2.0'];
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'cls10', outputKind: 'binary', classes, inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/cls10/versions', { version: '1' })).status, 201);
    const rows = Array.from({ length: 80 }, (_, i) => `${i / 80},${classes[i % 2] as string},${classes[Math.floor(i / 2) % 2] as string}`);
    const up = await call(base, 'PUT', '/v1/models/cls10/versions/1/reference', `x,prediction,label\n${rows.join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const events = Array.from({ length: 40 }, (_, i) => ({
      id: `c10-${i}`, model: 'cls10', version: '1', timestamp: new Date(FROM + Math.floor((i * (HOUR - 1000)) / 40)).toISOString(),
      features: { x: i / 40 }, prediction: classes[i % 2],
    }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 40);
    const labels = events.map((e, i) => ({ id: e.id, label: classes[Math.floor(i / 2) % 2] }));
    assert.equal((await call(base, 'POST', '/v1/labels', { labels })).body['accepted'], 40);
    const d = await call(base, 'GET', `/v1/models/cls10/drift?${RANGE}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const pred = d.body['prediction'] as { score: number; drifted: boolean; stats: { newCategories: string[] } };
    assert.deepEqual(pred.stats.newCategories, []);
    assert.equal(pred.drifted, false, JSON.stringify(pred));
    const perf = await call(base, 'GET', `/v1/models/cls10/performance?${RANGE}&ci=false&segments=false`);
    assert.equal(perf.status, 200, JSON.stringify(perf.body));
    const ld = perf.body['labelDrift'] as { drifted: boolean; stats: { newCategories: string[] } };
    assert.deepEqual(ld.stats.newCategories, [], JSON.stringify(ld));
    assert.equal(ld.drifted, false);
  });
});
