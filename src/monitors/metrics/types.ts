import type { WindowSummary } from '../../core/summary/window.js';
import type { Direction } from '../../core/rules/types.js';
import type { VersionContext } from '../../monitoring/catalog.js';
import type { EventsRetention } from '../../monitoring/performance.js';
import type { LabelledOutcome, ModelRecord } from '../../storage/types.js';

/** What a metric is computed from for one monitor window. */
export interface MetricContext {
  v: VersionContext;
  model: ModelRecord;
  /** The merged summary of the window (and segment). */
  summary: WindowSummary;
  /** The seconds the summary covers: the window's, or more where it reads whole minutes or hours (effectiveRange). */
  seconds: number;
  from: number;
  to: number;
  now: number;
  /** The range the summary covers (SummaryReader.effectiveRange): the window, or wider where it reads whole minutes or hours. */
  covered: { from: number; to: number };
  /** Labelled events with event time in the window (and segment); loaded on first use, shared per tick. */
  labelled: () => Promise<readonly LabelledOutcome[]>;
  /**
   * Labelled events of the range the summary covers (`covered`, and segment), with the read's rate (1, or a sample's
   * over server.maxLabelledEvents): the numerator of labelCoverage over the summary's predictions, as GET /performance.
   */
  coveredLabelled: () => Promise<{ events: readonly LabelledOutcome[]; rate: number }>;
  /** retention.eventsDays (undefined: events are kept, or not known to the evaluator). */
  retention: EventsRetention | undefined;
  /**
   * A binary model's positive class for labelled metrics, the same in every window (EvalCache.positiveClass): never
   * the one class a window happens to hold. Undefined for other models (the metrics decide).
   */
  positiveClass: () => Promise<string | undefined>;
  /** Milliseconds since the newest event (null when none in the look-back). */
  freshness: () => Promise<{ ms: number; events: number }>;
}

export interface MetricArgs {
  feature?: string;
  method?: string;
  threshold?: number;
  class?: string;
}

export interface MetricValue {
  value: number | null;
  /** What the minimum-sample guard counts (events, labelled events, feature values...). */
  samples: number;
  detail?: Record<string, unknown>;
}

/** A monitorable metric, registered under a stable id. */
export interface MonitorMetric {
  id: string;
  description: string;
  /** Which side is bad by default. */
  direction: (args: MetricArgs) => Direction;
  feature: 'required' | 'optional' | 'none';
  /** 'summary': from window summaries only (cheap); 'labels': needs labelled events; 'store': other reads. */
  source: 'summary' | 'labels' | 'store';
  /** A sensible default minimum sample count. */
  defaultMinSamples: number;
  value(ctx: MetricContext, args: MetricArgs): MetricValue | Promise<MetricValue>;
  /** The value on the version's reference (for 'baseline' monitors); null when the reference lacks it. */
  reference(v: VersionContext, model: ModelRecord, args: MetricArgs): number | null;
}
