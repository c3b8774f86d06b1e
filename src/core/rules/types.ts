/** Shared vocabulary of monitor rules (pure). */

export type Severity = 'warning' | 'ticket' | 'page' | 'critical';
export const SEVERITIES: readonly Severity[] = ['warning', 'ticket', 'page', 'critical'];

export type Status = 'ok' | 'insufficient_data' | Severity;

/** Which side of the threshold is bad: 'above' (drift, latency, error rate) or 'below' (accuracy, throughput). */
export type Direction = 'above' | 'below';

export type RuleKind = 'threshold' | 'baseline' | 'rolling' | 'ewma' | 'cusum';
export const RULE_KINDS: readonly RuleKind[] = ['threshold', 'baseline', 'rolling', 'ewma', 'cusum'];

/** One severity level: crossed when the compared quantity passes `threshold` on the bad side. */
export interface Level {
  severity: Severity;
  threshold: number;
  /** Action to run when this level fires (ids of src/alerting/actions). */
  action?: string;
}

export interface Verdict {
  status: Status;
  /** The observed metric value (null when it could not be computed). */
  value: number | null;
  /** What the value was compared against (reference, rolling mean, control-chart centre); null for plain thresholds. */
  baseline: number | null;
  /** The threshold of the highest crossed level, else of the lowest level (in the compared quantity's units). */
  threshold: number | null;
  /** The compared quantity: the value (threshold), the change vs baseline, or the control statistic (EWMA, CUSUM). */
  compared: number | null;
  /** Change vs baseline (absolute or relative, as configured); null without a baseline. */
  change: number | null;
  samples: number;
  /** The level that fired (highest severity crossed). */
  level?: Level;
  note?: string;
}

export function severityRank(s: Status): number {
  switch (s) {
    case 'critical': return 4;
    case 'page': return 3;
    case 'ticket': return 2;
    case 'warning': return 1;
    default: return 0;
  }
}
