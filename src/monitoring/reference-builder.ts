import { DuckDBInstance } from '@duckdb/node-api';
import { computeMetrics, MetricsInputError, type MetricsInput, type MetricsResult } from '../core/metrics/index.js';
import { decileEdges } from '../core/stats/binning.js';
import { bytesToBase64 } from '../core/summary/base64.js';
import { fitIsotonic, type Calibration } from '../core/summary/calibration.js';
import { CategoricalSummary, isMissingText } from '../core/summary/categorical.js';
import { referenceLabels, storeLabels } from '../core/summary/label-summary.js';
import { WindowSummary } from '../core/summary/window.js';
import { classValues, numericValues, sortedNumeric, textValues, writtenTextValues } from '../io/columns.js';
import { classify, Dataset, FRACTIONAL } from '../io/dataset.js';
import { InputError } from '../io/errors.js';
import type { ModelRecord } from '../storage/types.js';
import { specFor, summarySeed } from './catalog.js';
import { declaredPositive } from './performance.js';
import type { ReferenceOptions, ReferenceProfile } from './profile.js';

export interface ReferenceColumns {
  prediction?: string;
  score?: string;
  label?: string;
  positiveClass?: string;
  /**
   * Multiclass: the per-class score columns, in the model's declared class order (default score_<class>): their names,
   * or them comma-separated (the upload's ?scores=, lookout.yaml's `scores: "a,b,c"`).
   */
  scores?: string | readonly string[];
  /** The CSV file's numbers are written with a decimal comma (1,5): the upload's ?decimal=,. */
  decimal?: ',';
}

const DEFAULTS = { prediction: 'prediction', score: 'score', label: 'label' };

/**
 * The options a reference was built with, as stored in its profile's source (scores as a list): lookout.yaml's
 * reference is built again when its options change, not only its file. Undefined without any.
 */
export function referenceOptions(cols: ReferenceColumns): ReferenceOptions | undefined {
  const scores = cols.scores === undefined ? undefined : typeof cols.scores === 'string' ? cols.scores.split(',').map((x) => x.trim()) : [...cols.scores];
  const o: ReferenceOptions = {
    ...(cols.label !== undefined && { label: cols.label }), ...(cols.prediction !== undefined && { prediction: cols.prediction }),
    ...(cols.score !== undefined && { score: cols.score }), ...(cols.positiveClass !== undefined && { positiveClass: cols.positiveClass }),
    ...(scores !== undefined && { scores }), ...(cols.decimal !== undefined && { decimal: cols.decimal }),
  };
  return Object.keys(o).length === 0 ? undefined : o;
}

/** Whether two references' options are the same (undefined: none). */
export function sameReferenceOptions(a: ReferenceOptions | undefined, b: ReferenceOptions | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/**
 * Builds a version's reference profile from a data file (CSV, Parquet, JSON lines): per-feature summaries
 * with exact decile edges, the prediction and score distributions, and, when the file has labels, the
 * reference metrics and (binary) the score calibration used for CBPE.
 */
export async function referenceFromFile(model: ModelRecord, version: string, path: string, cols: ReferenceColumns, now: number): Promise<ReferenceProfile> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const ds = await Dataset.load(conn, path, 'reference', { decimalComma: cols.decimal === ',' });
    const spec = specFor(model, null);
    const edges: Record<string, number[]> = {};
    const missingFeatures = spec.features.filter((f) => !ds.column(f.name)).map((f) => f.name);
    if (missingFeatures.length === spec.features.length) throw new InputError(`reference ${path} has none of the model's features (${spec.features.map((f) => f.name).join(', ')})`);
    for (const f of spec.features) {
      if (f.kind !== 'numerical' || !ds.column(f.name)) continue;
      const { sorted, typeMismatch } = await sortedNumeric(ds, f.name);
      // Else the reference would hold the feature as all missing, and its drift would never be measured.
      if (sorted.length === 0 && typeMismatch > 0 && ds.column(f.name)?.commaNumbers === true) {
        throw new InputError(`reference ${path}: column "${f.name}" holds numbers written with a decimal comma (1,5): upload with ?decimal=, to read them as numbers (feature "${f.name}" is numerical in the model's input schema)`);
      }
      if (sorted.length === 0 && typeMismatch > 0) throw new InputError(`reference ${path}: column "${f.name}" holds no number (${typeMismatch} values that are not numbers), but feature "${f.name}" is numerical in the model's input schema`);
      edges[f.name] = decileEdges(sorted);
    }
    const predCol = pick(ds, cols.prediction, DEFAULTS.prediction);
    if (model.outputKind === 'binary' && cols.score !== undefined && cols.scores !== undefined) throw new InputError('give score (the positive class\'s probability column) or scores (one column per class), not both');
    // A binary model's explicit per-class columns before a default `score` column.
    const scoreCol = (model.outputKind === 'binary' && cols.scores !== undefined ? undefined : pick(ds, cols.score, DEFAULTS.score)) ?? binaryScoreColumn(ds, model, cols);
    const labelCol = pick(ds, cols.label, DEFAULTS.label);
    if (predCol && model.outputKind === 'regression') edges['__prediction'] = decileEdges((await sortedNumeric(ds, predCol)).sorted);
    if (scoreCol) edges['__score'] = decileEdges((await sortedNumeric(ds, scoreCol)).sorted);

    const fullSpec = { ...spec, edges };
    const summary = new WindowSummary(fullSpec, summarySeed(model.name, version, '', 'reference', 0));
    for (const f of spec.features) {
      const s = summary.features.get(f.name);
      if (!s || !ds.column(f.name)) continue;
      const values = f.kind === 'numerical' || numericCodes(model, f.name, ds) ? (await numericValues(ds, f.name)).values
        : booleanFeature(model, f.name) ? await textValues(ds, f.name)
        : stringFeature(model, f.name) && FRACTIONAL.test(ds.column(f.name)?.duckType ?? '') ? await writtenTextValues(ds, f.name)
        : await classValues(ds, f.name, () => true);
      for (let i = 0; i < values.length; i++) s.add(values[i] ?? null);
    }
    const predictions = predCol ? (model.outputKind === 'regression' ? Array.from((await numericValues(ds, predCol)).values) : await modelClassValues(ds, model, predCol, false)) : null;
    const scores = scoreCol ? (await numericValues(ds, scoreCol)).values : null;
    const classScores = await classScoreColumns(ds, model, cols.scores);
    // a declared class named like a missing value ("none", "NA") is a label; else such texts are missing labels
    const labels = labelCol ? (model.outputKind === 'regression' ? Array.from((await numericValues(ds, labelCol)).values, (x) => (Number.isNaN(x) ? null : x)) : await modelClassValues(ds, model, labelCol, !(model.classes ?? []).some(isMissingText))) : null;
    summary.events = ds.rows;
    // Predicted classes as events' are (addClass): a class may be called "none" or "NA".
    const predicted = summary.prediction;
    if (predictions) for (const p of predictions) if (predicted instanceof CategoricalSummary) predicted.addClass(p); else predicted.add(p);
    if (scores) for (const s of scores) summary.score.add(s);

    const options = referenceOptions(cols);
    const profile: ReferenceProfile = { source: { file: path, ...(options && { options }) }, rows: ds.rows, edges, summary: '', createdAt: now };
    if (labels && (predictions || scores || classScores)) {
      const input: MetricsInput = { task: model.outputKind, labels };
      // The reference's rocAuc and logLoss, as realized ones from the events' scores; only when every labelled row has
      // its scores (the metrics leave out a row without: the reference's other metrics would count fewer rows).
      if (classScores && labelledRows(labels, classScores).allScored) input.scoreMatrix = { classes: [...(model.classes ?? [])], columns: classScores };
      if (predictions) input.predictions = predictions.map((p) => (typeof p === 'number' && Number.isNaN(p) ? null : p));
      if (scores && model.outputKind === 'binary') input.scores = scores;
      // The model's declared positive class unless the upload names one: never the one class a reference happens to hold
      // (metrics' default then), which made it the positive class of every realized metric and of the calibration.
      const declared = cols.positiveClass ?? (model.outputKind === 'binary' ? declaredPositive(model) : undefined);
      if (declared !== undefined) input.positiveLabel = declared;
      const metrics = referenceMetrics(input);
      profile.metrics = metrics;
      if (model.outputKind === 'binary' && metrics.positiveLabel !== undefined) {
        const positive = String(metrics.positiveLabel);
        profile.positiveClass = positive;
        if (scores) {
          const s: number[] = [];
          const y: Array<0 | 1> = [];
          labels.forEach((l, i) => {
            const sc = scores[i] as number;
            if (l !== null && Number.isFinite(sc)) {
              s.push(sc);
              y.push(String(l) === positive ? 1 : 0);
            }
          });
          const calibration = binaryCalibration(s, y);
          if (calibration) profile.calibration = calibration;
        }
      }
    }
    // Label drift's reference: whenever the file has labels (with or without predictions or scores).
    if (labels && labels.some((l) => l !== null)) profile.labels = storeLabels(referenceLabels(model.outputKind, labels, summarySeed(model.name, version, '', 'reference', 0), model.classes?.length));
    if (classScores && labels) {
      const fits = classCalibrations(model.classes ?? [], classScores, labels as Array<string | null>);
      if (fits) profile.classCalibrations = fits;
    }
    profile.summary = bytesToBase64(summary.toBytes());
    return profile;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The reference's metrics; labels, predictions or scores they refuse (a third class, a score outside [0, 1]) are bad input. */
function referenceMetrics(input: MetricsInput): MetricsResult {
  try {
    return computeMetrics(input);
  } catch (e) {
    if (e instanceof MetricsInputError) throw new InputError(`the reference's labels, predictions or scores cannot be measured: ${e.message}`);
    throw e;
  }
}

/**
 * A binary model's score column when the file has no `score` column: its positive class's column among per-class ones
 * (the upload's `scores`, two columns in the declared class order, else `score_<class>`), as events' `scores` stand for
 * their `score`. The positive class is the upload's, else the declared one (declaredPositive).
 */
function binaryScoreColumn(ds: Dataset, model: ModelRecord, cols: ReferenceColumns): string | undefined {
  const classes = model.classes ?? [];
  if (model.outputKind !== 'binary') return undefined;
  const requested = cols.scores === undefined ? undefined : typeof cols.scores === 'string' ? cols.scores.split(',').map((x) => x.trim()) : [...cols.scores];
  if (requested !== undefined && classes.length !== 2) throw new InputError('scores needs a binary model that declares its two classes (their order says which column is which class\'s); or name the positive class\'s probability column with score');
  const names = requested ?? classes.map((c) => `score_${c}`);
  if (requested !== undefined) {
    if (names.length !== 2) throw new InputError(`scores must name 2 columns, one per class in the model's order (${classes.join(', ')}); got ${names.length}`);
    for (const n of names) ds.requireColumn(n);
  } else if (names.length !== 2 || !names.every((n) => ds.column(n))) return undefined;
  const positive = cols.positiveClass ?? declaredPositive(model);
  const i = positive === undefined ? -1 : classes.indexOf(positive);
  if (i < 0) throw new InputError(`positiveClass "${String(positive)}" is not one of the model's classes (${classes.join(', ')})`);
  return names[i];
}

/**
 * A multiclass model's per-class score columns, in its declared class order: `requested` (comma-separated) or, when
 * the file has all of them, score_<class>; null without.
 */
async function classScoreColumns(ds: Dataset, model: ModelRecord, requested: string | readonly string[] | undefined): Promise<Float64Array[] | null> {
  const classes = model.classes ?? [];
  if (model.outputKind !== 'multiclass' || classes.length < 2) return null;
  let names: string[];
  if (requested !== undefined) {
    names = typeof requested === 'string' ? requested.split(',').map((x) => x.trim()) : [...requested];
    if (names.length !== classes.length) throw new InputError(`scores must name ${classes.length} columns, one per class in the model's order (${classes.join(', ')}); got ${names.length}`);
    for (const n of names) ds.requireColumn(n);
  } else {
    names = classes.map((c) => `score_${c}`);
    if (!names.every((n) => ds.column(n))) return null;
  }
  return Promise.all(names.map(async (n) => (await numericValues(ds, n)).values));
}

/** The labelled rows, and whether each of them has every class's score. */
function labelledRows(labels: ReadonlyArray<unknown>, columns: readonly Float64Array[]): { rows: number[]; allScored: boolean } {
  const rows: number[] = [];
  let allScored = true;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === null) continue;
    if (columns.every((c) => Number.isFinite(c[i]))) rows.push(i);
    else allScored = false;
  }
  return { rows, allScored };
}

/**
 * Binary CBPE's calibration: an isotonic fit of the scores against "the label is the positive class" (`y`), with both
 * classes among the labels, else none (and no CBPE): fitted on one class it maps every score to 0 (or 1), and the
 * estimate claimed every prediction certainly wrong (or right) whatever its score.
 */
export function binaryCalibration(scores: readonly number[], y: ReadonlyArray<0 | 1>): Calibration | undefined {
  return y.includes(0) && y.includes(1) ? fitIsotonic(scores, y) : undefined;
}

/**
 * Multiclass CBPE's calibrations: per declared class, an isotonic fit of its score column against "the label is this
 * class" on the rows with a label and every score. Null (no CBPE) when a class is never, or always, the label (a fit on
 * one outcome calibrates every score to 0 or 1).
 */
export function classCalibrations(classes: readonly string[], columns: readonly Float64Array[], labels: ReadonlyArray<string | null>): ReferenceProfile['classCalibrations'] | null {
  const { rows } = labelledRows(labels, columns);
  const fits = [];
  for (let k = 0; k < classes.length; k++) {
    const col = columns[k] as Float64Array;
    const y = rows.map((i): 0 | 1 => (labels[i] === classes[k] ? 1 : 0));
    if (!y.includes(0) || !y.includes(1)) return null;
    fits.push(fitIsotonic(rows.map((i) => col[i] as number), y));
  }
  return { classes: [...classes], fits };
}

/**
 * A label or prediction column as text: a CSV column of yes/no (or t/f) that DuckDB typed BOOLEAN is read as the
 * file spells it when true/false are not the model's classes (else the reference's classes were true/false, its
 * positive class "true", and every realized metric and CBPE failed). A model without declared classes reads yes/no
 * as written too, and true/false (in any case) as "true"/"false": reading yes/no as "true"/"false" made the positive
 * class "true", which no event's label is, and /performance and the monitors refused every labelled event.
 * `missingTexts`: whether "NA", "none" (isMissingText) are missing values; predictions read them as classes, as events do.
 */
async function modelClassValues(ds: Dataset, model: ModelRecord, col: string, missingTexts = true): Promise<Array<string | null>> {
  const classes = model.classes ?? [];
  if (classes.includes('true') && classes.includes('false')) return textValues(ds, col, missingTexts);
  if (classes.length === 0) return classValues(ds, col, undefined, missingTexts);
  // A fractional column's values are each number's shortest text (1); a declared class spelled otherwise ("1.0", which
  // events of it send) is that class: until audit 27 such a reference predicted and was labelled "1", no event's class,
  // so prediction and label drift flagged the same data (every class new).
  const byNumber = new Map<string, string>();
  for (const c of classes) if (c.trim() !== '' && Number.isFinite(Number(c))) byNumber.set(String(Number(c)), c);
  return (await classValues(ds, col, () => true, missingTexts)).map((v) => (v === null ? null : (byNumber.get(v) ?? v)));
}

/**
 * A categorical feature of numbers (integer codes, a numeric enum) whose column the file holds as numbers: read as
 * numbers, so that its categories are the text of a JSON number as an event's are (1, 0.5), not DuckDB's text of the
 * column's type ("1.0" of a DOUBLE column, as pandas writes integer codes with gaps; "0.50" of a DECIMAL).
 */
function numericCodes(model: ModelRecord, name: string, ds: Dataset): boolean {
  const col = ds.column(name);
  if (!col || classify(col.duckType) !== 'numerical') return false;
  const d = propertyOf(model, name);
  const types = typesOf(d);
  if (types.some((t) => t === 'string' || t === 'boolean')) return false;
  return types.some((t) => t === 'number' || t === 'integer') || (Array.isArray(d['enum']) && d['enum'].length > 0 && d['enum'].every((x) => typeof x === 'number'));
}

/**
 * A feature the schema types as boolean: events send true/false, so the file's booleans are read as "true"/"false".
 * Another text feature is read as the file spells it: a CSV column of yes/no (or T/F), which DuckDB types BOOLEAN,
 * keeps "yes"/"no", the strings events send, not "true"/"false" (every category new: total drift on the same data).
 */
function booleanFeature(model: ModelRecord, name: string): boolean {
  const d = propertyOf(model, name);
  return typesOf(d).includes('boolean') || (Array.isArray(d['enum']) && d['enum'].length > 0 && d['enum'].every((x) => typeof x === 'boolean'));
}

/**
 * A feature the schema types as a string (or a string enum): events send its values as text ("1.0"), so a CSV column
 * of such numbers is read as the file spells it, not as DuckDB's text of a number (audit 27).
 */
function stringFeature(model: ModelRecord, name: string): boolean {
  const d = propertyOf(model, name);
  return typesOf(d).includes('string') || (Array.isArray(d['enum']) && d['enum'].length > 0 && d['enum'].every((x) => typeof x === 'string'));
}

function propertyOf(model: ModelRecord, name: string): Record<string, unknown> {
  const def = (model.inputSchema['properties'] as Record<string, unknown> | undefined)?.[name];
  return typeof def === 'object' && def !== null ? (def as Record<string, unknown>) : {};
}

function typesOf(d: Record<string, unknown>): unknown[] {
  return Array.isArray(d['type']) ? (d['type'] as unknown[]) : [d['type']];
}

function pick(ds: Dataset, requested: string | undefined, fallback: string): string | undefined {
  if (requested !== undefined) {
    ds.requireColumn(requested);
    return requested;
  }
  return ds.column(fallback) ? fallback : undefined;
}
