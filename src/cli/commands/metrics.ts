import { Command, Option } from 'commander';
import type { MetricsResult, Task } from '../../core/metrics/index.js';
import { EXIT } from '../exit.js';
import { fmt, table } from '../format.js';
import { printable } from '../printable.js';
import { parseInteger, parseList, parseNumber } from '../parse.js';

interface MetricsCliOptions {
  data: string;
  task: Task;
  label: string;
  prediction?: string;
  score?: string;
  scores?: string[];
  positiveLabel?: string;
  threshold?: number;
  seed?: number;
  resamples?: number;
  json?: boolean;
}

export function metricsCommand(setCode: (c: number) => void): Command {
  return new Command('metrics')
    .description('model performance metrics with 95% confidence intervals (scikit-learn definitions)')
    .requiredOption('--data <file>', 'labelled predictions (CSV, Parquet or JSON lines)')
    .addOption(new Option('--task <task>', 'kind of model').choices(['binary', 'multiclass', 'regression']).makeOptionMandatory())
    .requiredOption('--label <col>', 'ground-truth column')
    .option('--prediction <col>', 'predicted label (classification) or value (regression)')
    .option('--score <col>', 'binary: probability of the positive class')
    .option('--scores <list>', 'per-class probability columns, "col" or "class=col" (multiclass; or binary: two, the positive class\'s is the score)', parseList)
    .option('--positive-label <value>', 'binary: the positive class (default: the larger label, e.g. 1)')
    .option('--threshold <x>', 'binary: predict positive when score >= x if no --prediction (default 0.5)', parseNumber)
    .option('--seed <n>', 'bootstrap seed (default 0)', parseInteger)
    .option('--resamples <n>', 'bootstrap resamples (default 1000)', parseInteger)
    .option('--json', 'print one JSON object')
    .action(async (o: MetricsCliOptions) => {
      const { data, json, ...rest } = o;
      // loaded when the command runs (DuckDB's reader): --help and usage errors answer without it
      const { runMetrics } = await import('../../analysis/metrics.js');
      const result = await runMetrics(data, rest);
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
  if (r.confusionMatrix && r.classes) {
    out += `\nconfusion matrix (rows: true, columns: predicted; classes ${r.classes.map(String).join(', ')}):\n`;
    for (const row of r.confusionMatrix) out += '  ' + row.join('\t') + '\n';
  }
  return out;
}
