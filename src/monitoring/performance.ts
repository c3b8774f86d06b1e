import { computeMetrics, type MetricsInput, type MetricsResult } from '../core/metrics/index.js';
import { ClassCollector } from '../core/metrics/labels.js';
import { percentileSorted } from '../core/metrics/percentile.js';
import type { EstimatedMetrics } from '../core/summary/cbpe.js';
import { binaryScore } from '../core/summary/spec.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { LabelledOutcome, ModelRecord } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import type { LabelledRead } from './labelled-read.js';
import { labelDriftOf, type LabelDrift } from './label-drift.js';
import type { FeatureDrift } from '../core/drift/types.js';
import { estimateNote, estimateOf, MAX_SEGMENT_ESTIMATES, type Estimate } from './segment-estimates.js';

export interface PerformanceResult {
  labelled: number;
  events: number;
  /** Events with a prediction (events less failed inferences, which have none): what can be labelled. */
  predictions: number;
  /** labelled / predictions: failed inferences are not in the denominator (a label for one is not counted either). */
  labelCoverage: number | null;
  /** Why labelCoverage is null although the range has predictions: events of it were deleted with their labels (retention.eventsDays). */
  labelCoverageNote?: string;
  labelDelayMs: { p50: number | null; p95: number | null; max: number | null };
  realized: MetricsResult | null;
  /** Why realized is null although events are labelled: the metrics refused them (e.g. a label outside the model's classes, stored before labels were checked). */
  realizedNote?: string;
  /** CBPE estimate from calibrated scores (classifiers with a reference that has labels and scores; multiclass: macro averages). */
  estimated: (EstimatedMetrics & { n: number }) | null;
  /** Why `estimated` is null although the range has predictions (no reference, no calibration, no scores); or that it is of only some of the range's scored events (audit 27). */
  estimatedNote?: string;
  reference: MetricsResult | null;
  /**
   * Label drift: the labels of the labelled events against the reference's labels (label-drift.ts), by the drift
   * methods and defaults of /drift; null with `labelDriftNote` when the version's reference has no labels or the range
   * no labelled event. Of the sample when `sampled`.
   */
  labelDrift: FeatureDrift | null;
  labelDriftNote?: string;
  /** null when not asked for (`segments: false`): the per-segment bootstraps cost as much as the overall one. */
  /**
   * `estimated`: the segment's CBPE estimate from its own window summaries (as the top level's), when the caller read
   * them (opts.segmentSummaries); null with `estimatedNote` for a segment beyond MAX_SEGMENT_ESTIMATES. Lists the
   * segments of the labelled events and those of opts.segmentList (segments with traffic, labelled or not: labelled 0,
   * realized null). `labelDrift`: the segment's labels against the reference's (the version's one reference, as /drift's
   * segment filter compares a segment's features), null with `labelDriftNote` for a segment without labelled events.
   */
  bySegment: Array<{ segment: string; labelled: number; realized: MetricsResult | null; realizedNote?: string; estimated?: Estimate; estimatedNote?: string } & LabelDrift> | null;
  /**
   * Set when the range holds more labelled events than a read holds (server.maxLabelledEvents): everything above
   * (labelled, delays, metrics, segments) is then of a uniform sample at `rate`, labelCoverage estimated from it;
   * `labelledInRange` counts the range's labelled events of every segment.
   */
  sampled: Sample | null;
}

/** A read that was sampled (LabelledRead with rate < 1). */
export interface Sample {
  rate: number;
  labelledInRange: number;
}

/**
 * How long a prediction waited for its (first) label, in ms. A prediction stamped ahead of the server's clock (a client
 * clock skew, up to 24 h accepted) can be labelled "before" it was made: that counts as labelled at once, 0, never a
 * negative delay that would pull the percentiles below what any label waited.
 */
export function labelDelayMs(l: LabelledOutcome): number {
  return Math.max(0, l.receivedAt - l.event.ts);
}

/** The sample a read took, or null when it read everything. */
export function sampleOf(read: LabelledRead): Sample | null {
  return read.rate < 1 ? { rate: read.rate, labelledInRange: read.total } : null;
}

/** Events of a summary that have a prediction: its prediction distribution counts each (a failed inference is not in it). */
export function predictionCount(summary: WindowSummary): number {
  const p = summary.prediction;
  return p.count + p.missing;
}

/** What retention.eventsDays keeps (ingest/retention.ts Retention): the cutoff now and the days (null: events are kept). */
export interface EventsRetention {
  eventsCutoff(): number | null;
  eventsDays(): number | null;
}

/** A range reaching before the events kept: retention.eventsDays, and whether the whole range is before the cutoff. */
export interface BeforeKept { days: number; wholly: boolean }

/**
 * Whether the range [from, to) (the effective range the summaries cover) starts before the events retention.eventsDays
 * keeps: null when it does not (or events are kept). One test for GET /performance, each bucket of /performance/buckets
 * and the labelCoverage monitor metric (audit 24).
 */
export function beforeKept(retention: EventsRetention | undefined, from: number, to: number): BeforeKept | null {
  const cutoff = retention?.eventsCutoff() ?? null;
  const days = retention?.eventsDays() ?? null;
  return cutoff !== null && days !== null && from < cutoff ? { days, wholly: to <= cutoff } : null;
}

/**
 * labelled / predictions (labelled counted on a sample at `rate`, so divided by it; at most 1): failed inferences are not
 * in the denominator. Null without predictions. GET /performance's labelCoverage, each bucket's and the monitor metric's.
 */
export function labelCoverageOf(labelled: number, rate: number, predictions: number): number | null {
  return predictions > 0 ? Math.min(1, labelled / rate / predictions) : null;
}

/** The figures beforeEventsKept corrects: GET /performance's answer and each bucket of /performance/buckets. */
export interface CoverageFigures {
  labelled: number;
  predictions: number;
  labelCoverage: number | null;
  labelCoverageNote?: string;
  realized: MetricsResult | null;
  realizedNote?: string;
}

/**
 * A result of a range reaching before the events kept (retention.eventsDays): those events were deleted with their
 * labels, while the summaries still count their predictions, so labelled / predictions would understate the coverage
 * (0 for a range wholly before it) and the realized metrics are of the events kept only. Both are said.
 */
export function beforeEventsKept<T extends CoverageFigures>(r: T, kept: BeforeKept): T {
  const { days, wholly } = kept;
  if (r.predictions === 0) return r;
  const why = `events older than retention.eventsDays (${days} day${days === 1 ? '' : 's'}) are deleted with their labels`;
  return {
    ...r,
    labelCoverage: null,
    labelCoverageNote: `the range starts before the events kept: ${why}, so labelled / predictions is not the coverage of its predictions`,
    ...(wholly && r.labelled === 0
      ? { realizedNote: `the events of this range were deleted by retention.eventsDays (${days} day${days === 1 ? '' : 's'}) with their labels` }
      : r.realized !== null && r.realizedNote === undefined && { realizedNote: `realized metrics of the events kept in the range: ${why}` }),
  };
}

/** Realized metrics from labelled events (overall and per segment) beside the CBPE estimate. */
export function performanceOf(m: ModelRecord, v: VersionContext, labelled: readonly LabelledOutcome[], summary: WindowSummary, seed = 0, opts: { segments?: boolean; metrics?: readonly string[]; ci?: boolean; sampled?: Sample | null; segmentSummaries?: ReadonlyMap<string, WindowSummary>; segmentList?: readonly string[]; positiveFrom?: readonly LabelledOutcome[] } = {}): PerformanceResult {
  const rate = opts.sampled?.rate ?? 1;
  // One positive class for the answer and each of its segments (a binary model without declared classes: see positiveClass).
  const positive = positiveClass(m, v, opts.positiveFrom ?? labelled);
  const resamples = opts.ci === false ? 0 : 200;
  const delays = new Float64Array(labelled.length); // typed: numeric order, no comparator calls
  for (let i = 0; i < labelled.length; i++) {
    const l = labelled[i] as LabelledOutcome;
    delays[i] = labelDelayMs(l);
  }
  delays.sort();
  // numpy.percentile (linear), as the metrics' bootstrap intervals: the rank floor(p n) read the max as p95 of up to 20 delays
  const q = (p: number): number | null => (delays.length ? percentileSorted(delays, p * 100) : null);
  const segments = new Map<string, LabelledOutcome[]>();
  for (const l of opts.segments === false ? [] : labelled) {
    if (l.event.segment === '') continue;
    const list = segments.get(l.event.segment) ?? [];
    list.push(l);
    segments.set(l.event.segment, list);
  }
  const predictions = predictionCount(summary);
  const est = estimateOf(summary);
  const note = estimateNote(v, summary);
  const perSegment = opts.segmentSummaries;
  const segmentEstimate = (segment: string): { estimated?: Estimate; estimatedNote?: string } => {
    if (!perSegment) return {};
    const s = perSegment.get(segment);
    if (!s) return { estimated: null, estimatedNote: `estimates are given for the first ${MAX_SEGMENT_ESTIMATES} segments only` };
    const why = estimateNote(v, s);
    return { estimated: estimateOf(s), ...(why !== undefined && { estimatedNote: why }) };
  };
  return {
    labelled: labelled.length,
    events: summary.events,
    predictions,
    labelCoverage: labelCoverageOf(labelled.length, rate, predictions),
    labelDelayMs: { p50: q(0.5), p95: q(0.95), max: delays.length ? (delays[delays.length - 1] as number) : null },
    ...realizedWithNote(m, v, labelled, seed, resamples, opts.metrics, positive),
    estimated: est,
    ...(note !== undefined && { estimatedNote: note }),
    reference: v.reference?.profile.metrics ?? null,
    ...labelDriftOf(m, v, labelled),
    bySegment: opts.segments === false ? null : [...new Set([...segments.keys(), ...(opts.segmentList ?? [])])].sort((a, b) => (a < b ? -1 : 1)).map((segment) => {
      const list = segments.get(segment) ?? [];
      return { segment, labelled: list.length, ...realizedWithNote(m, v, list, seed, resamples, opts.metrics, positive), ...segmentEstimate(segment), ...labelDriftOf(m, v, list) };
    }),
    sampled: opts.sampled ?? null,
  };
}

/**
 * A binary model's positive class: the reference's, else the larger of its two declared classes, else (no classes
 * declared) the larger of the two classes among the labels and predictions of `among` (the labelled events of the whole
 * answer: every segment, the whole range), so that a segment or a bucket holding one class ("no") keeps the answer's
 * positive class ("yes"): the metrics' own default, the one class present, measured the negative class's precision and
 * recall there, and read the scores, P(positive), as P("no") in the log loss. Undefined otherwise (the metrics decide).
 */
export function positiveClass(m: ModelRecord, v: VersionContext, among: readonly LabelledOutcome[]): string | undefined {
  if (m.outputKind !== 'binary') return undefined;
  const known = v.reference?.profile.positiveClass ?? declaredPositive(m);
  if (known !== undefined || m.classes?.length) return known;
  const c = new ClassCollector();
  for (const l of among) {
    c.add(l.label);
    if (l.event.prediction !== null) c.add(l.event.prediction);
    if (c.original.size > 2) return undefined; // not a binary answer: the metrics refuse it
  }
  const { labels } = c.sorted();
  return labels.length === 2 ? String(labels[1]) : undefined;
}

/**
 * Realized metrics of labelled events (`resamples` bootstrap draws for the CIs; 0 for point values only; `only`: these
 * metrics), with the reason when the metrics refused them (instead of a bare null). `positive`: a
 * binary model's positive class (default positiveClass of these events: pass the answer's for a part of it).
 */
export function realizedWithNote(m: ModelRecord, v: VersionContext, labelled: readonly LabelledOutcome[], seed: number, resamples = 200, only?: readonly string[], positive = positiveClass(m, v, labelled)): { realized: MetricsResult | null; realizedNote?: string } {
  if (labelled.length === 0) return { realized: null };
  const input: MetricsInput = { task: m.outputKind, labels: [], seed, resamples, ...(only && { only }) };
  let unscored = { none: 0, other: 0 };
  if (m.outputKind === 'regression') {
    input.labels = labelled.map((l) => toNumber(l.label));
    input.predictions = labelled.map((l) => toNumber(l.event.prediction));
  } else {
    const n = labelled.length;
    const labels = new Array<string>(n);
    const predictions = new Array<string | null>(n);
    // Scores only where a metric uses them (rocAuc, logLoss) and every event has one.
    const scored = !only || only.includes('rocAuc') || only.includes('logLoss');
    let scores: number[] | null = m.outputKind === 'binary' && scored ? new Array<number>(n) : null;
    // An event's `scores` stand for its `score` (the positive class's entry) when it has none.
    const positiveIndex = classIndex(m, positive);
    for (let i = 0; i < n; i++) {
      const l = labelled[i] as LabelledOutcome;
      labels[i] = l.label;
      predictions[i] = l.event.prediction;
      if (scores) {
        const s = binaryScore(l.event.score, l.event.scores, positiveIndex);
        if (s === null) scores = null;
        else scores[i] = s;
      }
    }
    if (scored) unscored = unscoredCount(m, labelled, positiveIndex);
    input.labels = labels;
    input.predictions = predictions;
    if (scores) input.scores = scores;
    if (m.outputKind === 'multiclass' && (!only || only.includes('rocAuc') || only.includes('logLoss'))) {
      const matrix = scoreMatrix(m, labelled);
      if (matrix) input.scoreMatrix = matrix;
    }
    // The reference's positive class, else the larger declared class, else the answer's (positiveClass): never the one
    // class a segment or a bucket happens to hold (metrics' default), which measured the negative class there.
    if (m.outputKind === 'binary' && positive !== undefined) input.positiveLabel = positive;
  }
  try {
    const result = computeMetrics(input);
    if (unscored.none + unscored.other > 0) {
      // The metrics only see that scores are absent: say which events lack them (none, or those of fewer classes), and how many.
      const k0 = m.classes?.length ?? 0;
      const why = [
        ...(unscored.none > 0 ? [`${unscored.none} of ${labelled.length} have none`] : []),
        ...(unscored.other > 0 ? [`${unscored.other} of ${labelled.length} have scores of another number of classes than the model's ${k0} (sent before classes were appended)`] : []),
      ].join('; ');
      for (const k of ['rocAuc', 'logLoss']) {
        const mv = result.metrics[k];
        if (mv?.value === null) mv.note = `${k} needs a score for every labelled event: ${why}`;
      }
    }
    return { realized: result };
  } catch (e) {
    return { realized: null, realizedNote: `realized metrics could not be computed from the labelled events: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * A multiclass model's per-class scores as a score matrix (rocAuc one-vs-rest, logLoss): events carry them in the order
 * of the model's declared classes; null when the model declares no classes or an event has no scores (as binary
 * metrics without a score for every event).
 */
function scoreMatrix(m: ModelRecord, labelled: readonly LabelledOutcome[]): MetricsInput['scoreMatrix'] | null {
  const classes = m.classes ?? [];
  if (classes.length < 2) return null;
  const columns = classes.map(() => new Float64Array(labelled.length));
  for (let i = 0; i < labelled.length; i++) {
    const s = (labelled[i] as LabelledOutcome).event.scores;
    if (s?.length !== classes.length) return null;
    for (let j = 0; j < s.length; j++) (columns[j] as Float64Array)[i] = s[j] as number;
  }
  return { classes: [...classes], columns };
}

/**
 * Labelled events without the scores rocAuc and logLoss need (binary: a score; multiclass: one per declared class), which
 * leave those metrics null for the whole range; 0 for a multiclass model without declared classes (no scores expected).
 */
function unscoredCount(m: ModelRecord, labelled: readonly LabelledOutcome[], positiveIndex: number | undefined): { none: number; other: number } {
  const k = m.classes?.length ?? 0;
  const count = { none: 0, other: 0 };
  if (m.outputKind === 'multiclass' && k < 2) return count;
  for (const l of labelled) {
    if (m.outputKind === 'binary') {
      if (binaryScore(l.event.score, l.event.scores, positiveIndex) === null) count.none++;
    } else if (!l.event.scores) count.none++;
    else if (l.event.scores.length !== k) count.other++;
  }
  return count;
}

/** The index of a binary model's positive class among its two declared classes (for events' `scores`), if any. */
export function classIndex(m: ModelRecord, positive: string | undefined): number | undefined {
  const i = m.outputKind === 'binary' && m.classes?.length === 2 && positive !== undefined ? m.classes.indexOf(positive) : -1;
  return i >= 0 ? i : undefined;
}

/** A binary model's positive class from its two declared classes: the larger in np.unique order (metrics' default over both). */
export function declaredPositive(m: ModelRecord): string | undefined {
  if (m.classes?.length !== 2) return undefined;
  const c = new ClassCollector();
  for (const k of m.classes) c.add(k);
  const { labels } = c.sorted();
  return labels.length === 2 ? String(labels[1]) : undefined;
}

function toNumber(s: string | null): number | null {
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
