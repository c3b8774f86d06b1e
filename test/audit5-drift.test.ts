import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, FROM, HOUR, NOW, RANGE, SameData, type DriftAnswer, type DriftFeature } from './helpers/drift.js';
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

  test('a real category named "__other__" keeps its own count beside the over-the-cap bucket: Jensen-Shannon as scipy on the counts kept, and new when new', async () => {
    // city: "__other__" is half of the reference and of the range; the range adds 250 new categories (over the cap of
    // 200, so 52 are counted in the bucket). tag: "__other__" is a category new in the range, also over the cap.
    const ref = { city: Array.from({ length: 400 }, (_, i) => (i % 2 ? 'a' : '__other__')), tag: Array.from({ length: 400 }, (_, i) => (i % 2 ? 'x' : 'y')) };
    const cur = {
      city: Array.from({ length: 1000 }, (_, i) => (i < 500 ? '__other__' : i < 750 ? 'a' : `n${i - 750}`)),
      tag: Array.from({ length: 1000 }, (_, i) => (i < 250 ? 'x' : i < 500 ? 'y' : i < 510 ? '__other__' : `t${i}`)),
    };
    const props = { city: { type: 'string' }, tag: { type: 'string' } };
    const { server, cli } = await data.both('otherreal', props, ref, cur, '&method=jensenshannon', ['--method', 'jensenshannon']);
    // scipy.spatial.distance.jensenshannon(p, q, base=2) on the counts the summaries keep, empty bins at 1e-4: city
    // p = [200, 200] + 199 empty, q = [500, 250] + 198 x [1] + [52]; tag p = [200, 200] + 198 empty,
    // q = [250, 250, 10] + 197 x [1] + [293] (the real "__other__" and the bucket each one bin).
    for (const [f, scipy] of [['city', 0.34018114014303347], ['tag', 0.5186946569051684]] as const) {
      const sv = driftFeature(server, f).score;
      assert.ok(sv !== null && Math.abs(sv - scipy) < 1e-12, `${f}: server ${sv} vs scipy ${scipy} (lookout drift ${driftFeature(cli, f).score})`);
    }
    assert.ok(!(driftFeature(server, 'city').stats['newCategories'] as string[]).includes('__other__'), 'city: __other__ is in the reference');
    assert.ok((driftFeature(cli, 'tag').stats['newCategories'] as string[]).includes('__other__'));
    assert.ok((driftFeature(server, 'tag').stats['newCategories'] as string[]).includes('__other__'), 'tag: __other__ is new in the range');
    const dist = await call(s.url, 'GET', `/v1/models/otherreal/features/city/distribution?${RANGE}`);
    assert.equal(dist.status, 200);
    const cats = dist.body['categories'] as Array<{ name: string; reference: number; current: number; isNew: boolean; other?: boolean }>;
    assert.deepEqual(cats.filter((c) => c.name === '__other__').map((c) => [c.reference, c.current, c.isNew, c.other ?? false]).sort(), [[0, 52 / 1000, false, true], [0.5, 0.5, false, false]]);
    const tags = (await call(s.url, 'GET', `/v1/models/otherreal/features/tag/distribution?${RANGE}`)).body['categories'] as Array<{ name: string; isNew: boolean; other?: boolean }>;
    assert.deepEqual(tags.filter((c) => c.name === '__other__').map((c) => [c.isNew, c.other ?? false]).sort(), [[false, true], [true, false]]);
  });

  test('a categorical value "NA" / "n/a" / "None" is missing in events as in the reference file and in lookout drift, not a new category', async () => {
    // The same 40 rows in the reference file and as events: a quarter of them a missing-value text.
    const col = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? ['NA', 'n/a', 'None', ' null '][i % 16 >> 2] as string : 'abc'[i % 3] as string));
    const { server, cli } = await data.both('natext', { city: { type: 'string' } }, { city: col }, { city: col });
    const sv = driftFeature(server, 'city');
    const cl = driftFeature(cli, 'city');
    assert.deepEqual(cl.stats['newCategories'], []);
    assert.deepEqual(sv.stats['newCategories'], [], 'no category is new in the same data');
    assert.deepEqual([sv.method, sv.score, sv.drifted], [cl.method, cl.score, cl.drifted]);
    const q = (x: { stats: Record<string, unknown> }): unknown => x.stats['quality'];
    assert.deepEqual(q(sv), q(cl));
    assert.equal((q(sv) as { missingCurrent: number }).missingCurrent, 0.25);
  });

  test('a drift series says which method and threshold its values are of; a method or threshold asked of a series is a 400, not ignored', async () => {
    // natext (above): a categorical feature and a 40-row reference: chi-squared p-values, drift below 0.05.
    const ts = await call(s.url, 'GET', `/v1/models/natext/timeseries?${RANGE}&metric=drift:city&granularity=hour`);
    assert.equal(ts.status, 200);
    assert.deepEqual([ts.body['method'], ts.body['threshold']], ['chisquare', 0.05]);
    const drift = driftFeature((await call(s.url, 'GET', `/v1/models/natext/drift?${RANGE}`)).body as unknown as DriftAnswer, 'city');
    assert.deepEqual([drift.method, drift.threshold, (ts.body['points'] as Array<{ value: number }>)[0]?.value], ['chisquare', 0.05, drift.score]);
    const series = await call(s.url, 'GET', `/v1/models/natext/series?${RANGE}&metrics=events,drift:city&granularity=hour`);
    assert.equal(series.status, 200);
    assert.deepEqual(series.body['methods'], { 'drift:city': { method: 'chisquare', threshold: 0.05 } });
    assert.equal((await call(s.url, 'GET', `/v1/models/natext/timeseries?${RANGE}&metric=events`)).body['method'], undefined);
    // GET /timeseries takes a method since audit 6 (audit6-drift), /series too (audit6-quality2); a method on a series
    // that is no drift score is still a 400, not ignored
    for (const path of [`series?${RANGE}&metrics=events&method=psi`, `series?${RANGE}&metrics=events&threshold=0.2`]) {
      const r = await call(s.url, 'GET', `/v1/models/natext/${path}`);
      assert.equal(r.status, 400, `${path}: ${r.status}`);
      const e = r.body['error'] as { code: string; message: string; details: Record<string, unknown> };
      assert.equal(e.code, 'bad_request');
      assert.match(e.message, /series take no drift method/);
    }
  });

  test('GET /drift with method or threshold given twice is a 400, not the automatic method in silence', async () => {
    // natext: the model of the "NA" test above.
    for (const q of ['&method=psi&method=ks', '&threshold=0.2&threshold=0.3']) {
      const r = await call(s.url, 'GET', `/v1/models/natext/drift?${RANGE}${q}`);
      assert.equal(r.status, 400, `${q}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      const e = r.body['error'] as { code: string; message: string };
      assert.equal(e.code, 'bad_request');
      assert.match(e.message, /(method|threshold) must be given once/);
    }
  });

  test('a drift monitor whose method does not apply to the feature (wasserstein on a categorical one) gives no value and says why, instead of paging on a p-value read as a distance', async () => {
    // natext: the same data in the reference and the range (chi-squared p-value 1, no drift). Wasserstein is numerical
    // only: the feature's automatic method (chi-squared) was scored instead and compared "above" 0.1 as a distance.
    // Since audit 6 such a monitor is refused when declared (the version's schema gives the kind); the evaluation's
    // note, for a monitor declared before its model had a version, is tested in audit6-drift.
    const r = await call(s.url, 'POST', '/v1/monitors', { id: 'natext-w', model: 'natext', metric: 'drift:city', method: 'wasserstein', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.1 }] });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(String((r.body['error'] as { message: string }).message), /wasserstein does not apply to categorical feature "city" of natext@1; methods for it: chisquare, hellinger, jensenshannon, psi/);
    const alerts = ((await call(s.url, 'GET', '/v1/alerts?state=all')).body['alerts'] as Array<{ monitorId: string }>).filter((a) => a.monitorId === 'natext-w');
    assert.deepEqual(alerts, []);
  });
  test('review: a predicted class named "none" or "NA" is a class, in the reference file (its labels too) and in events, not a missing value', async () => {
    // The missing-value texts count as missing in categorical features (the test above); a class label is what the
    // model said, and a defect classifier's "none" (or Namibia's "NA") must count in the prediction distribution.
    const classes = ['none', 'NA', 'dent'];
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'noneclass', outputKind: 'multiclass', classes, inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/noneclass/versions', { version: '1' })).status, 201);
    const predicted = Array.from({ length: 60 }, (_, i) => classes[i % 3] as string);
    // labels as the predictions: a declared class named like a missing value is a label too
    const csv = ['x,prediction,label', ...predicted.map((p, i) => `${i},${p},${p}`)].join('\n');
    const up = await call(s.url, 'PUT', '/v1/models/noneclass/versions/1/reference', csv, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const events = predicted.map((p, i) => ({ id: `noneclass-${i}`, model: 'noneclass', version: '1', timestamp: FROM + i * 1000, features: { x: i }, prediction: p }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 60);
    const d = (await call(s.url, 'GET', `/v1/models/noneclass/drift?${RANGE}`)).body as unknown as { prediction: DriftFeature };
    const q = d.prediction.stats['quality'] as { missingReference: number; missingCurrent: number };
    assert.deepEqual([q.missingReference, q.missingCurrent], [0, 0], JSON.stringify(d.prediction.stats));
    assert.deepEqual(d.prediction.stats['newCategories'], []);
    assert.equal(d.prediction.score, 1, 'the same predictions on both sides: chi-squared p-value 1');
    const perf = (await call(s.url, 'GET', `/v1/models/noneclass/performance?${RANGE}`)).body as { reference: { n: number; missing: number } | null };
    assert.deepEqual([perf.reference?.n, perf.reference?.missing], [60, 0], JSON.stringify(perf.reference));
  });
});
