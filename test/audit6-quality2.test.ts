import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, FROM, HOUR as H, NOW as DNOW, RANGE, SameData } from './helpers/drift.js';
import { CHURN_SCHEMA } from './helpers/registry.js';
import { predict } from './helpers/predict.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

describe('audit6 quality2: gateway (real model server on loopback)', { timeout: 60_000 }, () => {
  let server: Server;
  let down: ModelServer;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    down = await startModelServer({ failEvery: 1 });
  });
  after(async () => {
    await server.close();
    await down.close();
  });

  test('a static fallback set before the model declared its classes, outside them: the redeclaration is a 409 naming it; declared anyway (a config file), the answer is never served (502 saying why)', async () => {
    const url = server.url;
    // declared without classes: any static label is accepted
    assert.equal((await call(url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: CHURN_SCHEMA })).status, 201);
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/1.0.0', { upstream: down.url })).status, 201);
    assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 't' })).status, 200);
    const s = await call(url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 1000, fallback: [{ static: { prediction: 'maybe' } }] });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const first = await predict(url, { x: 1 });
    assert.deepStrictEqual([first.status, first.body['prediction'], first.fallback], [200, 'maybe', 'static']);
    // declaring classes the static answer is not among: refused, the model unchanged (it was 200, and the gateway then
    // served "maybe" as a prediction of a model whose classes are no and yes)
    const re = await call(url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: CHURN_SCHEMA, classes: ['no', 'yes'] });
    assert.equal(re.status, 409, JSON.stringify(re.body));
    const err = (re.body as { error: { code: string; message: string; details: { conflicts: string[] } } }).error;
    assert.equal(err.code, 'conflict');
    assert.match(err.message, /fallback\[0\]\.static\.prediction "maybe" is not one of the model's classes \(no, yes\).*PUT \/v1\/models\/churn\/serving/);
    assert.equal(err.details.conflicts.length, 1);
    assert.equal((await call(url, 'GET', '/v1/models/churn')).body['classes'], undefined, 'the declaration is unchanged');
    // a declaration that does not go through the API (lookout.yaml at start): the static answer is skipped, never served
    await server.deps.catalog.putModel({ ...(server.deps.catalog.model('churn')?.model as NonNullable<ReturnType<typeof server.deps.catalog.model>>['model']), classes: ['no', 'yes'] });
    const second = await predict(url, { x: 1 });
    assert.equal(second.status, 502, JSON.stringify(second.body));
    assert.match(JSON.stringify(second.body), /the static answer does not fit the model's declaration: fallback\[0\]\.static\.prediction \\"maybe\\" is not one of the model's classes/);
    await server.deps.registry?.recorder.flush();
    const secondId = String((second.body['error'] as { details: { id: string } }).details.id);
    const stored = await server.deps.store.getEvents([String(first.id), secondId]);
    // each request is a failed event of 1.0.0 (the version that failed it), none with the static answer as a
    // prediction: a static answer is no version's (audit 29; until then the first was stored as 1.0.0 predicting "maybe")
    assert.deepStrictEqual(stored.map((e) => [e.id, e.version, e.prediction, e.error !== null]).sort(), [[first.id, '1.0.0', null, true], [secondId, '1.0.0', null, true]].sort());
    // a fitting answer set now is served again
    assert.equal((await call(url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 1000, fallback: [{ static: { prediction: 'no' } }] })).status, 200);
    const third = await predict(url, { x: 1 });
    assert.deepStrictEqual([third.status, third.body['prediction'], third.fallback], [200, 'no', 'static']);
  });

  test('appending a class to a multiclass model whose static fallback has one score per class: 409 (the scores would no longer be one per class)', async () => {
    const url = server.url;
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    assert.equal((await call(url, 'POST', '/v1/models', { name: 'mc-static', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: schema })).status, 201);
    assert.equal((await call(url, 'PUT', '/v1/models/mc-static/serving', { fallback: [{ static: { prediction: 'a', scores: [0.5, 0.3, 0.2] } }] })).status, 200);
    const re = await call(url, 'POST', '/v1/models', { name: 'mc-static', outputKind: 'multiclass', classes: ['a', 'b', 'c', 'd'], inputSchema: schema });
    assert.equal(re.status, 409, JSON.stringify(re.body));
    assert.match(JSON.stringify(re.body), /fallback\[0\]\.static\.scores must be an array of 4 numbers/);
    // a static answer without per-class scores still fits: the class is appended
    assert.equal((await call(url, 'PUT', '/v1/models/mc-static/serving', { fallback: [{ static: { prediction: 'a' } }] })).status, 200);
    assert.equal((await call(url, 'POST', '/v1/models', { name: 'mc-static', outputKind: 'multiclass', classes: ['a', 'b', 'c', 'd'], inputSchema: schema })).status, 200);
  });
});

describe('audit6 quality2: /performance bySegment (real server, DuckDB file)', { timeout: 60_000 }, () => {
  const HOUR = 3_600_000;
  const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
  });
  after(async () => {
    await s.close();
  });

  // Expected values: /usr/bin/python3 (numpy, sklearn 1.2.1) on the same rows:
  //   iso = IsotonicRegression(out_of_bounds='clip').fit(ref_score, ref_label == 'yes'); p = iso.predict(eu_scores)
  //   tp = sum p (pred. yes), fp = sum 1-p (pred. yes), fn = sum p (pred. no), tn = sum 1-p (pred. no): accuracy
  //   (tp+tn)/n, precision tp/(tp+fp), recall tp/(tp+fn), f1 2PR/(P+R); realized of us: sklearn accuracy_score,
  //   precision_score, recall_score, f1_score (pos_label='yes').
  test('/performance bySegment lists a segment with traffic but no labels, with its CBPE estimate (realized null, labelled 0)', async () => {
    const base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'nolab', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/nolab/versions', { version: '1' })).status, 201);
    const ref = Array.from({ length: 200 }, (_, i) => {
      const sc = Math.round((((i * 37) % 100) / 100 + 0.005) * 1000) / 1000;
      return `${i},${sc >= 0.5 ? 'yes' : 'no'},${sc},${((i * 53 + 11) % 100) / 100 < sc ? 'yes' : 'no'}`;
    });
    const put = await fetch(`${base}/v1/models/nolab/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: `x,prediction,score,label\n${ref.join('\n')}\n` });
    assert.equal(put.status, 200);
    const from = NOW - 2 * HOUR;
    const events = Array.from({ length: 120 }, (_, i) => {
      const score = Math.round((((i * 29 + 7) % 97) / 97) * 1000) / 1000;
      return { id: `nl-${i}`, model: 'nolab', version: '1', timestamp: from + i * 30_000, features: { x: i }, prediction: score >= 0.5 ? 'yes' : 'no', score, segment: { region: i % 3 === 0 ? 'eu' : 'us' } };
    });
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 120);
    // only us is labelled: eu has traffic (40 events) and no label
    const us = events.filter((_, i) => i % 3 !== 0).map((e) => ({ id: e.id, label: Number(e.id.slice(3)) % 2 === 0 ? 'yes' : 'no' }));
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: us })).body['accepted'], 80);
    const p = await call(base, 'GET', `/v1/models/nolab/performance?from=${from}&to=${NOW}&ci=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    type Seg = { segment: string; labelled: number; realized: { metrics: Record<string, { value: number | null }> } | null; estimated?: Record<string, number> | null };
    const segs = p.body['bySegment'] as Seg[];
    assert.deepStrictEqual(segs.map((x) => x.segment), ['region=eu', 'region=us'], JSON.stringify(segs.map((x) => x.segment)));
    const [eu, usSeg] = segs as [Seg, Seg];
    assert.deepStrictEqual([eu.labelled, eu.realized], [0, null]);
    const near = (got: Record<string, number | null> | null | undefined, want: Record<string, number>, what: string): void => {
      assert.ok(got, `${what}: none`);
      for (const [k, v] of Object.entries(want)) assert.ok(Math.abs((got[k] as number) - v) < 1e-9, `${what} ${k}: ${String(got[k])} against ${v}`);
    };
    near(eu.estimated, { n: 40, accuracy: 0.7748277243589744, precision: 0.7826417004048583, recall: 0.7530250034490314, f1: 0.7675477597680563 }, 'eu estimate');
    near(usSeg.estimated, { n: 80, accuracy: 0.7628766025641026, precision: 0.771221955128205, recall: 0.7585610365454789, f1: 0.7648391031575432 }, 'us estimate');
    assert.equal(usSeg.labelled, 80);
    const m = usSeg.realized?.metrics ?? {};
    near(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value])), { accuracy: 0.475, precision: 0.475, recall: 0.475, f1: 0.475 }, 'us realized');
    // a segment asked for holds only itself
    const one = await call(base, 'GET', `/v1/models/nolab/performance?from=${from}&to=${NOW}&ci=false&segment=region%3Deu`);
    assert.deepStrictEqual((one.body['bySegment'] as Seg[]).map((x) => [x.segment, x.labelled, x.estimated?.['n']]), [['region=eu', 0, 40]]);
    // outside the traffic's range: no segment
    const none = await call(base, 'GET', `/v1/models/nolab/performance?from=${NOW - 10 * HOUR}&to=${NOW - 9 * HOUR}&ci=false`);
    assert.deepStrictEqual(none.body['bySegment'], []);
  });
});

describe('audit6 quality2: driftShare monitor (real server, DuckDB file)', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => DNOW, configure: (c) => { c.dataDir = tempDir('lookout-audit6-q2-data-'); c.alerting = { evaluationInterval: 0 }; } });
  });
  after(async () => {
    await s.close();
  });

  test('GET /series takes method and threshold for its drift series: the values and method /timeseries?method= gives each, other metrics unchanged; the same refusals', async () => {
    const data = new SameData(s, tempDir('lookout-audit6-q2s-'));
    const ref = { x: Array.from({ length: 40 }, (_, i) => i), city: Array.from({ length: 40 }, (_, i) => 'abcd'[i % 4] as string) };
    const cur = { x: Array.from({ length: 40 }, (_, i) => i + 7), city: Array.from({ length: 40 }, (_, i) => 'abce'[i % 4] as string) };
    await data.both('ser', { x: { type: 'number' }, city: { type: 'string' } }, ref, cur);
    type Body = Record<string, unknown>;
    const get = (q: string): Promise<{ status: number; body: Body }> => call(s.url, 'GET', `/v1/models/ser/${q}`);
    const ts = async (metric: string, extra: string): Promise<{ values: Array<number | null>; head: unknown[] }> => {
      const r = await get(`timeseries?${RANGE}&granularity=minute&metric=${metric}${extra}`);
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      return { values: (r.body['points'] as Array<{ value: number | null }>).map((p) => p.value), head: [r.body['method'], r.body['threshold'], r.body['autoSelected']] };
    };
    for (const extra of ['&method=psi', '&method=hellinger&threshold=0.3', '&threshold=0.2']) {
      const r = await get(`series?${RANGE}&granularity=minute&metrics=events,drift:x,drift:city${extra}`);
      assert.equal(r.status, 200, `${extra}: ${JSON.stringify(r.body).slice(0, 300)}`);
      const series = r.body['series'] as Record<string, Array<number | null>>;
      const methods = r.body['methods'] as Record<string, { method: string; threshold: number; autoSelected: boolean }>;
      for (const m of ['drift:x', 'drift:city']) {
        const one = await ts(m, extra);
        assert.deepStrictEqual(series[m], one.values, `${m}${extra}`);
        assert.deepStrictEqual([methods[m]?.method, methods[m]?.threshold, methods[m]?.autoSelected], one.head, `${m}${extra}`);
        assert.ok(one.values.some((x) => x !== null), `${m}${extra}: some window has a value`);
      }
      assert.deepStrictEqual(series['events'], (await ts('events', '')).values);
    }
    // refused as /timeseries refuses them
    for (const [q, re] of [
      [`metrics=events,drift:city&method=ks`, /method ks does not apply to categorical feature "city"; methods for it: chisquare, hellinger, jensenshannon, psi/],
      [`metrics=drift:x&method=ks&threshold=1.5`, /threshold 1.5 does not fit drift method ks/],
      [`metrics=drift:x&method=magic`, /unknown drift method "magic"/],
      [`metrics=events,driftShare&method=psi`, /series take no drift method/],
      [`metrics=drift:x&method=psi&method=ks`, /method must be given once/],
      [`metrics=drift:x&method=psi&from=${DNOW - 50 * 24 * H}&granularity=hour`, /is computed at query time, at most 1000 windows: this range has 1200 hour windows/],
    ] as const) {
      const r = await call(s.url, 'GET', `/v1/models/ser/series?${q.includes('from=') ? `to=${DNOW}` : `${RANGE}&granularity=minute`}&${q}`);
      assert.equal(r.status, 400, `${q}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.match(String((r.body['error'] as { message: string }).message), re, q);
    }
  });

  test('a driftShare monitor with method ks records per feature the method used, and its note names the categorical feature scored with the automatic method', async () => {
    const data = new SameData(s, tempDir('lookout-audit6-q2-'));
    const ref = { x: Array.from({ length: 40 }, (_, i) => i), city: Array.from({ length: 40 }, (_, i) => 'abcd'[i % 4] as string) };
    const cur = { x: Array.from({ length: 40 }, (_, i) => i + 30), city: Array.from({ length: 40 }, (_, i) => 'abce'[i % 4] as string) };
    const { server: auto } = await data.both('mix', { x: { type: 'number' }, city: { type: 'string' } }, ref, cur);
    const post = poster(() => s.url);
    await post('/v1/monitors', { id: 'share-ks', model: 'mix', metric: 'driftShare', method: 'ks', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.75 }] });
    await post('/v1/monitors/run', {});
    const e = await lastEvaluation(s.url, 'share-ks', FROM, DNOW + H);
    const ks = (await call(s.url, 'GET', `/v1/models/mix/drift?${RANGE}&method=ks`)).body as unknown as typeof auto;
    const cityAuto = driftFeature(auto, 'city');
    assert.deepStrictEqual(e.detail?.['methods'], { x: 'ks', city: cityAuto.method }, JSON.stringify(e.detail));
    assert.deepStrictEqual(e.detail?.['fellBack'], ['city']);
    assert.match(String(e.detail?.['note']), new RegExp(`method ks does not apply to categorical feature "city": scored with the automatic method \\(${cityAuto.method}\\)`));
    // the share: x by ks, city by its automatic method
    const drifted = [driftFeature(ks, 'x').drifted, cityAuto.drifted].filter(Boolean).length;
    assert.equal(e.value, drifted / 2);
    // a method that fits every feature: no fallback, no note
    await post('/v1/monitors', { id: 'share-psi', model: 'mix', metric: 'driftShare', method: 'psi', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.75 }] });
    await post('/v1/monitors/run', {});
    const p = await lastEvaluation(s.url, 'share-psi', FROM, DNOW + H);
    assert.deepStrictEqual([p.detail?.['methods'], p.detail?.['fellBack'], p.detail?.['note']], [{ x: 'psi', city: 'psi' }, [], undefined]);
  });
});
