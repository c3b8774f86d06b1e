import { unknownVersionMessage } from '../models/known-names.js';
import { createHash } from 'node:crypto';
import { ACTION_KINDS } from '../alerting/actions/runner.js';
import { getDriftMethod } from '../core/drift/registry.js';
import type { ChangeMode } from '../core/rules/compare.js';
import type { Seasonality } from '../core/rules/baseline.js';
import { NO_DATA_POLICIES, type NoDataPolicy } from '../core/rules/no-data.js';
import { RULE_KINDS, SEVERITIES, severityRank, type Direction, type Level, type RuleKind } from '../core/rules/types.js';
import { checkDriftLevels } from './drift-checks.js';
import { formatDuration, parseDuration } from './duration.js';
import { getMonitorMetric } from './metrics/registry.js';
import type { MetricArgs } from './metrics/types.js';
import { splitMetric } from '../monitoring/metric-name.js';
import { canonicalSegment, segmentParts, undeclaredSegmentKeys } from '../monitoring/segment-match.js';
import { reservedLabelsError } from './reserved-labels.js';
import { didYouMean, firstUnknown, knownKeys } from '../core/text/closest.js';

/** A monitor: one metric of one model over a window, compared by a rule, with severity levels. */
export interface MonitorDefinition {
  id: string;
  model: string;
  name: string;
  /** Metric id, with ":FEATURE" for feature metrics (e.g. "drift:age", "accuracy", "latencyP99"). */
  metric: string;
  method?: string;
  class?: string;
  /** Version to watch (default: the model's default version: its serving alias's, else the newest). */
  version?: string;
  /** Canonical segment key ("region=eu"); default: all traffic. */
  segment?: string;
  /** Tumbling evaluation window, e.g. "1h". */
  window: string;
  windowMs: number;
  /** Wait after a window closes before evaluating it (late events and labels), e.g. "5m". */
  delayMs: number;
  /**
   * Pending duration (Prometheus' `for:`): a crossed level fires only at an evaluation at least this long after the
   * first of an unbroken run of crossed levels (absent: at once).
   */
  forMs?: number;
  kind: RuleKind;
  direction: Direction;
  change: ChangeMode;
  /** Rolling baselines: how many past periods, and whether periods are weeks (same weekday/hour) or windows. */
  baseline: { periods: number; seasonality: Seasonality; minPeriods: number };
  /** EWMA/CUSUM: history windows to learn limits from, and the recent windows the statistic runs over. */
  spc: { history: number; recent: number; lambda: number; k: number };
  levels: Level[];
  minSamples: number;
  /** An evaluation without a verdict: keep the alert as it is (absent), resolve it (ok), or fire (alerting). */
  noData?: Exclude<NoDataPolicy, 'keep'>;
  labels: Record<string, string>;
  runbookUrl?: string;
  enabled: boolean;
}

export class DefinitionError extends Error {
  constructor(message: string, readonly details?: unknown) {
    super(message);
    this.name = 'DefinitionError';
  }
}

/** The longest monitor window: 90 days (a longer one merged every summary back to 1970 at each evaluation). */
export const MAX_WINDOW_MS = 90 * 86_400_000;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export function str(o: Obj, k: string, required: boolean, max = 200): string | undefined {
  const v = o[k];
  if (v === undefined) {
    if (required) throw new DefinitionError(`"${k}" is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new DefinitionError(`"${k}" must be a non-empty string of at most ${max} characters`);
  return v;
}

/**
 * An optional http(s) URL (a runbook link): notifiers send it on and the dashboard renders it as a link, where a
 * "javascript:" or "data:" URL would run script in the page of whoever clicks it.
 */
export function httpUrl(o: Obj, k: string): string | undefined {
  const v = str(o, k, false, 2000);
  if (v === undefined) return undefined;
  if (!isHttpUrl(v)) throw new DefinitionError(`"${k}" must be an http(s) URL (got ${JSON.stringify(v.slice(0, 100))})`);
  return v;
}

export function isHttpUrl(v: string): boolean {
  try {
    return /^https?:$/.test(new URL(v).protocol) && /^https?:\/\//i.test(v);
  } catch {
    return false;
  }
}

export function num(o: Obj, k: string, dflt: number, min = -Infinity, max = Infinity): number {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new DefinitionError(`"${k}" must be a number in [${min}, ${max}]`);
  return v;
}

export function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[], dflt: T): T {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new DefinitionError(`"${k}" must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Refuses a key the definition does not know: a typo (minsamples, baseline.period) was ignored, its setting lost. */
export function onlyKnown(o: Obj, known: readonly string[], where = ''): void {
  const extra = firstUnknown(o, known);
  if (extra !== undefined) throw new DefinitionError(`"${where}${extra.slice(0, 100)}" is unknown ${knownKeys(extra, known)}`);
}

/** An optional sub-object of known keys ({} when absent). */
function section(o: Obj, k: string, known: readonly string[]): Obj {
  const v = o[k];
  if (v === undefined) return {};
  if (!isObj(v)) throw new DefinitionError(`"${k}" must be an object with keys among ${known.join(', ')}`);
  onlyKnown(v, known, `${k}.`);
  return v;
}

export function bool(o: Obj, k: string, dflt: boolean): boolean {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new DefinitionError(`"${k}" must be true or false (got ${JSON.stringify(v)?.slice(0, 40)})`);
  return v;
}

export function stringMap(o: Obj, k: string): Record<string, string> {
  const v = o[k];
  if (v === undefined) return {};
  if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'string')) throw new DefinitionError(`"${k}" must be an object of strings`);
  return v as Record<string, string>;
}

/** A monitor's or SLO's own alert labels: strings, none of the labels Lookout sets itself. */
export function ownLabels(o: Obj, k = 'labels'): Record<string, string> {
  const labels = stringMap(o, k);
  const err = reservedLabelsError(labels, k);
  if (err !== undefined) throw new DefinitionError(err);
  return labels;
}

function levels(o: Obj): Level[] {
  const v = o['levels'];
  if (!Array.isArray(v) || v.length === 0 || v.length > 8) throw new DefinitionError('"levels" must be a list of 1 to 8 {severity, threshold, action?}');
  return v.map((l, i) => {
    if (!isObj(l)) throw new DefinitionError(`levels[${i}] must be an object`);
    onlyKnown(l, ['severity', 'threshold', 'action'], `levels[${i}].`);
    const severity = oneOf(l, 'severity', SEVERITIES, 'page');
    if (l['severity'] === undefined) throw new DefinitionError(`levels[${i}].severity is required`);
    if (typeof l['threshold'] !== 'number' || !Number.isFinite(l['threshold'])) throw new DefinitionError(`levels[${i}].threshold must be a number`);
    const action = str(l, 'action', false, 50);
    // a misspelt action would only show when the incident fires it (as a skipped action): refuse it now
    if (action !== undefined && !(ACTION_KINDS as readonly string[]).includes(action)) throw new DefinitionError(`levels[${i}].action "${action}" is unknown; known actions: ${ACTION_KINDS.join(', ')}${didYouMean(action, ACTION_KINDS)}`);
    return { severity, threshold: l['threshold'], ...(action !== undefined && { action }) };
  });
}

/**
 * Throws DefinitionError when the monitor names a feature its model does not summarise (`known`: the features of the
 * model's versions; null when it has none yet, so nothing can be checked). Such a monitor would evaluate to "no value"
 * at every window without saying why anywhere but in each evaluation's detail.
 */
export function checkMonitorFeature(d: Pick<MonitorDefinition, 'model' | 'metric'>, known: readonly string[] | null): void {
  const { feature } = splitMetric(d.metric);
  if (feature === undefined || known === null || known.includes(feature)) return;
  throw new DefinitionError(`unknown feature "${feature}" in metric "${d.metric}": model "${d.model}" summarises ${known.join(', ') || 'no features'}`);
}

/**
 * Throws DefinitionError when the monitor is pinned to a version its model does not have (`known`: the model's
 * versions; null when the model itself is unknown, left to the caller). Such a monitor would evaluate to
 * "insufficient data" at every window.
 */
export function checkMonitorVersion(d: Pick<MonitorDefinition, 'model' | 'version'>, known: readonly string[] | null): void {
  if (d.version === undefined || known === null || known.includes(d.version)) return;
  throw new DefinitionError(known.length === 0 ? `model "${d.model}" has no version "${d.version}"; it has no version yet (declare the version first)` : unknownVersionMessage(d.model, d.version, known));
}

/**
 * Throws DefinitionError when the monitor's segment is not "key=value" parts joined by "&" or names a key its model
 * does not declare (`keys`: the model's segment keys; null when the model is unknown, left to the caller): no event
 * would ever be of it.
 */
export function checkMonitorSegment(d: Pick<MonitorDefinition, 'model' | 'segment'>, keys: readonly string[] | null): void {
  if (d.segment === undefined || d.segment === '' || keys === null) return;
  const parts = segmentParts(d.segment);
  if (parts === null) throw new DefinitionError(`"segment" must be "key=value" parts joined by "&" (got "${d.segment.slice(0, 100)}")`);
  // Written as the query parameter takes it ("region=eu,tier=gold"): one key, region, of the value "eu,tier=gold", which
  // no event has (until audit 20 the monitor had no data for ever). A value may hold a comma, not ",KEY=" of a key.
  const commaKey = (v: string): boolean => keys.some((k) => v.includes(`,${k}=`));
  if (Object.values(parts).some(commaKey)) {
    const meant = keys.reduce((text, k) => text.split(`,${k}=`).join(`&${k}=`), d.segment);
    const key = Object.keys(parts).find((k) => commaKey(parts[k] as string)) ?? '';
    throw new DefinitionError(`"segment" parts are joined by "&", not "," as in the ?segment= query parameter: "${d.segment.slice(0, 100)}" names the ${key.slice(0, 100)} "${(parts[key] ?? '').slice(0, 100)}"; did you mean "${meant.slice(0, 200)}"?`);
  }
  const undeclared = undeclaredSegmentKeys(d.segment, keys);
  if (undeclared.length === 0) return;
  throw new DefinitionError(`"segment" names ${undeclared.map((k) => `"${k.slice(0, 100)}"`).join(', ')}, not a segment key of model "${d.model}"; its segment keys: ${keys.join(', ') || '(none)'}`);
}

/**
 * Throws DefinitionError when the monitor's `class` is not one its model declares (`classes`: the model's classes; null
 * when it declares none or is unknown, and nothing can be checked): events predicting it are refused, so the
 * monitor would measure a class no event can have.
 */
export function checkMonitorClass(d: Pick<MonitorDefinition, 'model' | 'class'>, classes: readonly string[] | null): void {
  if (d.class === undefined || classes === null || classes.length === 0 || classes.includes(d.class)) return;
  throw new DefinitionError(`class "${d.class.slice(0, 100)}" is not a class of model "${d.model}"; its classes: ${classes.join(', ').slice(0, 2000)}`);
}

/**
 * Throws DefinitionError when a level could never be the verdict: the verdict is the highest severity crossed, so a
 * level of lower severity whose threshold is not nearer the good side than a higher one's (`warning` at 0.5 and `page`
 * at 0.2 of an error rate), or a second level of the same severity (whose action would never run), is dead. The bad
 * side is the monitor's direction for `threshold`, and above for the other kinds (changes and control statistics).
 * Checked when a monitor is declared, not of stored ones (they keep being evaluated as before).
 */
export function checkLevelOrder(d: Pick<MonitorDefinition, 'kind' | 'direction' | 'levels'>): void {
  const bad = d.kind === 'threshold' ? d.direction : 'above';
  const sorted = [...d.levels].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  for (let i = 1; i < sorted.length; i++) {
    const lo = sorted[i - 1] as Level;
    const hi = sorted[i] as Level;
    if (lo.severity === hi.severity) throw new DefinitionError(`"levels" has two levels of severity ${hi.severity} (thresholds ${lo.threshold} and ${hi.threshold}): one would never be the verdict; give each severity one level`);
    const further = bad === 'above' ? hi.threshold > lo.threshold : hi.threshold < lo.threshold;
    if (!further) {
      throw new DefinitionError(`"levels": ${lo.severity} at ${lo.threshold} would never be the verdict, since ${hi.severity} at ${hi.threshold} is crossed first `
        + `(the bad side is ${bad}${d.kind === 'threshold' ? `, the direction of the metric` : ` for kind ${d.kind}: levels are the change or statistic`}); a more severe level needs a threshold further ${bad === 'above' ? 'above' : 'below'}`);
    }
  }
}

export function metricArgs(d: Pick<MonitorDefinition, 'metric' | 'method' | 'class'>): MetricArgs {
  const { feature } = splitMetric(d.metric);
  return { ...(feature !== undefined && { feature }), ...(d.method !== undefined && { method: d.method }), ...(d.class !== undefined && { class: d.class }) };
}

/**
 * The stored segment key a monitor's `segment` measures ("" for the whole traffic): its values as the events carry them
 * or URI-encoded, keys in any order (canonicalSegment). Until audit 20 the text was compared as written with the stored
 * keys, which are URI-encoded: a value with a space or a non-ASCII letter ("region=São Paulo") matched no event.
 */
export function monitorSegment(d: Pick<MonitorDefinition, 'segment'>): string {
  return canonicalSegment(d.segment ?? '');
}

/**
 * What a monitor's values measure (model, version, metric and its arguments, segment, window), as a short hash: stored
 * with each evaluation, so a control chart only reuses values of the same series (not those of a redefined monitor).
 * Rule, levels and sample guard are left out: they do not change the values.
 */
export function valueKey(d: Pick<MonitorDefinition, 'model' | 'version' | 'metric' | 'method' | 'class' | 'segment' | 'windowMs'>): string {
  // the segment as it is measured (canonical): "region=São Paulo", which matched no event until audit 20, measures anew
  const what = [d.model, d.version ?? '', d.metric, d.method ?? '', d.class ?? '', monitorSegment(d), d.windowMs];
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}

/**
 * Validates a monitor definition (from the API or the config file) and fills defaults. `id` comes from the
 * input or `newId`. Throws DefinitionError with a readable message.
 */
/** The keys of a monitor definition; `last` (the latest evaluation), `problem` and `warnings`, as GET shows them, are read-only and ignored. */
export const MONITOR_KEYS = [
  'id', 'model', 'name', 'metric', 'method', 'class', 'version', 'segment', 'window', 'delay', 'for', 'kind', 'direction', 'change',
  'baseline', 'spc', 'levels', 'minSamples', 'noData', 'labels', 'runbookUrl', 'enabled', 'last', 'problem', 'warnings',
] as const;

export function parseMonitor(input: unknown, newId: () => string): MonitorDefinition {
  if (!isObj(input)) throw new DefinitionError('a monitor definition must be a JSON object');
  onlyKnown(input, MONITOR_KEYS);
  const id = str(input, 'id', false, 128) ?? newId();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(id)) throw new DefinitionError('"id" may contain letters, digits, ".", "_", ":" and "-"');
  const model = str(input, 'model', true) as string;
  const metric = str(input, 'metric', true) as string;
  const { id: metricId, feature } = splitMetric(metric);
  let m;
  try {
    m = getMonitorMetric(metricId);
  } catch (e) {
    throw new DefinitionError((e as Error).message);
  }
  if (m.feature === 'required' && !feature) throw new DefinitionError(`metric "${metricId}" needs a feature: "${metricId}:FEATURE"`);
  if (m.feature === 'none' && feature !== undefined) throw new DefinitionError(`metric "${metricId}" takes no feature`);
  const method = str(input, 'method', false, 50);
  if (method !== undefined) {
    try {
      getDriftMethod(method);
    } catch (e) {
      throw new DefinitionError((e as Error).message);
    }
  }
  const cls = str(input, 'class', false);
  const args = { ...(feature !== undefined && { feature }), ...(method !== undefined && { method }) };
  const kind = oneOf(input, 'kind', RULE_KINDS, 'threshold');
  const window = (str(input, 'window', false, 20) ?? '1h');
  const windowMs = wrap(() => parseDuration(window, 'window'));
  if (windowMs < 60_000 || windowMs % 60_000 !== 0) throw new DefinitionError('"window" must be whole minutes, at least "1m"');
  if (windowMs > MAX_WINDOW_MS) throw new DefinitionError(`"window" must be at most ${formatDuration(MAX_WINDOW_MS)} (got "${window}")`);
  const b = section(input, 'baseline', ['periods', 'seasonality', 'minPeriods']);
  const spc = section(input, 'spc', ['history', 'recent', 'lambda', 'k']);
  const periods = num(b, 'periods', 4, 1, 52);
  const minPeriods = num(b, 'minPeriods', 1, 1, 52);
  // fewer past periods than it needs: the monitor never gives a verdict
  if (minPeriods > periods) throw new DefinitionError(`baseline.minPeriods must be at most baseline.periods (${periods}), got ${minPeriods}`);
  const version = str(input, 'version', false);
  const segment = str(input, 'segment', false, 500);
  // Both name stored rows in the store's queries, where PostgreSQL refuses U+0000 (and failed the whole monitor tick).
  for (const [k, v] of [['version', version], ['segment', segment]] as const) {
    if (v?.includes('\u0000')) throw new DefinitionError(`"${k}" must not contain U+0000`);
  }
  const runbookUrl = httpUrl(input, 'runbookUrl');
  const noData = oneOf(input, 'noData', NO_DATA_POLICIES, 'keep');
  const forMs = input['for'] === undefined ? 0 : wrap(() => parseDuration(input['for'], 'for'));
  if (forMs > MAX_WINDOW_MS) throw new DefinitionError(`"for" must be at most ${formatDuration(MAX_WINDOW_MS)} (got ${JSON.stringify(input['for'])})`);
  const def: MonitorDefinition = {
    id, model, name: str(input, 'name', false) ?? `${model} ${metric}`, metric,
    ...(method !== undefined && { method }), ...(cls !== undefined && { class: cls }),
    ...(version !== undefined && { version }), ...(segment !== undefined && { segment }),
    window, windowMs,
    delayMs: input['delay'] === undefined ? 0 : wrap(() => parseDuration(input['delay'], 'delay')),
    ...(forMs > 0 && { forMs }),
    kind,
    direction: oneOf(input, 'direction', ['above', 'below'] as const, m.direction(args)),
    change: oneOf(input, 'change', ['absolute', 'relative'] as const, 'relative'),
    baseline: {
      periods, seasonality: oneOf(b, 'seasonality', ['weekly', 'none'] as const, 'weekly'), minPeriods,
    },
    spc: { history: num(spc, 'history', 48, 8, 2000), recent: num(spc, 'recent', 6, 1, 200), lambda: num(spc, 'lambda', 0.2, 0.01, 1), k: num(spc, 'k', 0.5, 0, 10) },
    levels: levels(input),
    minSamples: num(input, 'minSamples', m.defaultMinSamples, 0),
    ...(noData !== 'keep' && { noData }),
    labels: ownLabels(input),
    ...(runbookUrl !== undefined && { runbookUrl }),
    enabled: bool(input, 'enabled', true),
  };
  checkDriftLevels(def);
  return def;
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new DefinitionError((e as Error).message);
  }
}
