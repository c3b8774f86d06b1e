import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call, succeeding, testServer } from './helpers/server.js';

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

/*
 * Audit 27 (labels): ground truth posted to POST /v1/labels and the quality metrics it feeds.
 */

describe('audit 27 (labels): a label for a gateway prediction answered a moment ago (real server, real upstream, DuckDB file)', () => {
  let g: TwoVersionGateway;

  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g.close());

  test('is joined, not refused unknown_prediction while the gateway still buffers its event (was: refused for up to 200 ms after the answer, and lost)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await call(g.server.url, 'POST', '/v1/models/churn/predict', { features: { x: i - 2 }, id: `now-${i}` });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      ids.push(String(p.body['id']));
    }
    // generated ids too: the answer's id is what a caller labels
    const gen = await call(g.server.url, 'POST', '/v1/models/churn/predict', { features: { x: 3 } });
    assert.equal(gen.status, 200, JSON.stringify(gen.body));
    ids.push(String(gen.body['id']));
    // at once, as a caller whose ground truth is known when the answer comes (a click, a fraud check)
    const r = await call(g.server.url, 'POST', '/v1/labels', { labels: ids.map((id) => ({ id, label: 'yes', model: 'churn' })) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body['results'], ids.map((id, index) => ({ index, id, status: 'accepted' })));
    const perf = await call(g.server.url, 'GET', `/v1/models/churn/performance?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}&ci=false&segments=false`);
    assert.equal(perf.status, 200, JSON.stringify(perf.body));
    assert.equal(perf.body['labelled'], ids.length);
  });

  // (that it is not held for the gateway's buffer is src/gateway/recorder.test's: holds() false, committed() commits
  // nothing; a wall-clock bound here would be a timed test on a loaded CI machine)
  test('an id no prediction has is still refused unknown_prediction', async () => {
    const r = await call(g.server.url, 'POST', '/v1/labels', [{ id: 'never-predicted', label: 'yes' }]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body['results'] as Array<Record<string, unknown>>).map((x) => x['code']), ['unknown_prediction']);
  });
});

describe('audit 27 (labels): /performance\'s filters given twice (real server, DuckDB file)', () => {
  let s: Server;
  const T = Date.UTC(2026, 10, 3, 10);
  before(async () => {
    s = await testServer({ clock: () => T + 3_600_000 });
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', { name: 'b', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    for (const version of ['1', '2']) {
      await ok('POST', '/v1/models/b/versions', { version });
      const events = Array.from({ length: 10 }, (_, i) => ({ id: `v${version}-${i}`, model: 'b', version, timestamp: T + i * 1000, features: { x: i }, prediction: '1', score: 0.9 }));
      await ok('POST', '/v1/events', { events });
      // version 1 is always right, version 2 always wrong
      await ok('POST', '/v1/labels', events.map((e) => ({ id: e.id, label: version === '1' ? '1' : '0' })));
    }
  });
  after(() => s?.close());

  test('a version given twice is refused, not read as no version (was: the default version\'s metrics, silently: version 2 for ?version=1&version=1)', async () => {
    const one = await call(s.url, 'GET', `/v1/models/b/performance?version=1&from=${T}&to=${T + 60_000}&ci=false&segments=false`);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual([one.body['version'], (one.body['realized'] as { metrics: Record<string, { value: number }> }).metrics['accuracy']?.value], ['1', 1]);
    for (const path of ['/performance', '/performance/buckets', '/health', '/drift']) {
      const twice = await call(s.url, 'GET', `/v1/models/b${path}?version=1&version=1&from=${T}&to=${T + 60_000}${path.endsWith('buckets') ? '&step=1h' : ''}`);
      assert.equal(twice.status, 400, `${path}: ${JSON.stringify(twice.body)}`);
      assert.match(String((twice.body['error'] as Record<string, unknown>)['message']), /^version must be given once \(got 2 values\)/, path);
    }
  });

  test('from, to, metrics and ci given twice say so (were: "from must be a time", a metrics list of no unknown metric)', async () => {
    for (const [q, name] of [[`from=${T}&from=${T + 1}`, 'from'], [`to=${T + 60_000}&to=${T + 1}&from=${T}`, 'to'], ['metrics=accuracy&metrics=f1', 'metrics'], ['ci=false&ci=true', 'ci']] as const) {
      const r = await call(s.url, 'GET', `/v1/models/b/performance?${q}`);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      const e = r.body['error'] as Record<string, unknown>;
      assert.equal(e['code'], 'bad_request');
      assert.match(String(e['message']), new RegExp(`^${name} must be given once \\(got 2 values\\)`));
      assert.deepEqual(e['details'], { repeated: [name] });
    }
  });
});

describe('audit 27 (labels): rows and bodies of POST /v1/labels a newcomer gets wrong (real server, DuckDB file)', () => {
  let s: Server;
  before(async () => {
    s = await testServer();
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', { name: 'b', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models/b/versions', { version: '1' });
    await ok('POST', '/v1/events', { events: [{ id: 'p1', model: 'b', version: '1', features: { x: 1 }, prediction: '1' }] });
  });
  after(() => s?.close());

  const messages = async (body: unknown): Promise<string[]> => {
    const r = await call(s.url, 'POST', '/v1/labels', body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return (r.body['results'] as Array<Record<string, unknown>>).map((x) => `${String(x['code'])}: ${String(x['message'])}`);
  };

  test('a row without id or label names the fields it has (was: "id must be the prediction id (...)" for {prediction_id, label}, "label must be a string ..." for {id, actual})', async () => {
    assert.deepEqual(await messages([{ prediction_id: 'p1', label: '1' }, { id: 'p1', actual: '1' }, { id: 'p1' }]), [
      'invalid_id: the row has no "id", the prediction id (its fields: prediction_id, label)',
      'invalid_label: the row has no "label", the ground truth (its fields: id, actual)',
      'invalid_label: the row has no "label", the ground truth (its fields: id)',
    ]);
    // the checks of a present value are as before
    assert.deepEqual(await messages([{ id: 7, label: '1' }]), ['invalid_id: id must be the prediction id (a string of at most 128 characters, without U+0000)']);
  });

  test('a body that is not a batch says what it got: one row, or a field named close to "labels" (was: the same message for both, "an \\"labels\\" array")', async () => {
    for (const [body, re] of [
      [{ id: 'p1', label: '1' }, /^body must be a JSON array or an object with a "labels" array \(got one row: send \[\{"id": \.\.\., "label": \.\.\.\}\]\)$/],
      [{ lables: [{ id: 'p1', label: '1' }] }, /^body must be a JSON array or an object with a "labels" array \(got an object with "lables": did you mean "labels"\?\)$/],
    ] as const) {
      const r = await call(s.url, 'POST', '/v1/labels', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(String((r.body['error'] as Record<string, unknown>)['message']), re);
    }
    const ev = await call(s.url, 'POST', '/v1/events', { evnets: [] });
    assert.equal(ev.status, 400);
    assert.match(String((ev.body['error'] as Record<string, unknown>)['message']), /^body must be a JSON array or an object with an "events" array \(got an object with "evnets": did you mean "events"\?\)$/);
  });
});

describe('audit 27 (labels): a CBPE estimate of part of the range\'s scored predictions (real server, DuckDB file)', () => {
  let s: Server;
  const NOW = Date.UTC(2026, 10, 4, 12, 30);
  before(async () => {
    s = await testServer({ clock: () => NOW });
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', { name: 'b', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA, segmentKeys: ['region'] });
    await ok('POST', '/v1/models/b/versions', { version: '1' });
    const events = (from: number, n: number, prefix: string): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, model: 'b', version: '1', timestamp: NOW - 20 * 60_000 + from + i * 1000, features: { x: i }, prediction: i % 2 ? '1' : '0', score: i % 2 ? 0.8 : 0.3, segment: { region: 'eu' } }));
    await ok('POST', '/v1/events', { events: events(0, 30, 'before') }); // summarised before the reference
    const csv = `x,score,label\n${Array.from({ length: 40 }, (_, i) => `${i},${(i % 10) / 10},${i % 10 >= 5 ? 1 : 0}`).join('\n')}\n`;
    const up = await call(s.url, 'PUT', '/v1/models/b/versions/1/reference', csv, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    await ok('POST', '/v1/events', { events: events(60_000, 10, 'after') });
  });
  after(() => s?.close());

  test('says the estimate is of part of them (was: no note, the estimate of 10 events beside the 40 predictions and their realized metrics)', async () => {
    const q = `from=${NOW - 30 * 60_000}&to=${NOW}&ci=false`;
    const p = (await call(s.url, 'GET', `/v1/models/b/performance?${q}`)).body;
    const b = (await call(s.url, 'GET', `/v1/models/b/performance/buckets?${q}&step=1h`)).body;
    assert.equal(p['predictions'], 40);
    assert.equal((p['estimated'] as { n: number }).n, 10, 'the estimate itself is unchanged');
    const note = /^the estimate is of 10 of the range's 40 scored events: the other 30 were summarised while the reference had no calibration \(estimates are added at ingest\)$/;
    assert.match(String(p['estimatedNote']), note);
    assert.match(String((b['buckets'] as Array<Record<string, unknown>>)[0]?.['estimatedNote']), note);
    assert.match(String((p['bySegment'] as Array<Record<string, unknown>>)[0]?.['estimatedNote']), note);
  });
});
