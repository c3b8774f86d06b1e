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
import { tempDir } from './helpers/cli.js';
import { multiclassRows } from './helpers/multiclass.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
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

  test('an estimate missing though the range has predictions says why (estimatedNote), overall, per bucket and per segment', async () => {
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    const put = async (name: string, csv: string): Promise<void> => {
      const r = await fetch(`${s.url}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
      assert.equal(r.status, 200, await r.text());
    };
    const declare = async (name: string, classes: string[] | null = ['no', 'yes']): Promise<void> => {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name, outputKind: 'binary', ...(classes && { classes }), inputSchema: schema, segmentKeys: ['region'] })).status, 201);
      assert.equal((await call(s.url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
    };
    const post = async (name: string, event: Record<string, unknown>): Promise<void> => {
      const r = await call(s.url, 'POST', '/v1/events', { events: [{ model: name, version: '1', timestamp: NOW - 60_000, features: { x: 1 }, segment: { region: 'eu' }, ...event }] });
      assert.equal(r.body['accepted'], 1, JSON.stringify(r.body));
    };
    const notes = async (name: string): Promise<string[]> => {
      const q = `from=${NOW - HOUR}&to=${NOW}&ci=false`;
      const p = (await call(s.url, 'GET', `/v1/models/${name}/performance?${q}`)).body;
      const b = (await call(s.url, 'GET', `/v1/models/${name}/performance/buckets?${q}&step=1h`)).body;
      assert.equal(p['estimated'], null, name);
      const seg = (p['bySegment'] as Array<{ estimatedNote?: string }>)[0];
      return [p['estimatedNote'], (b['buckets'] as Array<{ estimatedNote?: string }>)[0]?.estimatedNote, seg?.estimatedNote].map(String);
    };
    const same = (xs: string[], re: RegExp): void => {
      assert.match(xs[0] as string, re);
      assert.deepEqual(xs, [xs[0], xs[0], xs[0]]);
    };
    await declare('nref');
    await post('nref', { prediction: 'yes', score: 0.4 });
    same(await notes('nref'), /has no reference/);
    await declare('onec');
    await put('onec', 'x,score,label\n1,0.2,no\n2,0.7,no\n');
    await post('onec', { prediction: 'yes', score: 0.4 });
    same(await notes('onec'), /no score calibration/);
    // `scores` stand for the score only where two declared classes say which entry is whose (test/issue-3-binary-scores)
    await declare('pairs', null);
    await put('pairs', 'x,score,label\n1,0.2,no\n2,0.7,yes\n');
    await post('pairs', { prediction: 'yes', scores: [0.6, 0.4] });
    same(await notes('pairs'), /no event of the range has a score/);
    await declare('early');
    await post('early', { prediction: 'yes', score: 0.4 });
    await put('early', 'x,score,label\n1,0.2,no\n2,0.7,yes\n');
    same(await notes('early'), /summarised before the reference/);
  });

  test('a reference whose 0/1 labels and predictions are floats (1.0, as pandas writes them with a missing label) has positive class "1", as events say it', async () => {
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    const rows = [[0, 0.1, 0], [1, 0.8, 1], [1, 0.6, 0], [1, 0.9, 1], [0, 0.3, 1], [0, 0.2, null]] as const;
    const estimates: unknown[] = [];
    for (const [name, fmt, decl] of [['fint', (x: number) => String(x), {}], ['ffloat', (x: number) => x.toFixed(1), {}], ['fdecl', (x: number) => x.toFixed(1), { classes: ['0', '1'] }]] as const) {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name, outputKind: 'binary', inputSchema: schema, ...decl })).status, 201);
      assert.equal((await call(s.url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
      const csv = `x,prediction,score,label\n${rows.map(([p, sc, l], i) => `${i},${fmt(p)},${sc},${l === null ? '' : fmt(l)}`).join('\n')}\n`;
      const put = await fetch(`${s.url}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
      const body = await put.json() as { versions: Array<{ reference: { metrics: { positiveLabel: unknown } } }> };
      assert.equal(put.status, 200);
      assert.equal(body.versions[0]?.reference.metrics.positiveLabel, '1', name);
      const events = [[1, 0.85], [0, 0.2], [1, 0.7]].map(([p, sc], i) => ({ id: `${name}-${i}`, model: name, version: '1', timestamp: NOW - 60_000, features: { x: i }, prediction: p, score: sc }));
      assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 3);
      estimates.push((await call(s.url, 'GET', `/v1/models/${name}/performance?from=${NOW - HOUR}&to=${NOW}&segments=false&ci=false`)).body['estimated']);
    }
    // Before: the float references' positive class was "1.0", which no event predicts: precision null, recall 0.
    assert.ok((estimates[0] as { precision: number | null }).precision !== null);
    assert.deepEqual(estimates[1], estimates[0]);
    assert.deepEqual(estimates[2], estimates[0]);
  });
});

describe('audit15 cbpe: a replaced reference and the summary journal (real process, kill -9)', { timeout: 120_000 }, () => {
  test('events acknowledged before a reference is replaced keep the old reference\'s estimate after a crash and the journal\'s replay', async () => {
    const dir = tempDir('lookout-cbpe-replay-');
    let srv: RunningServer = await spawnServe(['--data-dir', dir]);
    try {
      const schema = { type: 'object', properties: { x: { type: 'number' } } };
      // Two models with the same reference and the same events; "m" then gets another reference, "ctl" keeps its own.
      const refA = `x,score,label\n${Array.from({ length: 100 }, (_, i) => `${i},${i / 100},${i % 3 === 0 ? 'yes' : 'no'}`).join('\n')}\n`;
      const refB = `x,score,label\n${Array.from({ length: 100 }, (_, i) => `${i},${i / 100},${i >= 50 ? 'yes' : 'no'}`).join('\n')}\n`;
      const put = async (name: string, csv: string): Promise<void> => {
        const r = await fetch(`${srv.url}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
        assert.equal(r.status, 200, await r.text());
      };
      for (const name of ['m', 'ctl']) {
        assert.equal((await call(srv.url, 'POST', '/v1/models', { name, outputKind: 'binary', classes: ['no', 'yes'], inputSchema: schema })).status, 201);
        assert.equal((await call(srv.url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
        await put(name, refA);
      }
      const now = Date.now();
      const events = (name: string) => Array.from({ length: 100 }, (_, i) => ({ id: `${name}-${i}`, model: name, version: '1', timestamp: now - 60_000 - i * 100, features: { x: i }, prediction: i % 2 ? 'yes' : 'no', score: (i % 50) / 50 }));
      // A first group: a checkpoint due (2 s since the start's) runs after it, so the next one waits 2 s for its own.
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: [...events('m'), ...events('ctl')].filter((e) => e.features.x === 0) })).body['accepted'], 2);
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: [...events('m'), ...events('ctl')].filter((e) => e.features.x !== 0) })).body['accepted'], 198);
      await put('m', refB);
      await srv.stop('SIGKILL'); // before the next checkpoint (every 2 s): the journal holds the events
      srv = await spawnServe(['--data-dir', dir]);
      const estimate = async (name: string): Promise<unknown> => (await call(srv.url, 'GET', `/v1/models/${name}/performance?from=${now - 3_600_000}&to=${now + 60_000}&segments=false&ci=false`)).body['estimated'];
      const ctl = await estimate('ctl');
      assert.equal((ctl as { n: number }).n, 100);
      // Before: the replay summarised m's events again with reference B (accuracy 0.52 where 0.5).
      assert.deepEqual(await estimate('m'), ctl);
    } finally {
      await srv.stop('SIGKILL');
    }
  });
});
