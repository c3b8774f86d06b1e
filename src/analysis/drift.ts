import { DuckDBInstance } from '@duckdb/node-api';
import {
  categoryBars, datasetDrift, DEFAULT_DRIFT_SHARE, featureDrift, isDriftShare, getDriftMethod, overlayHistogram,
  UnknownDriftMethodError, type Distribution, type DriftReport, type FeatureSample,
} from '../core/drift/index.js';
import { Dataset, type ColumnClass, type ColumnInfo } from '../io/dataset.js';
import { categoryCounts, sortedNumeric } from '../io/columns.js';
import { InputError } from '../io/errors.js';
import { thresholdProblem } from '../core/drift/threshold.js';

export interface DriftRunOptions {
  columns?: string[];
  /** Columns to treat as categorical even when numeric (e.g. integer codes). */
  categorical?: string[];
  method?: string;
  threshold?: number;
  driftShare?: number;
  /** Also compute per-feature overlay distributions (for the HTML report). */
  distributions?: boolean;
  /** CSV files' numbers are written with a decimal comma (1,5). */
  decimalComma?: boolean;
}

export interface DriftRunResult extends DriftReport {
  reference: { path: string; rows: number };
  current: { path: string; rows: number };
  /** Columns left out, and why (unsupported type, or present in only one file). */
  skipped: Array<{ name: string; reason: string }>;
}

export interface DriftRun {
  result: DriftRunResult;
  distributions: Map<string, Distribution>;
}

/** Reads both files with DuckDB and computes the drift of every selected feature. */
export async function runDrift(referencePath: string, currentPath: string, opts: DriftRunOptions = {}): Promise<DriftRun> {
  validateOptions(opts);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const load = { decimalComma: opts.decimalComma === true };
    const ref = await Dataset.load(conn, referencePath, 'reference', load);
    const cur = await Dataset.load(conn, currentPath, 'current', load);
    const { selected, skipped } = selectColumns(ref, cur, opts);
    // A reference column of missing values only (DuckDB types it text) has the current file's kind: a numerical feature
    // with no reference values was categorical (chisquare), where the server (by the model's schema) says numerical (ks).
    const kindOf = (col: ColumnInfo): ColumnClass => (col.allMissing ? (cur.column(col.name)?.cls ?? col.cls) : col.cls);
    const isCategorical = (col: ColumnInfo): boolean => kindOf(col) === 'categorical' || (opts.categorical ?? []).includes(col.name);
    if (opts.threshold !== undefined) {
      // the threshold applies to the method each column uses (--method where it fits the kind, else the automatic one)
      const p = thresholdProblem(opts.threshold, selected.map((c) => (isCategorical(c) ? 'categorical' : 'numerical')), ref.rows, { ...(opts.method !== undefined && { method: opts.method }) });
      if (p) throw new InputError(`--${p.message}`);
    }
    const features = [];
    const distributions = new Map<string, Distribution>();
    for (const col of selected) {
      const categorical = isCategorical(col);
      const [r, c] = categorical
        ? await Promise.all([categoricalSampleOf(ref, col.name, cur), categoricalSampleOf(cur, col.name, ref)])
        : await Promise.all([numericalSampleOf(ref, col.name), numericalSampleOf(cur, col.name)]);
      const overrides = { ...(opts.method !== undefined && { method: opts.method }), ...(opts.threshold !== undefined && { threshold: opts.threshold }) };
      const feature = featureDrift(col.name, r, c, overrides);
      const commas = [ref, cur].filter((d) => d.column(col.name)?.commaNumbers === true);
      if (commas.length > 0 && !(opts.categorical ?? []).includes(col.name)) {
        // "1,5" of a European CSV file is text without --decimal , (as pandas reads it without decimal=',')
        const hint = `${commas.map((d) => (d === ref ? 'reference' : 'current')).join(' and ')}: numbers written with a decimal comma (1,5)? ${categorical ? 'compared as text' : 'not read as numbers'}; --decimal , reads them as numbers`;
        feature.note = feature.note === undefined ? hint : `${feature.note}; ${hint}`;
      }
      features.push(feature);
      if (opts.distributions) distributions.set(col.name, distributionOf(r, c));
    }
    const result: DriftRunResult = {
      features,
      datasetDrift: datasetDrift(features, opts.driftShare ?? DEFAULT_DRIFT_SHARE),
      reference: { path: referencePath, rows: ref.rows },
      current: { path: currentPath, rows: cur.rows },
      skipped,
    };
    return { result, distributions };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function validateOptions(opts: DriftRunOptions): void {
  if (opts.method !== undefined) {
    try {
      getDriftMethod(opts.method);
    } catch (e) {
      if (e instanceof UnknownDriftMethodError) throw new InputError(e.message);
      throw e;
    }
  }
  if (opts.driftShare !== undefined && !isDriftShare(opts.driftShare)) {
    throw new InputError(`--drift-share must be in (0, 1] (got ${opts.driftShare})`);
  }
}

function selectColumns(ref: Dataset, cur: Dataset, opts: DriftRunOptions): { selected: ColumnInfo[]; skipped: DriftRunResult['skipped'] } {
  const skipped: DriftRunResult['skipped'] = [];
  if (opts.columns && opts.columns.length > 0) {
    for (const name of [...opts.columns, ...(opts.categorical ?? [])]) {
      ref.requireColumn(name);
      cur.requireColumn(name);
    }
    // a column named twice is one feature (until audit 16 it was compared, and counted in the drift share, as often)
    const selected = [...new Set(opts.columns)].map((n) => ref.requireColumn(n));
    const bad = selected.find((c) => c.cls === 'unsupported' && !(opts.categorical ?? []).includes(c.name));
    if (bad) throw new InputError(`column "${bad.name}" has type ${bad.duckType}, which drift does not support (numbers, text and booleans are)`);
    return { selected, skipped };
  }
  for (const name of opts.categorical ?? []) ref.requireColumn(name);
  const selected: ColumnInfo[] = [];
  for (const col of ref.columns) {
    if (!cur.column(col.name)) skipped.push({ name: col.name, reason: 'missing in current' });
    else if (col.cls === 'unsupported' && !(opts.categorical ?? []).includes(col.name)) skipped.push({ name: col.name, reason: `unsupported type ${col.duckType}` });
    else selected.push(col);
  }
  for (const col of cur.columns) if (!ref.column(col.name)) skipped.push({ name: col.name, reason: 'missing in reference' });
  if (selected.length === 0) throw new InputError('no columns to compare: the files share no column of a supported type');
  return { selected, skipped };
}

async function numericalSampleOf(ds: Dataset, name: string): Promise<FeatureSample> {
  const { sorted, typeMismatch } = await sortedNumeric(ds, name);
  return { kind: 'numerical', sorted, rows: ds.rows, missing: ds.rows - sorted.length, typeMismatch };
}

async function categoricalSampleOf(ds: Dataset, name: string, other: Dataset): Promise<FeatureSample> {
  // booleans in both files (yes/no of a CSV file against a Parquet or JSON boolean): true/false on both sides
  const bothBoolean = ds.column(name)?.duckType === 'BOOLEAN' && other.column(name)?.duckType === 'BOOLEAN';
  const counts = await categoryCounts(ds, name, !bothBoolean);
  let present = 0;
  for (const n of counts.values()) present += n;
  return { kind: 'categorical', counts, rows: ds.rows, missing: ds.rows - present, typeMismatch: 0 };
}

function distributionOf(r: FeatureSample, c: FeatureSample): Distribution {
  if (r.kind === 'numerical' && c.kind === 'numerical') return overlayHistogram(r.sorted, c.sorted);
  if (r.kind === 'categorical' && c.kind === 'categorical') return categoryBars(r.counts, c.counts);
  throw new Error('unreachable');
}
