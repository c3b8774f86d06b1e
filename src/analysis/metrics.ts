import { DuckDBInstance } from '@duckdb/node-api';
import { computeMetrics, MetricsInputError, type MetricsInput, type MetricsResult, type Task } from '../core/metrics/index.js';
import { ClassCollector } from '../core/metrics/labels.js';
import { Dataset } from '../io/dataset.js';
import { classValues, numericValues } from '../io/columns.js';
import { InputError } from '../io/errors.js';

export interface MetricsRunOptions {
  task: Task;
  label: string;
  prediction?: string;
  score?: string;
  /** Multiclass score columns: "col" (the column name is the class) or "class=col". */
  scores?: string[];
  positiveLabel?: string;
  threshold?: number;
  seed?: number;
  resamples?: number;
  /** CSV files' numbers are written with a decimal comma (1,5). */
  decimalComma?: boolean;
}

const TASKS: readonly Task[] = ['binary', 'multiclass', 'regression'];

/** Reads the data file with DuckDB and computes the task's performance metrics. */
export async function runMetrics(path: string, o: MetricsRunOptions): Promise<MetricsResult> {
  if (!TASKS.includes(o.task)) throw new InputError(`unknown task "${o.task}"; use one of ${TASKS.join(', ')}`);
  if (o.task === 'regression' && !o.prediction) throw new InputError('regression needs --prediction');
  if (o.task === 'binary' && !o.prediction && !o.score) throw new InputError('binary needs --prediction or --score');
  if (o.task === 'multiclass' && !o.prediction && !o.scores) throw new InputError('multiclass needs --prediction or --scores');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const ds = await Dataset.load(conn, path, 'data', { decimalComma: o.decimalComma === true });
    for (const col of [o.label, o.prediction, o.score, ...scoreColumns(o.scores).map((s) => s.column)]) {
      if (col !== undefined) ds.requireColumn(col);
    }
    // a column of numbers read as text (1,5 without --decimal ,): its values were missing ("rows used: 0"), not numbers
    const numeric = [...(o.task === 'regression' ? [o.label, o.prediction] : []), o.score, ...scoreColumns(o.scores).map((s) => s.column)];
    const commas = numeric.find((c) => c !== undefined && ds.column(c)?.commaNumbers === true);
    if (commas !== undefined) throw new InputError(`column "${commas}" of ${path} holds numbers written with a decimal comma (1,5), read as text: give --decimal , to read them as numbers`);
    const input: MetricsInput = { task: o.task, labels: [] };
    if (o.task === 'regression') {
      input.labels = Array.from((await numericValues(ds, o.label)).values, nanToNull);
      input.predictions = Array.from((await numericValues(ds, o.prediction as string)).values, nanToNull);
    } else {
      input.labels = await classValues(ds, o.label);
      if (o.prediction) input.predictions = await classValues(ds, o.prediction);
      if (o.score) input.scores = (await numericValues(ds, o.score)).values;
      if (o.scores && o.task === 'binary') {
        // A binary model's two per-class columns (predict_proba's): the positive class's is the score.
        const { column, positive } = binaryScoreColumn(o);
        input.scores = (await numericValues(ds, column)).values;
        input.positiveLabel = positive;
      } else if (o.scores) {
        const cols = scoreColumns(o.scores);
        input.scoreMatrix = {
          classes: cols.map((c) => c.label),
          columns: await Promise.all(cols.map(async (c) => (await numericValues(ds, c.column)).values)),
        };
      }
    }
    if (o.positiveLabel !== undefined && input.positiveLabel === undefined) input.positiveLabel = o.positiveLabel;
    if (o.threshold !== undefined) input.threshold = o.threshold;
    if (o.seed !== undefined) input.seed = o.seed;
    if (o.resamples !== undefined) input.resamples = o.resamples;
    try {
      return computeMetrics(input);
    } catch (e) {
      if (e instanceof MetricsInputError && o.scores && e.message.endsWith('has no column in the score matrix')) {
        // The core names the label only: say which classes --scores gave and how to name a column's class.
        const given = scoreColumns(o.scores).map((c) => (c.label === c.column ? `"${c.label}"` : `"${c.label}" (${c.column})`));
        throw new InputError(`${e.message}: --scores gave the classes ${given.join(', ')}; every class needs a column, written class=column when the column is not named after its class (e.g. --scores 0=p0,1=p1)`);
      }
      if (e instanceof MetricsInputError) throw new InputError(e.message);
      throw e;
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Binary --scores: the positive class's column of the two (--positive-label, else the larger class, as the metrics
 * take it) and that class.
 */
function binaryScoreColumn(o: MetricsRunOptions): { column: string; positive: string } {
  const cols = scoreColumns(o.scores);
  if (o.score) throw new InputError('give --score (the positive class\'s probability) or --scores (one column per class), not both');
  if (cols.length !== 2) throw new InputError(`binary --scores needs 2 columns, one per class (e.g. --scores no=p_no,yes=p_yes); got ${cols.length}`);
  const c = new ClassCollector();
  for (const { label } of cols) c.add(label);
  const sorted = c.sorted().labels.map(String);
  const positive = o.positiveLabel ?? sorted[1];
  // booleans' classes in any case, as --positive-label names them (True for the class true)
  const bool = (t: string): boolean => /^(true|false)$/i.test(t);
  const col = cols.find((x) => x.label === positive) ?? cols.find((x) => positive !== undefined && bool(positive) && bool(x.label) && x.label.toLowerCase() === positive.toLowerCase());
  if (!col || sorted.length !== 2) throw new InputError(`--scores gave the classes ${cols.map((x) => `"${x.label}"`).join(', ')}; the positive class ${positive === undefined ? '(two distinct classes needed)' : `"${positive}"`} needs one of them`);
  return { column: col.column, positive: col.label };
}

function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

function scoreColumns(scores: string[] | undefined): Array<{ label: string; column: string }> {
  return (scores ?? []).map((s) => {
    const eq = s.indexOf('=');
    return eq > 0 ? { label: s.slice(0, eq), column: s.slice(eq + 1) } : { label: s, column: s };
  });
}
