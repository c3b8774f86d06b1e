/**
 * Audit 14: the server's label-based metrics end to end against scikit-learn 1.2.1 (/usr/bin/python3,
 * scripts/fuzz/quality_oracle.py). Seeded scenarios (test/helpers/quality-scenario.ts) post events and labels through
 * the HTTP API of real servers (DuckDB files, an injected clock) and compare GET /performance (overall, per segment,
 * per version, ranges cutting windows, label coverage and delay, Wilson intervals) and /performance/buckets with the
 * metrics sklearn computes from the same raw rows joined by id. The larger run: scripts/fuzz/server-quality.mjs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { compareWithSklearn, runScenario, type Check } from './helpers/quality-scenario.js';
import { call, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('audit14 quality: realized metrics of the server against sklearn', { timeout: 120_000 }, () => {
  const world = { now: NOW };
  const sampledWorld = { now: NOW };
  let s: Server;
  let small: Server;
  before(async () => {
    s = await testServer({ clock: () => world.now });
    small = await testServer({ clock: () => sampledWorld.now, configure: (c) => (c.server.maxLabelledEvents = 100) });
  });
  after(async () => {
    await s.close();
    await small.close();
  });

  test('seeded scenarios: /performance and /performance/buckets equal sklearn on the rows joined by id', async () => {
    const checks: Check[] = [];
    const failures: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const res = await runScenario(s.url, world, seed);
      checks.push(...res.checks);
      failures.push(...res.failures);
    }
    failures.push(...compareWithSklearn(checks));
    assert.ok(checks.length >= 150, `${checks.length} checks`);
    assert.deepStrictEqual(failures.slice(0, 25), []);
  });

  test('a server reading at most 100 labelled events samples by id: counts, coverage and metrics of the sample', async () => {
    const checks: Check[] = [];
    const failures: string[] = [];
    for (let seed = 1001; seed <= 1004; seed++) {
      const res = await runScenario(small.url, sampledWorld, seed, { maxLabelled: 100 });
      checks.push(...res.checks);
      failures.push(...res.failures);
    }
    failures.push(...compareWithSklearn(checks));
    assert.deepStrictEqual(failures.slice(0, 25), []);
  });

  // A binary model may declare no classes. Its positive class was then taken from each set of rows the metrics were
  // given: a segment (or a bucket, or a segment filter) whose labelled events held one class, "no", had "no" as its
  // positive class while the whole traffic's was "yes": precision, recall and F1 of the negative class (1, where sklearn
  // with the model's positive class says 0), and a log loss of the scores read as P("no") (1.705 for scores of
  // P("yes") 0.1, 0.2, 0.3 of three "no" labels, where sklearn's log_loss(y, s, labels=[no, yes]) is 0.228).
  test('a binary model without declared classes: a segment, a bucket or a filter holding one class keeps the positive class of the whole answer', async () => {
    const base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'undeclared', outputKind: 'binary', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/undeclared/versions', { version: '1' })).status, 201);
    const t = world.now;
    const rows = [
      ...[0.1, 0.2, 0.3].map((score, i) => ({ id: `u-eu${i}`, region: 'eu', prediction: 'no', score, label: 'no', ts: t - 60 * 60_000 + i * 1000 })),
      ...[0.9, 0.2, 0.7, 0.4].map((score, i) => ({ id: `u-us${i}`, region: 'us', prediction: score >= 0.5 ? 'yes' : 'no', score, label: ['yes', 'no', 'no', 'yes'][i], ts: t - 30 * 60_000 + i * 1000 })),
    ];
    const ev = await call(base, 'POST', '/v1/events', { events: rows.map((r) => ({ id: r.id, model: 'undeclared', version: '1', timestamp: r.ts, features: { x: 1 }, prediction: r.prediction, score: r.score, segment: { region: r.region } })) });
    assert.equal(ev.body['accepted'], 7);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: rows.map((r) => ({ id: r.id, label: r.label })) })).body['accepted'], 7);
    type R = { positiveLabel: string; metrics: Record<string, { value: number | null }> };
    const values = (r: R): Record<string, unknown> => ({ positiveLabel: r.positiveLabel, ...Object.fromEntries(['precision', 'recall', 'f1', 'logLoss'].map((k) => [k, r.metrics[k]?.value])) });
    // sklearn: precision_score / recall_score / f1_score(y, p, pos_label='yes', labels=['no', 'yes'], zero_division=0), log_loss(y == 'yes', s, labels=[0, 1])
    const eu = { positiveLabel: 'yes', precision: 0, recall: 0, f1: 0, logLoss: 0.22839300363692283 };
    const range = `from=${t - 2 * 3_600_000}&to=${t}&ci=false`;
    const p = await call(base, 'GET', `/v1/models/undeclared/performance?${range}`);
    assert.equal((p.body['realized'] as R).positiveLabel, 'yes');
    const seg = (p.body['bySegment'] as Array<{ segment: string; realized: R }>).find((x) => x.segment === 'region=eu');
    assert.ok(seg);
    const near = (got: Record<string, unknown>, want: Record<string, unknown>, what: string): void => {
      for (const [k, v] of Object.entries(want)) assert.ok(typeof v === 'string' ? got[k] === v : Math.abs((got[k] as number) - (v as number)) < 1e-12, `${what}: ${JSON.stringify(got)} where ${JSON.stringify(want)}`);
    };
    near(values(seg.realized), eu, 'bySegment region=eu');
    const filtered = await call(base, 'GET', `/v1/models/undeclared/performance?${range}&segment=region%3Deu`);
    near(values(filtered.body['realized'] as R), eu, 'segment=region=eu');
    // an hour bucket holding the eu rows alone
    const b = await call(base, 'GET', `/v1/models/undeclared/performance/buckets?${range}&step=1800000`);
    const only = (b.body['buckets'] as Array<{ labelled: number; realized: R | null }>).filter((x) => x.labelled === 3);
    assert.equal(only.length, 1, JSON.stringify(b.body['buckets']).slice(0, 500));
    near(values((only[0] as { realized: R }).realized), eu, 'the bucket of the eu rows');
  });
});
