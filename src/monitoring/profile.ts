import type { Calibration } from '../core/summary/calibration.js';
import type { MetricsResult } from '../core/metrics/index.js';
import type { StoredLabels } from '../core/summary/label-summary.js';

/** The options a reference file was read with (the upload's query, lookout.yaml's reference), scores as a list. */
export interface ReferenceOptions {
  label?: string;
  prediction?: string;
  score?: string;
  positiveClass?: string;
  scores?: string[];
  /** The CSV file's decimal separator, when a comma (its numbers written 1,5). */
  decimal?: ',';
}

/** The reference of a model version, stored in VersionRecord.reference. */
export interface ReferenceProfile {
  /** A file's (with the options it was read with, when any) or a time range's. */
  source: { file?: string; options?: ReferenceOptions; from?: number; to?: number; version?: string };
  rows: number;
  /** Reference-decile inner edges per numerical feature ("__prediction" and "__score" included). */
  edges: Record<string, number[]>;
  /** The reference as a window summary (base64 of WindowSummary.toBytes()). */
  summary: string;
  positiveClass?: string;
  calibration?: Calibration;
  /** Multiclass CBPE: one one-vs-rest calibration per class of `classes` (the model's declared classes at upload). */
  classCalibrations?: { classes: string[]; fits: Calibration[] };
  metrics?: MetricsResult;
  /**
   * The distribution of the reference's labels (label drift: /performance's labelDrift, the labelDrift monitor metric),
   * when it has labels: a regression model's as a numeric summary on the labels' own decile edges, a classifier's as
   * class counts. Absent in references stored before it existed: the server gives them it at its next start from the
   * file they were built from, when that file is still there and unchanged (reference-labels-upgrade.ts); else upload
   * the reference again to get label drift.
   */
  labels?: StoredLabels;
  createdAt: number;
}

export function isReferenceProfile(x: unknown): x is ReferenceProfile {
  return typeof x === 'object' && x !== null && typeof (x as ReferenceProfile).summary === 'string' && typeof (x as ReferenceProfile).edges === 'object';
}
