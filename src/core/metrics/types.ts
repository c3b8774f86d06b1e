/** Public types of the metrics module (names are part of the JSON output). */
export type Task = 'binary' | 'multiclass' | 'regression';
export type Label = string | number;

export interface MetricValue {
  /** Point estimate; null when the metric is undefined for this data (see `note`). */
  value: number | null;
  /** 95% confidence interval; null when it cannot be computed (see `note`). */
  ci: [number, number] | null;
  ciMethod?: 'wilson' | 'bootstrap';
  /** Number of bootstrap resamples actually drawn (bootstrap CIs only). */
  resamples?: number;
  /** Why the value or CI is null, or how the CI was reduced for large inputs. */
  note?: string;
}

export interface MetricsResult {
  task: Task;
  /** Rows used (after excluding rows with a missing label, prediction or score). */
  n: number;
  /** Rows excluded because of a missing value. */
  missing: number;
  /**
   * Classification only. Multiclass: sorted like np.unique (numbers numerically, strings
   * lexicographically), union of labels and predictions (sklearn's unique_labels).
   * Binary: [negative, positive] (just [positive] when no negative class was observed).
   */
  classes?: Label[];
  positiveLabel?: Label;
  /** Rows = actual, columns = predicted, both in `classes` order (binary: [[tn, fp], [fn, tp]]). */
  confusionMatrix?: number[][];
  metrics: Record<string, MetricValue>;
}

export interface MetricsInput {
  task: Task;
  /** y_true (numbers for regression). */
  labels: ReadonlyArray<Label | null>;
  /** y_pred: classification labels or regression values. */
  predictions?: ReadonlyArray<Label | null>;
  /** Binary: probability of the positive class (NaN = missing). */
  scores?: ArrayLike<number>;
  /** Multiclass: per-class probabilities, one column per class. */
  scoreMatrix?: { classes: Label[]; columns: ArrayLike<number>[] };
  /** Binary; default: the larger of the two labels in np.unique order. */
  positiveLabel?: Label;
  /** Binary: when predictions are absent, predicted = score >= threshold (default 0.5). */
  threshold?: number;
  /** Bootstrap seed (default 0). */
  seed?: number;
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /**
   * Only these metrics (names of the task's metric list); default all. Binary skips the bootstraps nobody
   * asked for (f1's count bootstrap; rocAuc and logLoss's row bootstrap): a dashboard asking for accuracy
   * per bucket pays for Wilson intervals only. Values and CIs of the metrics kept are unchanged.
   */
  only?: readonly string[];
}

/** Invalid input (the CLI maps it to exit code 2). */
export class MetricsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsInputError';
  }
}

/** A metric that is undefined for this data. */
export function undefinedMetric(note: string): MetricValue {
  return { value: null, ci: null, note };
}
