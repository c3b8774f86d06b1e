/**
 * Audit 15: the server's CBPE estimates (label-free performance estimation) end to end against scikit-learn's
 * IsotonicRegression(out_of_bounds='clip') (/usr/bin/python3, scripts/fuzz/cbpe_oracle.py). Seeded scenarios
 * (test/helpers/cbpe-scenario.ts) upload references and post events through the HTTP API of a real server (DuckDB
 * file, an injected clock) and compare GET /performance (`estimated`, `bySegment[].estimated`), /performance/buckets
 * and /timeseries estimated* with what the oracle computes from the same raw rows. The larger run:
 * scripts/fuzz/server-cbpe.mjs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { compareWithOracle, oracleAvailable, runCbpeScenario, type CbpeCheck } from './helpers/cbpe-scenario.js';
import { multiclassRows } from './helpers/multiclass.js';
import { call, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;
const noOracle = oracleAvailable() ? false : 'needs /usr/bin/python3 with scikit-learn and numpy (the CBPE oracle)';

describe('audit15 cbpe: estimates of the server against an sklearn oracle', { timeout: 180_000 }, () => {
  const world = { now: NOW };
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => world.now });
  });
  after(async () => {
    await s.close();
  });

  test('seeded scenarios: /performance, /performance/buckets and /timeseries estimates equal the oracle\'s', { skip: noOracle }, async () => {
    const checks: CbpeCheck[] = [];
    const failures: string[] = [];
    // 17 and 50: multiclass models with a version whose reference is a past range of the first version's traffic.
    for (const seed of [1, 3, 17, 50]) {
      const res = await runCbpeScenario(s.url, world, seed);
      checks.push(...res.checks);
      failures.push(...res.failures);
    }
    failures.push(...compareWithOracle(checks));
    assert.ok(checks.filter((c) => c.got !== null).length > 500, `${checks.length} checks`);
    assert.deepEqual(failures.slice(0, 20), []);
  });

  test('a multiclass version whose reference is a past time range estimates with the source version\'s calibrations', async () => {
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'mcr', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: schema })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/mcr/versions', { version: '1' })).status, 201);
    const { reference, events } = multiclassRows();
    const put = await fetch(`${s.url}/v1/models/mcr/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
    assert.equal(put.status, 200);
    const from = NOW - 4 * HOUR;
    const post = (version: string, t0: number) => call(s.url, 'POST', '/v1/events', {
      events: events.map((e, i) => ({ id: `mcr-${version}-${i}`, model: 'mcr', version, timestamp: t0 + i * 20_000, features: { x: i }, prediction: e.prediction, scores: e.scores })),
    });
    assert.equal((await post('1', from)).body['accepted'], 300);
    const v2 = await call(s.url, 'POST', '/v1/models/mcr/versions', { version: '2', reference: { from, to: from + 2 * HOUR, version: '1' } });
    assert.equal(v2.status, 201, JSON.stringify(v2.body));
    assert.equal((await post('2', from + 2 * HOUR)).body['accepted'], 300);
    const one = await call(s.url, 'GET', `/v1/models/mcr/performance?version=1&from=${from}&to=${from + 2 * HOUR}`);
    const two = await call(s.url, 'GET', `/v1/models/mcr/performance?version=2&from=${from + 2 * HOUR}&to=${NOW}`);
    assert.ok(one.body['estimated'], JSON.stringify(one.body['estimated']));
    // The same events and calibrations: the same estimate (null before: a range reference kept only a binary calibration).
    assert.deepEqual(two.body['estimated'], one.body['estimated']);
  });
});
