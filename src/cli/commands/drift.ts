import { Command, Option } from 'commander';
// The analysis (DuckDB's reader) is loaded when the command runs: --help and usage errors answer without it.
import type { runDrift, DriftRunResult } from '../../analysis/drift.js';
import { EXIT } from '../exit.js';
import { fmt, table } from '../format.js';
import { printable } from '../printable.js';
import { collect, parseList, parseNumber } from '../parse.js';

export interface DriftCliOptions {
  reference: string;
  current: string;
  json?: boolean;
  columns?: string[];
  /** --column NAME, repeated: names taken whole (a name holding a comma, which --columns splits). */
  column?: string[];
  categorical?: string[];
  categoricalColumn?: string[];
  method?: string;
  threshold?: number;
  driftShare?: number;
  failOnDrift?: boolean;
  decimal?: string;
}

/** Options shared by `drift` and `report`. */
export function addDriftOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--reference <file>', 'reference data (CSV, Parquet or JSON lines)')
    .requiredOption('--current <file>', 'current data (CSV, Parquet or JSON lines)')
    .option('--columns <list>', 'only these columns (comma-separated; see --column)', parseList)
    .option('--column <name>', 'only this column, its name taken whole (repeatable; for a name holding a comma)', collect)
    .option('--categorical <list>', 'treat these numeric columns as categorical (comma-separated)', parseList)
    .option('--categorical-column <name>', 'treat this numeric column as categorical, its name taken whole (repeatable)', collect)
    .option('--method <id>', 'drift method for every feature it applies to (ks, wasserstein, psi, jensenshannon, hellinger, chisquare)')
    .option('--threshold <x>', 'threshold for the method used (p-value for ks/chisquare, distance otherwise)', parseNumber)
    .option('--drift-share <x>', 'share of drifted features that means dataset drift (default 0.5)', parseNumber)
    .option('--fail-on-drift', 'exit with code 1 when dataset drift is detected')
    .addOption(decimalOption());
}

/** --decimal: the decimal separator of CSV files' numbers (`,` of European spreadsheets: 1,5). */
export function decimalOption(): Option {
  return new Option('--decimal <char>', 'decimal separator of numbers in CSV files (default .; `,` reads 1,5 as 1.5)').choices(['.', ',']);
}

export function driftRunOptions(o: DriftCliOptions): Parameters<typeof runDrift>[2] {
  const columns = [...(o.columns ?? []), ...(o.column ?? [])];
  const categorical = [...(o.categorical ?? []), ...(o.categoricalColumn ?? [])];
  return {
    ...(columns.length > 0 && { columns }),
    ...(categorical.length > 0 && { categorical }),
    ...(o.method !== undefined && { method: o.method }),
    ...(o.threshold !== undefined && { threshold: o.threshold }),
    ...(o.driftShare !== undefined && { driftShare: o.driftShare }),
    ...(o.decimal === ',' && { decimalComma: true }),
  };
}

export function driftCommand(setCode: (c: number) => void): Command {
  return addDriftOptions(new Command('drift').description('compare two datasets feature by feature'))
    .option('--json', 'print one JSON object')
    .action(async (o: DriftCliOptions) => {
      const { runDrift } = await import('../../analysis/drift.js');
      const { result } = await runDrift(o.reference, o.current, driftRunOptions(o));
      process.stdout.write(o.json ? JSON.stringify(result) + '\n' : printable(renderDriftText(result), true));
      setCode(o.failOnDrift && result.datasetDrift.drifted ? EXIT.drift : EXIT.ok);
    });
}

export function renderDriftText(r: DriftRunResult): string {
  const rows = r.features.map((f) => [
    f.name, f.kind, f.method + (f.autoSelected ? '' : '*'), fmt(f.threshold, 3), fmt(f.score), f.drifted ? 'DRIFT' : 'ok',
    fmt(f.stats.quality.missingCurrent, 3), f.note ?? '',
  ]);
  const d = r.datasetDrift;
  let out = `reference: ${r.reference.path} (${r.reference.rows} rows)\ncurrent:   ${r.current.path} (${r.current.rows} rows)\n\n`;
  out += table(['feature', 'kind', 'method', 'threshold', 'score', 'drift', 'missing', 'note'], rows);
  out += `\ndataset drift: ${d.drifted ? 'YES' : 'no'} (${d.driftedFeatures} of ${d.features} features drifted, share ${fmt(d.share, 3)}, threshold ${d.threshold})\n`;
  if (r.features.some((f) => !f.autoSelected)) out += '* method requested with --method\n';
  for (const s of r.skipped) out += `skipped ${s.name}: ${s.reason}\n`;
  return out;
}
