import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type ModelConfig } from '../src/config.js';
import { calibrate, calibrateClasses, fitIsotonic } from '../src/core/summary/calibration.js';
import { addCbpe, addCbpeMulticlass, emptyCbpe, estimatedMetrics } from '../src/core/summary/cbpe.js';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { mulberry32 } from './helpers/quality-scenario.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * A version whose reference is a past range of another version's traffic, when that version has no reference (the
 * common start: a first version monitored without a reference file, the second taking its first week as the
 * reference): CBPE's calibrations are fitted on the range's labelled events as a file's are on its rows. Before, such
 * a reference had no calibration, and the new version no CBPE estimate. Expected values: the core's isotonic fit
 * (checked against scikit-learn's IsotonicRegression in src/core/summary/calibration.test.ts) and CBPE of the same rows.
 */

const HOUR = 3_600_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const T0 = NOW - 4 * HOUR;

describe('a range reference of a version without a reference: CBPE calibrated on the range\'s labelled events', () => {
  let s: Server;
  let base = '';
  const ok = succeeding(() => base);
  const rnd = mulberry32(1206);
  const round = (x: number): number => Math.round(x * 1000) / 1000;

  before(async () => {
    s = await testServer({ clock: () => NOW });
    base = s.url;
  });
  after(async () => {
    await s?.close();
  });

  test('binary: the score\'s isotonic calibration from the range\'s labelled events, then the new version\'s estimate', async () => {
    await ok('POST', '/v1/models', { name: 'bin', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object' } });
    await ok('POST', '/v1/models/bin/versions', { version: '1' });
    // version 1: scores with labels "yes" at a rate that is not the score (the model is over-confident), a few unscored
    const v1 = Array.from({ length: 500 }, (_, i) => {
      const score = round(rnd());
      return { id: `a-${i}`, score: i % 50 === 0 ? null : score, label: rnd() < 0.2 + 0.6 * score ? 'yes' : 'no' };
    });
    await ok('POST', '/v1/events', v1.map((e, i) => ({ id: e.id, model: 'bin', version: '1', timestamp: T0 + (i % 120) * MIN, features: {}, prediction: (e.score ?? 0) > 0.5 ? 'yes' : 'no', score: e.score })));
    await ok('POST', '/v1/labels', { labels: v1.map((e) => ({ id: e.id, label: e.label })) });
    await ok('POST', '/v1/models/bin/versions', { version: '2', reference: { from: T0, to: T0 + 2 * HOUR, version: '1' } });
    const v2 = Array.from({ length: 200 }, (_, i) => ({ id: `b-${i}`, score: round(rnd() ** 2) }));
    await ok('POST', '/v1/events', v2.map((e, i) => ({ id: e.id, model: 'bin', version: '2', timestamp: T0 + 2 * HOUR + (i % 60) * MIN, features: {}, prediction: e.score > 0.5 ? 'yes' : 'no', score: e.score })));
    const p = await ok('GET', `/v1/models/bin/performance?from=${T0 + 2 * HOUR}&to=${T0 + 3 * HOUR}&version=2&segments=false`);
    // a range without an event of the source: refused, the version not made (was: a reference of 0 rows, drift against nothing)
    const empty = await call(base, 'POST', '/v1/models/bin/versions', { version: '3', reference: { from: T0 - 3 * HOUR, to: T0 - 2 * HOUR, version: '1' } });
    assert.equal(empty.status, 422, JSON.stringify(empty.body));
    assert.match(JSON.stringify(empty.body), /version 1 of \\"bin\\" has no event from .*: a reference range needs stored traffic/);
    assert.equal(s.deps.catalog.version('bin', '3'), undefined);

    const fit = v1.filter((e) => e.score !== null);
    const c = fitIsotonic(fit.map((e) => e.score as number), fit.map((e) => (e.label === 'yes' ? 1 : 0)));
    const st = emptyCbpe();
    for (const e of v2) addCbpe(st, calibrate(c, e.score), e.score > 0.5);
    const want = estimatedMetrics(st);
    const got = p['estimated'] as Record<string, number | null>;
    assert.ok(got, `no estimate: ${String(p['estimatedNote'])}`);
    for (const k of ['accuracy', 'precision', 'recall', 'f1'] as const) {
      assert.ok(Math.abs((got[k] as number) - (want[k] as number)) <= 1e-12, `${k}: ${String(got[k])} against ${String(want[k])}`);
    }
    assert.equal(got['n'], 200);
  });

  test('a range that has not passed: refused (422) when its end is ahead of the server\'s clock by more than the skew allowance; within it, the range ends at the server\'s now', async () => {
    // Before: stored as given, e.g. to = a week ahead: the reference said it covered traffic that had not come yet (lookout.yaml refused it)
    const ahead = await call(base, 'POST', '/v1/models/bin/versions', { version: '4', reference: { from: T0, to: NOW + 3_600_000, version: '1' } });
    assert.equal(ahead.status, 422, JSON.stringify(ahead.body));
    assert.match(String((ahead.body['error'] as { message: string }).message), /reference\.to \(2026-11-20T13:00:00\.000Z\) is in the future: a reference range must have passed \(the server's clock says 2026-11-20T12:00:00\.000Z\)/);
    assert.equal(s.deps.catalog.version('bin', '4'), undefined);
    const future = await call(base, 'POST', '/v1/models/bin/versions', { version: '4', reference: { from: NOW + 60_000, to: NOW + 120_000, version: '1' } });
    assert.equal(future.status, 422, JSON.stringify(future.body));
    assert.match(JSON.stringify(future.body), /reference\.from \(2026-11-20T12:01:00\.000Z\) is not in the past/);
    // a client clock 2 minutes ahead: the range ends at the server's now, and the version records that range
    const skewed = await ok('POST', '/v1/models/bin/versions', { version: '4', reference: { from: T0, to: NOW + 120_000, version: '1' } });
    const v4 = (skewed['versions'] as Array<{ version: string; reference: { source?: { from: number; to: number } } | null }>).find((v) => v.version === '4');
    assert.deepStrictEqual(v4?.reference?.source && [v4.reference.source.from, v4.reference.source.to], [T0, NOW]);
  });

  test('multiclass: one one-vs-rest calibration per declared class from the events\' scores', async () => {
    const classes = ['a', 'b', 'c'];
    await ok('POST', '/v1/models', { name: 'mc', outputKind: 'multiclass', classes, inputSchema: { type: 'object' } });
    await ok('POST', '/v1/models/mc/versions', { version: '1' });
    const probs = (): number[] => {
      const x = classes.map(() => rnd() + 0.05);
      const sum = x.reduce((a, b) => a + b, 0);
      return x.map((v) => round(v / sum));
    };
    const argmax = (p: readonly number[]): number => p.indexOf(Math.max(...p));
    const v1 = Array.from({ length: 600 }, (_, i) => {
      const scores = probs();
      // the label is the top class more often than not
      const label = rnd() < 0.6 ? classes[argmax(scores)] as string : classes[Math.floor(rnd() * 3)] as string;
      return { id: `m-${i}`, scores, label };
    });
    await ok('POST', '/v1/events', v1.map((e, i) => ({ id: e.id, model: 'mc', version: '1', timestamp: T0 + (i % 120) * MIN, features: {}, prediction: classes[argmax(e.scores)], scores: e.scores })));
    await ok('POST', '/v1/labels', { labels: v1.map((e) => ({ id: e.id, label: e.label })) });
    await ok('POST', '/v1/models/mc/versions', { version: '2', reference: { from: T0, to: T0 + 2 * HOUR, version: '1' } });
    const v2 = Array.from({ length: 150 }, (_, i) => ({ id: `n-${i}`, scores: probs() }));
    await ok('POST', '/v1/events', v2.map((e, i) => ({ id: e.id, model: 'mc', version: '2', timestamp: T0 + 2 * HOUR + (i % 60) * MIN, features: {}, prediction: classes[argmax(e.scores)], scores: e.scores })));
    const p = await ok('GET', `/v1/models/mc/performance?from=${T0 + 2 * HOUR}&to=${T0 + 3 * HOUR}&version=2&segments=false`);

    const fits = classes.map((k, j) => fitIsotonic(v1.map((e) => e.scores[j] as number), v1.map((e) => (e.label === k ? 1 : 0))));
    const st = emptyCbpe();
    for (const e of v2) {
      const pr = calibrateClasses(fits, e.scores);
      if (pr) addCbpeMulticlass(st, pr, argmax(e.scores));
    }
    const want = estimatedMetrics(st);
    const got = p['estimated'] as Record<string, number | null>;
    assert.ok(got, `no estimate: ${String(p['estimatedNote'])}`);
    for (const k of ['accuracy', 'precision', 'recall', 'f1'] as const) {
      assert.ok(Math.abs((got[k] as number) - (want[k] as number)) <= 1e-12, `${k}: ${String(got[k])} against ${String(want[k])}`);
    }
  });
});

describe('lookout.yaml: a version\'s reference taken from a past range of stored traffic', () => {
  const dataDir = tempDir('lookout-range-config-');
  const model = (versions: ModelConfig['versions']): ModelConfig => ({ name: 'cfg', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, versions });
  const start = (versions: ModelConfig['versions']): Promise<Server> => testServer({ clock: () => NOW, configure: (c) => {
    c.dataDir = dataDir;
    c.server.warmUpDays = 0;
    c.source = 'lookout.yaml';
    c.models = [model(versions)];
  } });
  const refused = async (versions: ModelConfig['versions'], pattern: RegExp): Promise<void> => {
    await assert.rejects(start(versions), (e: Error) => {
      assert.match(e.message, /invalid config lookout\.yaml: models\[0\]\.versions\[1\]\.reference \(model "cfg", version "2"\)/);
      assert.match(e.message, pattern);
      return true;
    });
  };

  test('declared, taken at the start (rows, metrics, label drift), kept as it is at the next start, refused with the reason when it cannot be', async () => {
    let s = await start([{ version: '1' }]);
    const events = Array.from({ length: 300 }, (_, i) => ({ id: `c-${i}`, model: 'cfg', version: '1', timestamp: T0 + (i % 120) * MIN, features: { x: i % 10 }, prediction: i % 3 ? 'no' : 'yes', score: (i % 10) / 10 }));
    assert.equal((await call(s.url, 'POST', '/v1/events', events)).body['accepted'], 300);
    assert.equal((await call(s.url, 'POST', '/v1/labels', { labels: events.map((e, i) => ({ id: e.id, label: i % 4 ? 'no' : 'yes' })) })).body['accepted'], 300);
    await s.close();

    const range = { from: new Date(T0).toISOString(), to: T0 + 2 * HOUR, version: '1' };
    s = await start([{ version: '1' }, { version: '2', reference: range }]);
    const profile = (): { rows: number; source: unknown; createdAt: number; metrics?: unknown; labels?: unknown } =>
      s.deps.catalog.version('cfg', '2')?.record.reference as { rows: number; source: unknown; createdAt: number };
    const first = profile();
    assert.equal(first.rows, 300);
    assert.deepEqual(first.source, { from: T0, to: T0 + 2 * HOUR, version: '1' });
    assert.ok(first.metrics, 'reference metrics from the labelled events');
    assert.ok(first.labels, 'label drift\'s reference');
    await s.close();
    s = await start([{ version: '1' }, { version: '2', reference: range }]);
    assert.deepEqual(profile(), first, 'the same range: the reference is not taken again');
    await s.close();

    await refused([{ version: '1' }, { version: '2', reference: { ...range, file: 'ref.csv' } }], /is a file .* or a range of stored traffic .*, not both/);
    await refused([{ version: '1' }, { version: '2', reference: { ...range, to: NOW + HOUR } }], /to \(2026-11-20T13:00:00\.000Z\) is in the future/);
    await refused([{ version: '1' }, { version: '2', reference: { ...range, from: T0 - 5 * HOUR, to: T0 - 4 * HOUR } }], /version 1 of "cfg" has no event from .*: a reference range needs stored traffic/);
    await refused([{ version: '1' }, { version: '2', reference: { ...range, version: '7' } }], /model "cfg" has no stored version "7" to take the reference range from/);
    await refused([{ version: '1' }, { version: '2', reference: { from: range.from } }], /needs both from and to \(to is missing\)/);
    await refused([{ version: '1' }, { version: '2', reference: { ...range, from: 'last tuesday' } }], /from must be epoch milliseconds or an ISO-8601 time/);
    await refused([{ version: '1' }, { version: '2', reference: {} }], /needs a file, or a range of stored traffic/);
    // a refused config leaves the store as it was: version 2 keeps its reference
    s = await start([{ version: '1' }, { version: '2', reference: range }]);
    assert.deepEqual(profile(), first);
    await s.close();
  });

  test('the config file\'s schema takes a range (from and to as ISO times or epoch ms, the version a name)', () => {
    const dir = tempDir('lookout-range-yaml-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, [
      'models:', '  - name: m', '    outputKind: regression', '    inputSchema: {type: object}', '    versions:',
      '      - version: "1"', '      - version: "2"', '        reference: {from: "2026-11-01T00:00:00Z", to: 1793577600000, version: "1"}', '',
    ].join('\n'));
    const c = loadConfig(path, {});
    assert.deepEqual(c.models[0]?.versions?.[1]?.reference, { from: '2026-11-01T00:00:00Z', to: 1793577600000, version: '1' });
    writeFileSync(path, ['models:', '  - name: m', '    outputKind: regression', '    inputSchema: {type: object}', '    versions:', '      - version: "2"', '        reference: {from: true, to: 1}', ''].join('\n'));
    assert.throws(() => loadConfig(path, {}), /models\[0\]\.versions\[0\]\.reference\.from must be string,number \(got true\)/);
  });
});
