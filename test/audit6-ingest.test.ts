import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { LookoutClient, type LookoutClientError } from '../src/client/index.js';
import { multiclassRows } from './helpers/multiclass.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('audit6: ingest rejects and per-segment quality (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  test('a rejected row counts under its own segment and timestamp when they are valid; else under "" / arrival time; totals unchanged', async () => {
    const schema = { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'rq', outputKind: 'regression', segmentKeys: ['region'], inputSchema: schema })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/rq/versions', { version: '1' })).status, 201);
    const old = NOW - 5 * HOUR;
    const row = (id: string, o: Record<string, unknown>) => ({ id, model: 'rq', version: '1', prediction: 1, features: { x: 1 }, ...o });
    const events = [
      row('ok-1', { timestamp: old, segment: { region: 'eu' } }),
      row('ok-2', { timestamp: old, segment: { region: 'us' } }),
      // back-filled rows of segment eu with a schema violation: counted at their own time, in eu
      ...[1, 2, 3, 4].map((i) => row(`bad-eu-${i}`, { timestamp: old + i * 60_000, segment: { region: 'eu' }, features: { x: 'text' } })),
      // a bad segment: counted at its own time, in no segment ('' only)
      row('bad-seg', { timestamp: old, segment: { region: { nested: true } } }),
      // a bad timestamp: counted now (arrival), in its valid segment eu
      row('bad-ts', { timestamp: '2026-01-31', segment: { region: 'eu' } }),
      // an unknown version: not counted in any version's windows
      row('bad-version', { version: '9', timestamp: old, segment: { region: 'eu' } }),
    ];
    const r = await call(base, 'POST', '/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['accepted'], 2, JSON.stringify(r.body));
    const rejected = async (from: number, to: number, segment = ''): Promise<{ n: number; byCode: Record<string, number> }> => {
      const q = await call(base, 'GET', `/v1/models/rq/quality?from=${from}&to=${to}${segment && `&segment=${encodeURIComponent(segment)}`}`);
      assert.equal(q.status, 200, JSON.stringify(q.body));
      return { n: q.body['rejected'] as number, byCode: q.body['rejectedByCode'] as Record<string, number> };
    };
    const all = { from: NOW - 6 * HOUR, to: NOW + HOUR };
    // totals: every rejected row of the known version once (4 + 1 + 1)
    assert.deepEqual(await rejected(all.from, all.to), { n: 6, byCode: { schema_violation: 4, invalid_segment: 1, invalid_timestamp: 1 } });
    assert.deepEqual(await rejected(all.from, all.to, 'region=eu'), { n: 5, byCode: { schema_violation: 4, invalid_timestamp: 1 } });
    assert.deepEqual(await rejected(all.from, all.to, 'region=us'), { n: 0, byCode: {} });
    // by time: the back-filled rows in their own hour, the bad timestamp at arrival
    assert.deepEqual(await rejected(old - HOUR, old + HOUR), { n: 5, byCode: { schema_violation: 4, invalid_segment: 1 } });
    assert.deepEqual(await rejected(old - HOUR, old + HOUR, 'region=eu'), { n: 4, byCode: { schema_violation: 4 } });
    assert.deepEqual(await rejected(NOW - HOUR, NOW + HOUR), { n: 1, byCode: { invalid_timestamp: 1 } });
    // the rejected series (hour windows) agrees with /quality
    const ts = await call(base, 'GET', `/v1/models/rq/timeseries?metric=rejected&from=${all.from}&to=${all.to}&granularity=hour&segment=region%3Deu`);
    assert.equal(ts.status, 200, JSON.stringify(ts.body));
    const points = ts.body['points'] as Array<{ start: number; value: number | null }>;
    const sum = points.reduce((a, p) => a + (p.value ?? 0), 0);
    assert.equal(sum, 5, JSON.stringify(points));
  });

  const putReference = async (name: string, csv: string): Promise<number> =>
    (await fetch(`${base}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv })).status;
  type Estimate = Record<string, number | null>;
  const bySegmentEstimates = async (name: string, from: number): Promise<Map<string, Estimate | null>> => {
    const p = await call(base, 'GET', `/v1/models/${name}/performance?from=${from}&to=${NOW}&ci=false`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const segs = p.body['bySegment'] as Array<{ segment: string; estimated?: Estimate | null }>;
    return new Map(segs.map((x) => [x.segment, x.estimated ?? null]));
  };
  const close = (got: Estimate | null | undefined, want: Record<string, number>, what: string): void => {
    assert.ok(got, `${what}: no estimate`);
    for (const [k, v] of Object.entries(want)) assert.ok(Math.abs((got[k] as number) - v) < 1e-9, `${what} ${k}: ${String(got[k])} against ${v}`);
  };

  // Expected values: Python (numpy 1.x, sklearn 1.2.1), per segment of the same rows as below:
  //   iso = IsotonicRegression(out_of_bounds='clip').fit(ref_score, ref_label == positive); p = iso.predict(seg_scores)
  //   binary: tp = sum p (predicted positive), fp = sum 1-p (pred. positive), fn = sum p (pred. negative), tn = sum 1-p;
  //     accuracy (tp+tn)/n, precision tp/(tp+fp), recall tp/(tp+fn), f1 their harmonic mean.
  //   multiclass: one isotonic per class (score_k, label == k), p divided by its sum; E[:, predicted] += p;
  //     accuracy trace(E)/n, precision/recall/f1 macro means of diag/colsum, diag/rowsum and 2PR/(P+R).
  test('/performance bySegment has each segment\'s CBPE estimate, equal to a direct computation on that segment\'s events (binary)', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'cbs', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/cbs/versions', { version: '1' })).status, 201);
    const ref = Array.from({ length: 200 }, (_, i) => {
      const s = Math.round((((i * 37) % 100) / 100 + 0.005) * 1000) / 1000;
      return `${i},${s >= 0.5 ? 'yes' : 'no'},${s},${((i * 53 + 11) % 100) / 100 < s ? 'yes' : 'no'}`;
    });
    assert.equal(await putReference('cbs', `x,prediction,score,label\n${ref.join('\n')}\n`), 200);
    const from = NOW - 2 * HOUR;
    const events = Array.from({ length: 120 }, (_, i) => {
      const score = Math.round((((i * 29 + 7) % 97) / 97) * 1000) / 1000;
      return { id: `cbs-${i}`, model: 'cbs', version: '1', timestamp: from + i * 30_000, features: { x: i }, prediction: score >= 0.5 ? 'yes' : 'no', score, segment: { region: i % 3 === 0 ? 'eu' : 'us' } };
    });
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 120);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: events.map((e, i) => ({ id: e.id, label: i % 2 === 0 ? 'yes' : 'no' })) })).body['accepted'], 120);
    const est = await bySegmentEstimates('cbs', from);
    close(est.get('region=eu'), { n: 40, accuracy: 0.7748277243589744, precision: 0.7826417004048583, recall: 0.7530250034490314, f1: 0.7675477597680563 }, 'eu');
    close(est.get('region=us'), { n: 80, accuracy: 0.7628766025641026, precision: 0.771221955128205, recall: 0.7585610365454789, f1: 0.7648391031575432 }, 'us');
  });

  test('/performance bySegment has each segment\'s CBPE estimate, equal to a direct computation on that segment\'s events (multiclass)', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'mcs', outputKind: 'multiclass', classes: ['a', 'b', 'c'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/mcs/versions', { version: '1' })).status, 201);
    const { reference, events } = multiclassRows();
    assert.equal(await putReference('mcs', reference), 200);
    const from = NOW - 2 * HOUR;
    const rows = events.map((e, i) => ({ id: `mcs-${i}`, model: 'mcs', version: '1', timestamp: from + i * 20_000, features: { x: i }, prediction: e.prediction, scores: e.scores, segment: { region: i % 2 === 0 ? 'eu' : 'us' } }));
    assert.equal((await call(base, 'POST', '/v1/events', { events: rows })).body['accepted'], 300);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: events.map((e, i) => ({ id: `mcs-${i}`, label: e.label })) })).body['accepted'], 300);
    const est = await bySegmentEstimates('mcs', from);
    close(est.get('region=eu'), { n: 150, accuracy: 0.5636104232624477, precision: 0.566476161109782, recall: 0.5637364298808474, f1: 0.5616874139350259 }, 'eu');
    close(est.get('region=us'), { n: 150, accuracy: 0.5906288683363957, precision: 0.5901613157776676, recall: 0.5890811696476962, f1: 0.5892545589695941 }, 'us');
  });

  test('/performance bySegment: a segment naming some of the keys is estimated from its own events only, as its realized metrics', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'cbt', outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: ['region', 'tier'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/cbt/versions', { version: '1' })).status, 201);
    const ref = Array.from({ length: 100 }, (_, i) => `${i},${i % 2 ? 'yes' : 'no'},${((i % 10) + 0.5) / 10},${i % 3 ? 'yes' : 'no'}`);
    assert.equal(await putReference('cbt', `x,prediction,score,label\n${ref.join('\n')}\n`), 200);
    const from = NOW - 2 * HOUR;
    const events = Array.from({ length: 50 }, (_, i) => ({ id: `cbt-${i}`, model: 'cbt', version: '1', timestamp: from + i * 60_000, features: { x: i }, prediction: i % 2 ? 'yes' : 'no', score: (i % 10) / 10, segment: i < 30 ? { region: 'eu' } : { region: 'eu', tier: 'gold' } }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 50);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: events.map((e) => ({ id: e.id, label: 'yes' })) })).body['accepted'], 50);
    const p = await call(base, 'GET', `/v1/models/cbt/performance?from=${from}&to=${NOW}&ci=false`);
    const segs = p.body['bySegment'] as Array<{ segment: string; labelled: number; estimated: { n: number } | null }>;
    assert.deepEqual(segs.map((x) => [x.segment, x.labelled, x.estimated?.n]), [['region=eu', 30, 30], ['region=eu&tier=gold', 20, 20]]);
  });

  const raw = async (path: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: r.status, body: await r.json() as Record<string, unknown> };
  };

  test('a batch row holding a "__proto__" key (or constructor.prototype) is rejected on its own, the other rows stored; Object.prototype untouched', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'pp', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/pp/versions', { version: '1' })).status, 201);
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const row = (id: string): string => JSON.stringify({ id, model: 'pp', version: '1', timestamp: NOW - HOUR, features: { x: 1 }, prediction: 1, segment: { region: 'eu' } });
    const body = `{"events":[${row('pp-0')},${row('pp-1').replace('"features":{', '"features":{"__proto__":{"polluted":1},')},${row('pp-2')},`
      + `${row('pp-3').replace('"features":{', '"features":{"a":{"constructor":{"prototype":{"polluted":2}}},')},${row('pp-4').replace('"features":{', '"features":{"\\u005f_proto__":{"polluted":3},')}]}`;
    const r = await raw('/v1/events', body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['accepted'], 2, JSON.stringify(r.body));
    const results = r.body['results'] as Array<{ index: number; id?: string; status: string; code?: string; message?: string }>;
    assert.deepEqual(results.map((x) => [x.index, x.id, x.status, x.code ?? null]), [
      [0, 'pp-0', 'accepted', null], [1, 'pp-1', 'rejected', 'forbidden_key'], [2, 'pp-2', 'accepted', null], [3, 'pp-3', 'rejected', 'forbidden_key'], [4, 'pp-4', 'rejected', 'forbidden_key'],
    ]);
    assert.match(results[1]?.message ?? '', /"__proto__" at features\.__proto__/);
    assert.match(results[3]?.message ?? '', /"constructor" at features\.a\.constructor/);
    assert.match(results[4]?.message ?? '', /"__proto__"/);
    // nothing reached a prototype: no property "polluted" anywhere, Object.prototype's own names as before
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
    // the rejected rows are data-quality events of the model (in their segment: the row's model, version, segment kept)
    const q = await call(base, 'GET', `/v1/models/pp/quality?from=${NOW - 2 * HOUR}&to=${NOW + HOUR}&segment=region%3Deu`);
    assert.equal(q.body['events'], 2);
    assert.deepEqual(q.body['rejectedByCode'], { forbidden_key: 3 });
    // a label batch alike
    const l = await raw('/v1/labels', '{"labels":[{"id":"pp-0","label":"1"},{"id":"pp-2","label":"2","__proto__":{"x":1}}]}');
    assert.equal(l.status, 200, JSON.stringify(l.body));
    assert.deepEqual((l.body['results'] as Array<{ status: string; code?: string }>).map((x) => [x.status, x.code ?? null]), [['accepted', null], ['rejected', 'forbidden_key']]);
    // outside the rows (the batch's own object, another route's body) the whole request is refused, naming the key and where
    const top = await raw('/v1/events', `{"__proto__":{"polluted":1},"events":[${row('pp-5')}]}`);
    assert.equal(top.status, 400, JSON.stringify(top.body));
    assert.match(String((top.body['error'] as Record<string, unknown>)['message']), /"__proto__" at \$\.__proto__/);
    const model = await raw('/v1/models', '{"name":"pp2","outputKind":"regression","inputSchema":{"type":"object","properties":{"__proto__":{"type":"number"}}}}');
    assert.equal(model.status, 400, JSON.stringify(model.body));
    assert.match(String((model.body['error'] as Record<string, unknown>)['message']), /"__proto__" at \$\.inputSchema\.properties\.__proto__/);
    assert.equal((await call(base, 'GET', '/v1/models/pp2')).status, 404);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
  });
});

describe('audit6: the client\'s memory bound in bytes, and rows logged after close() (real server)', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({ configure: (c) => { c.ingest.sampleRate = 1; } });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'big', outputKind: 'regression', inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/big/versions', { version: '1' })).status, 201);
  });
  after(() => s.close());

  test('queued rows are bounded in bytes (maxQueueBytes) as well as in rows: 20 rows of 100 KB under a 1 MB bound keep the newest, the oldest dropped and reported', async () => {
    const errors: LookoutClientError[] = [];
    // a variable, not a literal: the option is read by name (and the test compiles against a client without it)
    const opts = { url: s.url, flushIntervalMs: 60_000, maxQueueBytes: 1_000_000, onError: (e: LookoutClientError) => errors.push(e) };
    const client = new LookoutClient(opts);
    const blob = 'x'.repeat(100_000);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(client.log({ id: `big-${i}`, model: 'big', version: '1', features: { blob, i }, prediction: i }));
    await new Promise((r) => setTimeout(r, 20));
    const queued = client.stats().events;
    // each row is ~100,060 bytes of JSON: at most 9 fit in 1,000,000 bytes
    assert.ok(queued.queued <= 9, `queued ${queued.queued} rows of 100 KB under a 1 MB bound`);
    assert.equal(queued.queued + queued.dropped, 20);
    await client.close();
    const st = client.stats();
    assert.equal(st.sent, 20 - st.dropped);
    const stored = (await s.deps.store.getEvents(ids)).map((e) => e.id).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    assert.deepEqual(stored, ids.slice(20 - stored.length), 'the newest rows are kept, the oldest dropped');
    const drops = errors.filter((e) => e.kind === 'dropped');
    assert.equal(drops.reduce((a, e) => a + e.count, 0), st.dropped);
    assert.match(drops[0]?.message ?? '', /maxQueueBytes 1000000/);
  });

  test('rows logged after close() are reported in one aggregated onError call per interval, not one per row; log() never throws', async () => {
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: s.url, flushIntervalMs: 100, onError: (e) => { errors.push(e); throw new Error('handler fails'); } });
    await client.close();
    for (let i = 0; i < 100; i++) assert.equal(client.log({ id: `late-${i}`, model: 'big', version: '1', features: { i }, prediction: i }), `late-${i}`);
    for (let i = 0; i < 10; i++) client.label(`late-${i}`, 1);
    await new Promise((r) => setTimeout(r, 1300));
    const late = errors.filter((e) => e.kind === 'dropped');
    // per endpoint: the first at once, the rest of the interval in one call
    assert.deepEqual(late.map((e) => [e.endpoint, e.count]), [['events', 1], ['labels', 1], ['events', 99], ['labels', 9]]);
    assert.match(late[2]?.message ?? '', /99 events dropped: logged after close\(\)/);
    assert.equal(client.stats().dropped, 110);
    assert.equal((await s.deps.store.getEvents(['late-0'])).length, 0);
  });
});
