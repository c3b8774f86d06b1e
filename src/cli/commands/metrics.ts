import { Command, Option } from 'commander';
import type { MetricsResult, Task } from '../../core/metrics/index.js';
import { EXIT } from '../exit.js';
import { fmt, table } from '../format.js';
import { printable } from '../printable.js';
import { collect, parseInteger, parseList, parseNumber } from '../parse.js';
import { decimalOption } from './drift.js';

interface MetricsCliOptions {
  data: string;
  task: Task;
  label: string;
  prediction?: string;
  score?: string;
  scores?: string[];
  /** --class-score CLASS=COLUMN, repeated: taken whole (a class or column name holding a comma, which --scores splits). */
  classScore?: string[];
  positiveLabel?: string;
  threshold?: number;
  seed?: number;
  resamples?: number;
  json?: boolean;
  decimal?: string;
}

export function metricsCommand(setCode: (c: number) => void): Command {
  return new Command('metrics')
    .description('model performance metrics with 95% confidence intervals (scikit-learn definitions)')
    .requiredOption('--data <file>', 'labelled predictions (CSV, Parquet or JSON lines)')
    .addOption(new Option('--task <task>', 'kind of model').choices(['binary', 'multiclass', 'regression']).makeOptionMandatory())
    .requiredOption('--label <col>', 'ground-truth column')
    .option('--prediction <col>', 'predicted label (classification) or value (regression)')
    .option('--score <col>', 'binary: probability of the positive class')
    .option('--scores <list>', 'per-class probability columns, "col" or "class=col" (multiclass; or binary: two, the positive class\'s is the score; comma-separated, see --class-score)', parseList)
    .option('--class-score <class=col>', 'one class\'s probability column, "col" or "class=col", taken whole (repeatable; for a name holding a comma)', collect)
    .option('--positive-label <value>', 'binary: the positive class (default: the larger label, e.g. 1)')
    .option('--threshold <x>', 'binary: predict positive when score >= x if no --prediction (default 0.5)', parseNumber)
    .option('--seed <n>', 'bootstrap seed (default 0)', parseInteger)
    .option('--resamples <n>', 'bootstrap resamples (default 1000)', parseInteger)
    .addOption(decimalOption())
    .option('--json', 'print one JSON object')
    .action(async (o: MetricsCliOptions) => {
      const { data, json, classScore, decimal, ...rest } = o;
      const scores = [...(rest.scores ?? []), ...(classScore ?? [])];
      if (scores.length > 0) rest.scores = scores;
      // loaded when the command runs (DuckDB's reader): --help and usage errors answer without it
      const { runMetrics } = await import('../../analysis/metrics.js');
      const result = await runMetrics(data, { ...rest, ...(decimal === ',' && { decimalComma: true }) });
      process.stdout.write(json ? JSON.stringify(result) + '\n' : printable(renderMetricsText(result), true));
      setCode(EXIT.ok);
    });
}

function renderMetricsText(r: MetricsResult): string {
  let out = `task: ${r.task}, rows used: ${r.n}, rows with missing values: ${r.missing}\n`;
  if (r.positiveLabel !== undefined) out += `positive label: ${String(r.positiveLabel)}\n`;
  out += '\n' + table(['metric', 'value', '95% CI', 'note'], Object.entries(r.metrics).map(([k, m]) => [
    k, fmt(m.value), m.ci ? `[${fmt(m.ci[0])}, ${fmt(m.ci[1])}]` : '-', m.note ?? '',
  ]));
  if (r.confusionMatrix && r.classes) out += '\n' + renderConfusion(r.confusionMatrix, r.classes.map(String), r.positiveLabel);
  return out;
}

/**
 * The confusion matrix as a table whose rows and columns are named by their classes. A binary matrix is 2 x 2 (negative,
 * positive) also when only one class occurs: the absent one is shown as "(not P)", with a line saying it is absent (until
 * audit 16 "classes yes" stood above a 2 x 2 matrix of unnamed rows).
 */
function renderConfusion(matrix: number[][], classes: string[], positive: unknown): string {
  const names = [...classes];
  let note = '';
  if (matrix.length === 2 && names.length === 1) {
    const pos = String(positive);
    const other = `(not ${pos})`;
    if (names[0] === pos) names.unshift(other);
    else names.push(other);
    note = `only the class ${names[0] === other ? pos : names[0]} occurs: ${other} is the other class, absent from the labels and predictions\n`;
  }
  const rows = matrix.map((row, i) => [names[i] ?? '', ...row.map(String)]);
  return 'confusion matrix (rows: true class, columns: predicted class):\n' + table(['true \\ predicted', ...names], rows) + note;
}
