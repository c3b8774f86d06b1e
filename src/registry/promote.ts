import { pairedComparison, type PairedComparison } from '../core/compare/paired.js';
import { promotionGate, UnknownGateMetricError, type GateConfig, type GateResult } from '../core/compare/gate.js';
import { MetricsInputError, type Label, type Task } from '../core/metrics/types.js';
import { fieldPath } from '../gateway/request.js';
import { fit } from '../gateway/gateway.js';
import { UpstreamError, type UpstreamClients } from '../gateway/upstream.js';
import { binaryScore } from '../core/summary/spec.js';
import { classIndex, declaredPositive } from '../monitoring/performance.js';
import type { ModelRecord } from '../storage/types.js';
import { knownFieldsOf, RegistryError } from './errors.js';
import type { AliasResult, ModelRegistry } from './registry.js';

/** A labelled test set: rows whose features both versions' upstreams score, or both versions' outputs given. */
export interface TestSet {
  rows?: Array<{ features: Record<string, unknown>; label: Label | null }>;
  labels?: Array<Label | null>;
  current?: { predictions?: Array<Label | null>; scores?: Array<number | null> };
  candidate?: { predictions?: Array<Label | null>; scores?: Array<number | null> };
  positiveLabel?: Label;
}

export interface PromoteRequest {
  version: string;
  alias?: string;
  reason: string;
  by?: string;
  testSet?: TestSet;
  gate?: GateConfig;
  /** Skip the comparison (recorded in the deployment reason). */
  force?: boolean;
  seed?: number;
  resamples?: number;
}

export interface Comparison {
  current: string;
  candidate: string;
  comparison: PairedComparison;
  gate: GateResult;
}

const MAX_ROWS = 100_000;
const MAX_RESAMPLES = 10_000;

/** Compares two versions on a test set (scoring rows through their upstreams when outputs are not given). */
export async function compareVersions(registry: ModelRegistry, upstreams: UpstreamClients, model: string, current: string, candidate: string, t: TestSet, opts: { gate?: GateConfig; seed?: number; resamples?: number; concurrency?: number } = {}): Promise<Comparison> {
  const m = registry.requireModel(model);
  checkCompareOptions(opts);
  registry.requireVersion(model, current);
  registry.requireVersion(model, candidate);
  const task: Task = m.outputKind;
  let labels: Array<Label | null>;
  let a: TestSet['current'];
  let b: TestSet['candidate'];
  // Rows scored through upstreams that answer per-class scores only: kept until the positive class is known.
  let perClass: Array<ClassScores | undefined> = [];
  if (t.rows !== undefined) {
    if (!Array.isArray(t.rows) || t.rows.length === 0 || t.rows.length > MAX_ROWS) throw new RegistryError('bad_request', `testSet.rows must have 1 to ${MAX_ROWS} rows`);
    const bad = t.rows.findIndex((r: unknown) => typeof r !== 'object' || r === null || Array.isArray(r));
    if (bad >= 0) throw new RegistryError('bad_request', `testSet.rows[${bad}] must be an object {features, label}`);
    checkRowFeatures(registry, model, t.rows);
    labels = t.rows.map((r) => r.label);
    const sa = await score(registry, upstreams, model, current, t.rows, opts.concurrency ?? 16);
    const sb = await score(registry, upstreams, model, candidate, t.rows, opts.concurrency ?? 16);
    a = sa.outputs;
    b = sb.outputs;
    perClass = [sa.classScores, sb.classScores];
  } else {
    if (!Array.isArray(t.labels) || !t.current || !t.candidate) throw new RegistryError('bad_request', 'testSet needs "rows" [{features, label}] or "labels" with "current" and "candidate" outputs');
    labels = t.labels;
    a = t.current;
    b = t.candidate;
  }
  checkColumn('labels', labels, isLabel);
  checkClasses('labels', labels, m);
  checkPositiveLabel(t.positiveLabel, m);
  for (const [side, o] of [['current', a], ['candidate', b]] as const) {
    if (o?.predictions !== undefined) checkColumn(`${side}.predictions`, o.predictions, isLabel);
    if (o?.predictions !== undefined) checkClasses(`${side}.predictions`, o.predictions, m);
    if (o?.scores !== undefined) checkColumn(`${side}.scores`, o.scores, (v) => v === null || (typeof v === 'number' && v >= 0 && v <= 1));
    // named as the request names them (the comparison's own message says "version a")
    if (o?.predictions === undefined && o?.scores === undefined) throw new RegistryError('bad_request', `testSet.${side} needs "predictions" or "scores"`);
    // one score per row is a binary model's probability of its positive class: thresholded, it names no other model's class
    if (task !== 'binary' && o.predictions === undefined) {
      throw new RegistryError('bad_request', `testSet.${side} needs "predictions": a ${task} model is compared on its predicted ${task === 'regression' ? 'values' : 'classes'} (scores are for binary models)`);
    }
    for (const col of ['predictions', 'scores'] as const) {
      const n = o[col]?.length;
      if (n !== undefined && n !== labels.length) throw new RegistryError('bad_request', `testSet.${side}.${col} has ${n} rows but testSet.labels has ${labels.length}: one output per labelled row, in the same order`);
    }
  }
  // as monitoring takes it: the test set's, else the reference's (the current version's, else the candidate's), else the
  // larger declared class, else (no classes declared) the larger of the test set's labels and predictions (pairedComparison)
  const positive = t.positiveLabel ?? (task === 'binary' ? registry.referencePositive(model, current) ?? registry.referencePositive(model, candidate) ?? declaredPositive(m) : undefined);
  // Rows scored by upstreams answering a binary model's `scores` and no `score`: the positive class's entry, as monitoring takes it.
  const index = classIndex(m, positive === undefined ? undefined : String(positive));
  [a, b].forEach((o, i) => {
    const derived = o && o.scores === undefined && task === 'binary' ? binaryScores(perClass[i], index) : undefined;
    if (o && derived) o.scores = derived;
  });
  try {
    const comparison = pairedComparison({
      // never the labels' larger class alone: a test set of "no" rows only made "no" positive, and the reference's positive
      // class (a fraud model's "fraud") was ignored for the larger declared one ("legit"): scores of P(fraud) ranked as P(legit)
      task, labels, a: a ?? {}, b: b ?? {}, ...(positive !== undefined && { positiveLabel: positive }),
      seed: opts.seed ?? 0, resamples: opts.resamples ?? 1000,
    });
    return { current, candidate, comparison, gate: promotionGate(comparison, opts.gate ?? {}) };
  } catch (e) {
    if (e instanceof MetricsInputError || e instanceof UnknownGateMetricError) throw new RegistryError('bad_request', e.message);
    throw e;
  }
}

/** The comparison's options from a request. */
function checkCompareOptions(opts: { gate?: unknown; seed?: unknown; resamples?: unknown }): void {
  // each resample allocates per row and metric: an unbounded count from a request would exhaust the heap and kill the server
  const n = opts.resamples;
  if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_RESAMPLES)) {
    throw new RegistryError('bad_request', `resamples must be an integer from 0 to ${MAX_RESAMPLES}`);
  }
  if (opts.seed !== undefined && !Number.isSafeInteger(opts.seed)) throw new RegistryError('bad_request', 'seed must be an integer');
  checkGate(opts.gate);
}

/** A gate from a request: a misspelt field or a value of the wrong type would silently weaken it (or fail later as a 500). */
function checkGate(g: unknown): void {
  const o = knownFieldsOf(g, 'gate', ['metric', 'minImprovement', 'requireSignificant']);
  if (o['metric'] !== undefined && typeof o['metric'] !== 'string') throw new RegistryError('bad_request', 'gate.metric must be a metric id');
  const min = o['minImprovement'];
  if (min !== undefined && !(typeof min === 'number' && Number.isFinite(min))) throw new RegistryError('bad_request', 'gate.minImprovement must be a number');
  if (o['requireSignificant'] !== undefined && typeof o['requireSignificant'] !== 'boolean') throw new RegistryError('bad_request', 'gate.requireSignificant must be true or false');
}

/**
 * Every row's features against the model's input schema, before any upstream is called (as the gateway checks a
 * prediction's): a row with a misspelt or missing feature was sent to both model servers as it was, and the gate
 * decided on what they made of it.
 */
function checkRowFeatures(registry: ModelRegistry, model: string, rows: NonNullable<TestSet['rows']>): void {
  const ctx = registry.requireContext(model);
  rows.forEach((r, i) => {
    const f = r.features as unknown;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new RegistryError('bad_request', `testSet.rows[${i}].features must be an object`);
    if (ctx.validateFeatures(f)) return;
    const errors = (ctx.validateFeatures.errors ?? []).slice(0, 5).map((e) => ({ path: fieldPath(e), schemaPath: e.schemaPath, message: e.message, params: e.params }));
    throw new RegistryError('validation_failed', `testSet.rows[${i}].features do not match the input schema of model "${model}": ${errors.map((e) => `${e.path} ${e.message ?? ''}`).join('; ')}`, { row: i, errors });
  });
}

const isLabel = (v: unknown): boolean => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/**
 * Labels or predictions the model could not have: a class it does not have (a typo "Yes") would be taken as a third
 * class, and for a binary model as the negative one; a regression model's value that is not a number made its metrics null.
 */
function checkClasses(name: string, values: Array<Label | null>, m: ModelRecord): void {
  if (m.outputKind === 'regression') {
    const bad = values.findIndex((v) => v !== null && typeof v !== 'number');
    if (bad >= 0) throw new RegistryError('bad_request', `testSet.${name}[${bad}] ${JSON.stringify(values[bad])?.slice(0, 100)} is not a number (the labels and predictions of a regression model are numbers)`);
    return;
  }
  if (!m.classes) return;
  const classes = new Set(m.classes);
  const bad = values.findIndex((v) => v !== null && !classes.has(String(v)));
  if (bad >= 0) throw new RegistryError('bad_request', `testSet.${name}[${bad}] ${JSON.stringify(values[bad])?.slice(0, 100)} is not one of the model's classes (${m.classes.join(', ').slice(0, 500)})`);
}

/**
 * A binary test set's positive class must be one the model has (audit 27: "Yes" of no/yes was a class of its own,
 * which no label is: thresholded scores never matched a label, accuracy halved and rocAuc undefined, for both versions).
 */
function checkPositiveLabel(v: unknown, m: ModelRecord): void {
  if (v === undefined) return;
  if (v === null || !isLabel(v)) throw new RegistryError('bad_request', `testSet.positiveLabel must be a class (a string or a number), not ${JSON.stringify(v)?.slice(0, 100)}`);
  if (m.classes && !m.classes.includes(String(v))) {
    throw new RegistryError('bad_request', `testSet.positiveLabel ${JSON.stringify(v)?.slice(0, 100)} is not one of the model's classes (${m.classes.join(', ').slice(0, 500)})`);
  }
}

function checkColumn(name: string, values: unknown, ok: (v: unknown) => boolean): void {
  if (!Array.isArray(values)) throw new RegistryError('bad_request', `${name} must be an array`);
  const bad = values.findIndex((v) => !ok(v));
  if (bad >= 0) throw new RegistryError('bad_request', `${name}[${bad}] is not a valid value (${JSON.stringify(values[bad])?.slice(0, 100)})`);
}

type ClassScores = Array<number[] | null>;

/** A binary model's scores from per-class ones (binaryScore at the positive class's index); undefined when a row has none. */
function binaryScores(perClass: ClassScores | undefined, index: number | undefined): Array<number | null> | undefined {
  const out = perClass?.map((s) => binaryScore(null, s, index));
  if (!out) return undefined;
  return out.every((x) => x !== null) ? out : undefined;
}

async function score(registry: ModelRegistry, upstreams: UpstreamClients, model: string, version: string, rows: NonNullable<TestSet['rows']>, concurrency: number): Promise<{ outputs: NonNullable<TestSet['current']>; classScores?: ClassScores }> {
  const ctl = registry.control(model);
  const ctx = registry.requireContext(model);
  const url = ctl.upstreams.get(version);
  if (url === undefined) throw new RegistryError('bad_request', `version ${version} has no upstream to score the test set with; send its outputs instead`);
  const predictions: Array<Label | null> = new Array<Label | null>(rows.length).fill(null);
  const scores: Array<number | null> = new Array<number | null>(rows.length).fill(null);
  const classScores: ClassScores = new Array<number[] | null>(rows.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const i = next++;
      try {
        // checked as the gateway checks an answer: a label outside the classes was blamed on the request as a 400
        // ("testSet.current.predictions[0]"), which has no such field when the rows were scored here
        const r = fit(ctx, await upstreams.predict(url, JSON.stringify({ features: rows[i]?.features ?? {} }), ctl.serving.timeoutMs));
        predictions[i] = r.prediction;
        scores[i] = r.score;
        classScores[i] = r.scores;
      } catch (e) {
        // as the gateway answers a request nothing answered: 504 for a timeout, 502 otherwise (a 503 read as Lookout's own)
        const code = e instanceof UpstreamError && e.kind === 'timeout' ? 'upstream_timeout' : e instanceof UpstreamError ? 'upstream_error' : 'unavailable';
        throw new RegistryError(code, `scoring the test set with ${version} failed at row ${i}: ${e instanceof Error ? e.message : String(e)}`,
          { version, row: i, ...(e instanceof UpstreamError && { failure: e.kind }) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  if (scores.every((s) => s !== null)) return { outputs: { predictions, scores } };
  return { outputs: { predictions }, ...(classScores.every((s) => s !== null) && { classScores }) };
}

/** Promotion: compares the candidate with the alias's current version and moves the alias only if the gate passes. */
export async function promote(registry: ModelRegistry, upstreams: UpstreamClients, model: string, req: PromoteRequest): Promise<AliasResult & { comparison: Comparison | null }> {
  const alias = req.alias ?? 'production';
  // "force": "false" is truthy: taken as given, it would skip the gate
  if (req.force !== undefined && typeof req.force !== 'boolean') throw new RegistryError('bad_request', '"force" must be true or false');
  // checked whether or not a comparison is needed: a call that passes while the alias is unset must not fail once it is set
  checkCompareOptions(req);
  registry.requireVersion(model, req.version);
  registry.refusePausedTarget(model, alias, req.version);
  const current = (await registry.aliases(model))[alias];
  let comparison: Comparison | null = null;
  if (current !== undefined && current !== req.version && !req.force) {
    // audit 27: names the CLI's options too (was only the API's fields, to a `lookout promote` without --test-set)
    if (!req.testSet) {
      throw new RegistryError('bad_request', `promoting ${model}@${req.version} over ${current} (where "${alias}" points) needs a "testSet" to compare them on (lookout promote --test-set FILE), or "force": true to skip the comparison (--force)`);
    }
    comparison = await compareVersions(registry, upstreams, model, current, req.version, req.testSet, { ...(req.gate && { gate: req.gate }), ...(req.seed !== undefined && { seed: req.seed }), ...(req.resamples !== undefined && { resamples: req.resamples }) });
    if (!comparison.gate.pass) throw new RegistryError('promotion_refused', `promotion of ${model}@${req.version} over ${current} refused: ${comparison.gate.reason}`, comparison);
  }
  const why = comparison ? `${req.reason} [gate: ${comparison.gate.reason}]` : req.force && current !== undefined ? `${req.reason} [forced, no comparison]` : req.reason;
  const r = await registry.setAlias(model, alias, req.version, { kind: 'promote', reason: why, ...(req.by !== undefined && { by: req.by }), expectFrom: current ?? null });
  return { ...r, comparison };
}
