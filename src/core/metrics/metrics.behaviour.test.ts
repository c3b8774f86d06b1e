/** computeMetrics behaviour beyond the sklearn values: CIs, missing rows, labels, errors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random/rng.js';
import { computeMetrics, MetricsInputError, type MetricsInput, type MetricsResult } from './index.js';
import { binomial, multinomialFromCounts } from './sampling.js';

function binaryData(n: number, seed: number): { labels: number[]; scores: number[] } {
  const r = seededRandom(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r.next() < 0.4 ? 1 : 0;
    labels.push(y);
    scores.push(Math.round((0.3 * y + 0.7 * r.next()) * 100) / 100);
  }
  return { labels, scores };
}

function regressionData(n: number, seed: number): { labels: number[]; predictions: number[] } {
  const r = seededRandom(seed);
  const labels: number[] = [];
  const predictions: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = 1 + 10 * r.next();
    labels.push(y);
    predictions.push(y + (r.next() - 0.5) * 2);
  }
  return { labels, predictions };
}

function multiclassData(n: number, seed: number): { labels: number[]; classes: number[]; columns: number[][] } {
  const r = seededRandom(seed);
  const labels: number[] = [];
  const columns: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    const y = r.int(3);
    labels.push(y);
    const raw = [0, 1, 2].map((j) => r.next() + (j === y ? 0.8 : 0));
    const s = raw[0]! + raw[1]! + raw[2]!;
    raw.forEach((v, j) => columns[j]!.push(v / s));
  }
  return { labels, classes: [0, 1, 2], columns };
}

function bootstrapped(res: MetricsResult): string[] {
  return Object.keys(res.metrics).filter((m) => res.metrics[m]?.ciMethod === 'bootstrap' && res.metrics[m]?.ci);
}

function assertNoNaN(value: unknown, path = 'result'): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${path} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertNoNaN(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertNoNaN(v, `${path}.${k}`);
}

const inputs: MetricsInput[] = [
  { task: 'binary', ...binaryData(800, 1) },
  { task: 'multiclass', labels: multiclassData(600, 2).labels, scoreMatrix: (({ classes, columns }) => ({ classes, columns }))(multiclassData(600, 2)) },
  { task: 'regression', ...regressionData(700, 3) },
];

describe('bootstrap confidence intervals', () => {
  it('are deterministic for a seed and change with the seed', () => {
    for (const input of inputs) {
      const a = computeMetrics({ ...input, seed: 5, resamples: 200 });
      const b = computeMetrics({ ...input, seed: 5, resamples: 200 });
      const c = computeMetrics({ ...input, seed: 6, resamples: 200 });
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
      assert.ok(bootstrapped(a).length >= 3, `${input.task}: bootstrap metrics ${bootstrapped(a).join(',')}`);
    }
  });

  it('contain the point estimate and report their method', () => {
    for (const input of inputs) {
      const res = computeMetrics(input);
      for (const [name, mv] of Object.entries(res.metrics)) {
        assert.ok(mv.value !== null && mv.ci !== null, `${input.task} ${name}: ${JSON.stringify(mv)}`);
        assert.ok(mv.ci[0] <= mv.value && mv.value <= mv.ci[1], `${input.task} ${name}: ${mv.value} outside ${mv.ci.join('..')}`);
        if (mv.ciMethod === 'bootstrap') assert.equal(mv.resamples, 1000);
        else assert.equal(mv.ciMethod, 'wilson');
      }
      assertNoNaN(res);
    }
  });

  it('narrow as n grows', () => {
    const width = (res: MetricsResult, m: string): number => res.metrics[m]!.ci![1] - res.metrics[m]!.ci![0];
    const small = computeMetrics({ task: 'binary', ...binaryData(200, 11) });
    const large = computeMetrics({ task: 'binary', ...binaryData(20000, 11) });
    for (const m of ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss']) {
      assert.ok(width(large, m) < width(small, m) / 4, `${m}: ${width(large, m)} vs ${width(small, m)}`);
    }
    const rs = computeMetrics({ task: 'regression', ...regressionData(200, 12) });
    const rl = computeMetrics({ task: 'regression', ...regressionData(20000, 12) });
    for (const m of ['mae', 'rmse', 'mape', 'r2']) assert.ok(width(rl, m) < width(rs, m) / 4, m);
  });

  it('reduce row resamples for large n and say so', () => {
    const d = binaryData(150_000, 13);
    const res = computeMetrics({ task: 'binary', ...d });
    assert.equal(res.metrics.f1?.resamples, 1000); // confusion-matrix bootstrap: independent of n
    assert.equal(res.metrics.rocAuc?.resamples, 666);
    assert.match(res.metrics.rocAuc?.note ?? '', /Poisson bootstrap with 666 resamples/);
    const mv = res.metrics.rocAuc!;
    assert.ok(mv.ci![0] <= mv.value! && mv.value! <= mv.ci![1]);
  });
});

describe('missing values', () => {
  it('binary: rows with a missing label, prediction or score are excluded and counted', () => {
    const labels = [1, null, 0, '', 1, Number.NaN, 0, 1, 0];
    const predictions = [1, 1, null, 0, 1, 1, 0, 0, 1];
    const scores = [0.9, 0.8, 0.2, 0.1, Number.NaN, 0.7, 0.4, 0.3, 0.6];
    const res = computeMetrics({ task: 'binary', labels, predictions, scores, resamples: 20 });
    assert.equal(res.n, 4);
    assert.equal(res.missing, 5);
    const clean = computeMetrics({ task: 'binary', labels: [1, 0, 1, 0], predictions: [1, 0, 0, 1], scores: [0.9, 0.4, 0.3, 0.6], resamples: 20 });
    assert.deepEqual({ ...res, n: 0, missing: 0 }, { ...clean, n: 0, missing: 0 });
  });

  it('regression and multiclass count missing rows', () => {
    const reg = computeMetrics({ task: 'regression', labels: [1, 2, null, 4, 5], predictions: [1.5, Number.NaN, 3, 4, ''], resamples: 10 });
    assert.equal(reg.n, 2);
    assert.equal(reg.missing, 3);
    const mc = computeMetrics({ task: 'multiclass', labels: ['a', 'b', undefined as unknown as null, 'c'], predictions: ['a', 'c', 'b', ''], resamples: 10 });
    assert.equal(mc.n, 2);
    assert.equal(mc.missing, 2);
  });

  it('all rows missing gives null metrics with notes, never NaN', () => {
    const res = computeMetrics({ task: 'binary', labels: [null, null], scores: [0.5, 0.2] });
    assert.equal(res.n, 0);
    for (const mv of Object.values(res.metrics)) {
      assert.equal(mv.value, null);
      assert.ok(mv.note);
    }
  });
});

describe('labels and undefined metrics', () => {
  it('treats 1 and "1" as one class and keeps the original value', () => {
    const res = computeMetrics({ task: 'binary', labels: [0, 1, 1, 0], predictions: ['0', '1', '0', '1.0'], resamples: 10 });
    assert.deepEqual(res.classes, [0, 1]);
    assert.equal(res.positiveLabel, 1);
    assert.deepEqual(res.confusionMatrix, [[1, 1], [1, 1]]);
  });

  it('defaults the positive label to the larger class in np.unique order', () => {
    const res = computeMetrics({ task: 'binary', labels: ['no', 'yes', 'no'], predictions: ['yes', 'yes', 'no'], resamples: 10 });
    assert.equal(res.positiveLabel, 'yes');
    assert.deepEqual(res.classes, ['no', 'yes']);
    const num = computeMetrics({ task: 'binary', labels: [10, 9, 10], predictions: [9, 9, 10], resamples: 10 });
    assert.equal(num.positiveLabel, 10); // numeric, not string, order
  });

  it('sorts multiclass classes like np.unique and predicts by first argmax', () => {
    const res = computeMetrics({
      task: 'multiclass',
      labels: [10, 9, 2, 2],
      scoreMatrix: { classes: [10, 2, 9], columns: [[0.5, 0.2, 0.4, 0.1], [0.5, 0.2, 0.4, 0.8], [0, 0.6, 0.2, 0.1]] },
      resamples: 10,
    });
    assert.deepEqual(res.classes, [2, 9, 10]);
    // row 0 ties 10 and 2: the first column (10) wins
    assert.deepEqual(res.confusionMatrix, [[1, 0, 1], [0, 1, 0], [0, 0, 1]]);
  });

  it('undefined metrics are null with a note', () => {
    const res = computeMetrics({ task: 'binary', labels: [1, 1, 1], scores: [0.2, 0.9, 0.5], resamples: 10 });
    assert.equal(res.metrics.rocAuc?.value, null);
    assert.equal(res.metrics.rocAuc?.ci, null);
    assert.match(res.metrics.rocAuc?.note ?? '', /one class/);
    const r2 = computeMetrics({ task: 'regression', labels: [1], predictions: [2] });
    assert.equal(r2.metrics.r2?.value, null);
    assert.match(r2.metrics.r2?.note ?? '', /fewer than two/);
    const prec = computeMetrics({ task: 'binary', labels: [0, 1, 1], predictions: [0, 0, 0], resamples: 10 });
    assert.equal(prec.metrics.precision?.value, 0);
    assert.equal(prec.metrics.precision?.ci, null);
    assert.match(prec.metrics.precision?.note ?? '', /zero_division/);
    assertNoNaN(JSON.parse(JSON.stringify([res, r2, prec])));
  });
});

describe('only: a subset of the metrics', () => {
  it('binary: the metrics kept are identical to a full computation; unknown names are refused with the known list', () => {
    const r = seededRandom(7);
    const n = 3000;
    const labels = Array.from({ length: n }, () => (r.next() < 0.4 ? 1 : 0));
    const scores = labels.map((y) => Math.min(1, Math.max(0, 0.3 * y + 0.7 * r.next())));
    const input: MetricsInput = { task: 'binary', labels, scores, seed: 3, resamples: 200 };
    const full = computeMetrics(input);
    for (const only of [['accuracy'], ['f1'], ['rocAuc'], ['logLoss', 'precision']]) {
      const sub = computeMetrics({ ...input, only });
      assert.deepStrictEqual(Object.keys(sub.metrics).sort(), [...only].sort());
      for (const k of only) assert.deepStrictEqual(sub.metrics[k], full.metrics[k], k);
      assert.deepStrictEqual(sub.confusionMatrix, full.confusionMatrix);
    }
    assert.throws(() => computeMetrics({ ...input, only: ['accuracy', 'mae'] }), (e: unknown) => e instanceof MetricsInputError && /unknown metric "mae" for task binary; known: accuracy, precision, recall, f1, rocAuc, logLoss/.test(e.message));
    const reg = computeMetrics({ task: 'regression', labels: [1, 2, 3, 4], predictions: [1.5, 2, 2.5, 4], only: ['mae'] });
    assert.deepStrictEqual(Object.keys(reg.metrics), ['mae']);
  });
});

describe('input errors', () => {
  const cases: Array<[string, MetricsInput, RegExp]> = [
    ['three classes in a binary task', { task: 'binary', labels: [0, 1, 2], predictions: [0, 1, 1] }, /3 classes/],
    ['scores outside [0, 1]', { task: 'binary', labels: [0, 1], scores: [0.2, 1.3] }, /\[0, 1\]/],
    ['label without a score column', { task: 'multiclass', labels: ['a', 'b', 'c'], scoreMatrix: { classes: ['a', 'b'], columns: [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]] } }, /no column/],
    ['columns and classes disagree', { task: 'multiclass', labels: ['a'], scoreMatrix: { classes: ['a', 'b'], columns: [[1]] } }, /columns/],
    ['length mismatch', { task: 'binary', labels: [0, 1], predictions: [0] }, /rows/],
    ['nothing to evaluate', { task: 'binary', labels: [0, 1] }, /predictions or scores/],
    ['unknown positive label', { task: 'binary', labels: [0, 1], predictions: [0, 1], positiveLabel: 7 }, /positiveLabel/],
    ['non-numeric regression value', { task: 'regression', labels: [1, 'x'], predictions: [1, 2] }, /finite numbers/],
    ['unknown task', { task: 'ranking' as unknown as 'binary', labels: [] }, /unknown task/],
  ];
  for (const [name, input, message] of cases) {
    it(name, () => {
      assert.throws(() => computeMetrics(input), (e: unknown) => e instanceof MetricsInputError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});

describe('samplers', () => {
  it('binomial has the right mean and variance, small and large n', () => {
    const r = seededRandom(9);
    for (const [n, p] of [[20, 0.3], [1000, 0.02], [1000, 0.7], [1_000_000, 0.37]] as const) {
      const draws = Array.from({ length: 4000 }, () => binomial(r, n, p));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
      const sd = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(mean - n * p) < 5 * sd / Math.sqrt(draws.length), `n=${n} p=${p} mean ${mean}`);
      assert.ok(Math.abs(variance / (sd * sd) - 1) < 0.1, `n=${n} p=${p} variance ${variance}`);
      assert.ok(draws.every((x) => Number.isInteger(x) && x >= 0 && x <= n));
    }
  });

  it('multinomial preserves the total and empty cells', () => {
    const r = seededRandom(3);
    const out = new Float64Array(4);
    for (let i = 0; i < 100; i++) {
      multinomialFromCounts(r, [500, 0, 1200, 3], out);
      assert.equal(out[0]! + out[1]! + out[2]! + out[3]!, 1703);
      assert.equal(out[1], 0);
    }
  });
});
