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
