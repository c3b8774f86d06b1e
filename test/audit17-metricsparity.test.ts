/**
 * Audit 17: the server's realized metrics and `lookout metrics` against scikit-learn, on real servers.
 * scripts/fuzz/metrics-parity.mjs starts a real `lookout serve` (a fresh DuckDB data dir; with LOOKOUT_TEST_PG_URL also
 * one on a fresh PostgreSQL schema, whose answers must equal DuckDB's), declares a binary model with classes, one
 * without, a multiclass model with a class nobody predicts and a regression, posts events with segments over 20 hours and
 * labels (numbers, their texts and booleans; repeated, conflicting, unknown ids, replaced by a later request, late), asks
 * GET /performance (overall, per segment, cut ranges, a segment filter) and /performance/buckets before and after the
 * late labels, and compares every value with scikit-learn (scripts/fuzz/metrics_parity_oracle.py), the Wilson intervals
 * and the bootstrap intervals re-computed by the documented method, and runs `lookout metrics` on the same joined rows
 * (its answer must equal the server's). One quick seed here; the larger run: node scripts/fuzz/metrics-parity.mjs 1 10.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { call, testServer } from './helpers/server.js';

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];

async function fuzz(seed: number, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join('scripts', 'fuzz', 'metrics-parity.mjs'), String(seed), '1'], {
    env: { ...process.env, MP_QUICK: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out };
}

interface Summary { seeds?: number; checks?: number; values?: number; bootstrap?: number; cli?: number; differences?: number }

describe('audit17 metrics parity: realized metrics of a real server and lookout metrics against sklearn', { timeout: 120_000 }, () => {
  test('one quick seed (DuckDB; PostgreSQL too when LOOKOUT_TEST_PG_URL is set): no difference', async () => {
    const { code, out } = await fuzz(3, pgUrl ? { MP_PG_URL: pgUrl } : {});
    const summary = JSON.parse(out.split('\n').find((l) => l.startsWith('{"seeds"')) ?? '{}') as Summary;
    assert.equal(summary.differences, 0, out);
    assert.equal(code, 0, out);
    assert.equal(summary.seeds, 1, out);
    assert.ok((summary.checks ?? 0) > 100, out); // sets of joined rows compared
    assert.ok((summary.bootstrap ?? 0) >= 10, out); // bootstrap intervals re-computed
    assert.ok((summary.cli ?? 0) >= 2, out); // lookout metrics runs
  });
});

/**
 * The metrics read a blank class text ("", "  ") as a missing value, and two texts of one number ("1", "1.0") or with
 * spaces around ("yes", " yes") as one class (src/core/metrics/labels.ts, as `lookout metrics` reads a file). The API
 * took such classes, labels and predictions all the same: a model without classes stored blank labels and predictions
 * whose labelled rows every realized metric then dropped as missing (labels "yes", "" and "  " of three events:
 * `labelled` 3, label coverage 100%, `realized.n` 1), a model could declare the class "" (its events predicting it
 * likewise), and a multiclass model declaring "1", "1.0" and "2" could have no realized metrics once scored events were
 * labelled (the metrics refuse a score matrix naming one class twice). Now refused where they come in.
 */
describe('audit17 metrics parity: classes, labels and predictions the metrics cannot tell apart are refused', { timeout: 60_000 }, () => {
  const schema = { type: 'object', properties: { x: { type: 'number' } } };
  test('a blank class, or two classes the metrics read as one, is refused at declaration', async () => {
    const s = await testServer();
    try {
      for (const [outputKind, classes, named] of [['binary', ['', 'yes'], '""'], ['multiclass', ['a', '  ', 'b'], '"  "'], ['multiclass', ['1', '1.0', '2'], '"1.0"'], ['binary', ['yes', ' yes'], '" yes"']] as const) {
        const r = await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind, classes, inputSchema: schema });
        assert.equal(r.status, 400, `${JSON.stringify(classes)}: ${JSON.stringify(r.body)}`);
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'validation_failed');
        assert.ok(err.message.includes(named), err.message);
      }
    } finally {
      await s.close();
    }
  });

  test('a blank label or prediction of a model without classes is refused; labelled counts only what the metrics use', async () => {
    const now = Date.now();
    const s = await testServer();
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'u', outputKind: 'binary', inputSchema: schema })).status, 201);
      assert.equal((await call(s.url, 'POST', '/v1/models/u/versions', { version: '1' })).status, 201);
      const ev = (id: string, prediction: string): Record<string, unknown> => ({ id, model: 'u', version: '1', timestamp: now - 3_600_000, features: { x: 1 }, prediction, score: 0.5 });
      const e = await call(s.url, 'POST', '/v1/events', { events: [ev('a', 'yes'), ev('b', 'no'), ev('c', ''), ev('d', ' \t')] });
      assert.deepEqual((e.body['results'] as Array<{ status: string; code?: string }>).map((x) => x.code ?? x.status), ['accepted', 'accepted', 'invalid_prediction', 'invalid_prediction']);
      // With an error, a blank prediction is a failed inference's (counted in the error rate), not refused.
      const failed = await call(s.url, 'POST', '/v1/events', { events: [{ ...ev('f', ''), score: null, error: 'upstream timeout' }] });
      assert.deepEqual((failed.body['results'] as Array<{ status: string }>).map((x) => x.status), ['accepted'], JSON.stringify(failed.body));
      const health = await call(s.url, 'GET', `/v1/models/u/health?from=${now - 7_200_000}&to=${now}`);
      assert.deepEqual([health.body['events'], health.body['errorRate']], [3, 1 / 3]);
      const l = await call(s.url, 'POST', '/v1/labels', { labels: [{ id: 'a', label: 'yes' }, { id: 'b', label: '' }, { id: 'b', label: 'no' }] });
      assert.deepEqual((l.body['results'] as Array<{ status: string; code?: string }>).map((x) => x.code ?? x.status), ['accepted', 'invalid_label', 'accepted']);
      const p = await call(s.url, 'GET', `/v1/models/u/performance?from=${now - 7_200_000}&to=${now}&ci=false`);
      const realized = p.body['realized'] as { n: number; missing: number };
      assert.equal(p.body['labelled'], 2);
      assert.equal(p.body['labelCoverage'], 1);
      assert.equal(realized.n, 2);
      assert.equal(realized.missing, 0);
    } finally {
      await s.close();
    }
  });
});
