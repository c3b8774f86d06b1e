import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertClose, decodeNumber, loadGolden } from './helpers/golden.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';

type Num = number | string | null;
interface Case {
  name: string;
  labels: Array<string | number | null>;
  predictions?: Array<string | number | null>;
  scores?: Num[];
  scoreMatrix?: { classes: Array<string | number>; columns: Num[][] };
  positiveLabel?: string | number;
  explicitPositive?: boolean;
  threshold?: number;
  expected: Record<string, unknown>;
}
interface MetricsJson {
  task: string;
  n: number;
  missing: number;
  metrics: Record<string, { value: number | null; ci: [number, number] | null }>;
  confusionMatrix?: number[][];
}

const golden = loadGolden<{ binary: Case[]; multiclass: Case[]; regression: Case[] }>('metrics');
const dir = tempDir();
const num = (v: Num): number | null => {
  const d = decodeNumber(v);
  return d === null || Number.isNaN(d) ? null : d;
};

function run(task: string, c: Case, extra: string[]): MetricsJson {
  const file = join(dir, `${task}-${c.name.replace(/[^a-z0-9]+/gi, '_')}.csv`);
  const cols: Record<string, ArrayLike<number | string | null>> = { y: c.labels.map((v) => (v === null ? null : `${task === 'regression' ? '' : 'c_'}${v}`)) };
  if (c.predictions) cols['p'] = c.predictions.map((v) => (v === null ? null : `${task === 'regression' ? '' : 'c_'}${v}`));
  if (c.scores) cols['s'] = c.scores.map(num);
  if (c.scoreMatrix) c.scoreMatrix.classes.forEach((k, i) => (cols[`s_${k}`] = (c.scoreMatrix?.columns[i] ?? []).map(num)));
  writeCsv(file, cols);
  const r = lookout(['metrics', '--data', file, '--task', task, '--label', 'y', '--json', ...extra,
    ...(c.predictions ? ['--prediction', 'p'] : []),
    ...(c.scores ? ['--score', 's'] : []),
    ...(c.scoreMatrix ? ['--scores', c.scoreMatrix.classes.map((k) => `c_${k}=s_${k}`).join(',')] : []),
  ]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as MetricsJson;
}

function check(out: MetricsJson, e: Record<string, unknown>, names: string[]): void {
  assert.equal(out.n, e['n']);
  assert.equal(out.missing, e['missing']);
  for (const m of names) {
    if (!(m in e)) continue;
    assertClose(out.metrics[m]?.value ?? null, e[m] as number | null, m);
    const ci = out.metrics[m]?.ci;
    // A percentile bootstrap need not contain the estimate on tiny degenerate samples; check it where n >= 20.
    if (ci && out.n >= 20 && out.metrics[m]?.value !== null) assert.ok(ci[0] <= (out.metrics[m]?.value as number) + 1e-12 && (out.metrics[m]?.value as number) <= ci[1] + 1e-12, `${m} inside its CI`);
  }
}

describe('lookout metrics end to end (CSV through DuckDB) matches scikit-learn', () => {
  for (const c of golden.binary.filter((x) => !x.name.includes('n=1') && !x.name.includes('n=2'))) {
    test(`binary: ${c.name}`, () => {
      const extra = [...(c.explicitPositive ? ['--positive-label', `c_${c.positiveLabel}`] : []), ...(c.threshold !== undefined && !c.predictions ? ['--threshold', String(c.threshold)] : [])];
      const out = run('binary', c, extra);
      check(out, c.expected, ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss']);
      assert.deepEqual(out.confusionMatrix, c.expected['confusionMatrix']);
    });
  }
  for (const c of golden.multiclass.filter((x) => x.name !== 'n=1')) {
    test(`multiclass: ${c.name}`, () => {
      check(run('multiclass', c, []), c.expected, ['accuracy', 'f1Macro', 'f1Weighted', 'precisionMacro', 'recallMacro', 'rocAuc', 'logLoss']);
    });
  }
  for (const c of golden.regression.filter((x) => !x.name.startsWith('n='))) {
    test(`regression: ${c.name}`, () => {
      check(run('regression', c, []), c.expected, ['mae', 'rmse', 'mape', 'r2']);
    });
  }
});

describe('lookout metrics bad input', () => {
  const file = join(dir, 'bad.csv');
  writeCsv(file, { y: [1, 0, 1, 2], p: [1, 0, 0, 1] });
  for (const [name, args, re] of [
    ['unknown label column', ['--task', 'binary', '--label', 'nope', '--prediction', 'p'], /unknown column "nope"/],
    ['three classes in a binary task', ['--task', 'binary', '--label', 'y', '--prediction', 'p'], /binary/],
    ['regression without prediction', ['--task', 'regression', '--label', 'y'], /regression needs --prediction/],
    ['unknown task', ['--task', 'ranking', '--label', 'y'], /argument 'ranking' is invalid/],
  ] as const) {
    test(name, () => {
      const r = lookout(['metrics', '--data', file, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
});
