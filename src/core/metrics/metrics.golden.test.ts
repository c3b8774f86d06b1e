/** computeMetrics against scikit-learn 1.2.1 (test/golden/metrics.json, scripts/golden/metrics.py). */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, decodeNumber, loadGolden } from '../../../test/helpers/golden.js';
import { computeMetrics, percentile, wilsonInterval, type Label, type MetricsResult } from './index.js';

type Num = number | string | null;
interface BinaryCase {
  name: string;
  labels: Array<Label | null>;
  predictions?: Array<Label | null>;
  scores?: Num[];
  threshold?: number;
  positiveLabel: Label;
  explicitPositive: boolean;
  expected: Record<string, unknown> & { n: number; missing: number; confusionMatrix?: number[][] };
}
interface MulticlassCase {
  name: string;
  labels: Array<Label | null>;
  predictions?: Array<Label | null>;
  scoreMatrix?: { classes: Label[]; columns: Num[][] };
  expected: Record<string, unknown> & { n: number; missing: number; classes: Label[]; confusionMatrix: number[][] };
}
interface RegressionCase {
  name: string;
  labels: Num[];
  predictions: Num[];
  expected: Record<string, unknown> & { n: number; missing: number };
}
interface Golden {
  z975: number;
  binary: BinaryCase[];
  multiclass: MulticlassCase[];
  regression: RegressionCase[];
  wilson: Array<{ successes: number; n: number; lo: number; hi: number }>;
  percentile: Array<{ values: number[]; q: number; expected: number }>;
}

const golden = loadGolden<Golden>('metrics');
let maxRel = 0;
let compared = 0;
let maxWhat = "";

function close(actual: number | null | undefined, expected: unknown, what: string): void {
  const exp = expected as Num;
  assertClose(actual ?? null, exp, what);
  const e = decodeNumber(exp);
  if (typeof actual === 'number' && e !== null && Number.isFinite(e) && Math.abs(e) > 1e-12) {
    const rel = Math.abs(actual - e) / Math.abs(e);
    if (rel > maxRel) { maxRel = rel; maxWhat = `${what} (expected ${e}, got ${actual})`; }
  }
  compared++;
}

const decode = (xs: Num[]): number[] => xs.map((v) => decodeNumber(v) ?? NaN);
const decodeLabels = (xs: Num[]): Array<Label | null> => xs.map((v) => (v === null ? null : decodeNumber(v)));

function checkMetrics(res: MetricsResult, expected: Record<string, unknown>, names: string[], what: string): void {
  for (const m of names) {
    if (!(m in expected)) continue;
    const mv = res.metrics[m];
    assert.ok(mv, `${what}: metric ${m} missing`);
    close(mv.value, expected[m], `${what}: ${m}`);
    if (mv.value === null) {
      assert.equal(mv.ci, null, `${what}: ${m} ci should be null`);
      assert.ok(mv.note, `${what}: ${m} null value needs a note`);
    }
  }
}

describe('metrics golden (scikit-learn 1.2.1)', () => {
  after(() => {
    console.log(`metrics golden: ${compared} values compared, max relative error (|expected| > 1e-12) ${maxRel.toExponential(3)} at ${maxWhat}`);
  });

  it('binary', () => {
    for (const c of golden.binary) {
      const res = computeMetrics({
        task: 'binary',
        labels: c.labels,
        predictions: c.predictions,
        scores: c.scores ? decode(c.scores) : undefined,
        threshold: c.threshold,
        positiveLabel: c.explicitPositive ? c.positiveLabel : undefined,
        resamples: 50,
      });
      const e = c.expected;
      assert.equal(res.n, e.n, `${c.name}: n`);
      assert.equal(res.missing, e.missing, `${c.name}: missing`);
      assert.equal(String(res.positiveLabel), String(c.positiveLabel), `${c.name}: positive label`);
      if (e.n === 0) continue;
      assert.deepEqual(res.confusionMatrix, e.confusionMatrix, `${c.name}: confusion matrix`);
      checkMetrics(res, e, ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss'], c.name);
      if (!c.scores) {
        assert.equal(res.metrics.rocAuc?.value, null);
        assert.equal(res.metrics.logLoss?.value, null);
      }
    }
  });

  it('multiclass', () => {
    for (const c of golden.multiclass) {
      const res = computeMetrics({
        task: 'multiclass',
        labels: c.labels,
        predictions: c.predictions,
        scoreMatrix: c.scoreMatrix ? { classes: c.scoreMatrix.classes, columns: c.scoreMatrix.columns.map(decode) } : undefined,
        resamples: 50,
      });
      const e = c.expected;
      assert.equal(res.n, e.n, `${c.name}: n`);
      assert.equal(res.missing, e.missing, `${c.name}: missing`);
      assert.deepEqual(res.classes?.map(String), e.classes.map(String), `${c.name}: classes`);
      assert.deepEqual(res.confusionMatrix, e.confusionMatrix, `${c.name}: confusion matrix`);
      checkMetrics(res, e, ['accuracy', 'precisionMacro', 'recallMacro', 'f1Macro', 'f1Weighted', 'rocAuc', 'logLoss'], c.name);
    }
  });

  it('regression', () => {
    for (const c of golden.regression) {
      const res = computeMetrics({
        task: 'regression',
        labels: decodeLabels(c.labels),
        predictions: decodeLabels(c.predictions),
        resamples: 50,
      });
      const e = c.expected;
      assert.equal(res.n, e.n, `${c.name}: n`);
      assert.equal(res.missing, e.missing, `${c.name}: missing`);
      checkMetrics(res, e, ['mae', 'rmse', 'mape', 'r2'], c.name);
    }
  });

  it('Wilson intervals (formula with scipy norm.ppf(0.975))', () => {
    for (const w of golden.wilson) {
      const ci = wilsonInterval(w.successes, w.n, golden.z975);
      assert.ok(ci);
      close(ci[0], w.lo, `wilson ${w.successes}/${w.n} lo`);
      close(ci[1], w.hi, `wilson ${w.successes}/${w.n} hi`);
    }
  });

  it('Wilson intervals reported for accuracy, precision and recall', () => {
    for (const c of golden.binary) {
      const e = c.expected as { n: number; counts?: { tp: number; fp: number; fn: number; tn: number } };
      if (!e.counts) continue;
      const { tp, fp, fn, tn } = e.counts;
      const res = computeMetrics({ task: 'binary', labels: c.labels, predictions: c.predictions, scores: c.scores ? decode(c.scores) : undefined,
        threshold: c.threshold, positiveLabel: c.explicitPositive ? c.positiveLabel : undefined, resamples: 0 });
      const pairs: Array<[string, number, number]> = [['accuracy', tp + tn, e.n], ['precision', tp, tp + fp], ['recall', tp, tp + fn]];
      for (const [m, k, n] of pairs) {
        const mv = res.metrics[m];
        assert.equal(mv?.ciMethod, 'wilson');
        assert.deepEqual(mv?.ci ?? null, n === 0 ? null : wilsonInterval(k, n), `${c.name}: ${m} ci`);
      }
    }
  });

  it('numpy.percentile (linear)', () => {
    for (const p of golden.percentile) close(percentile(p.values, p.q), p.expected, `percentile n=${p.values.length} q=${p.q}`);
  });
});
