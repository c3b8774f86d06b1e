import type { FeatureSpec } from '../../models/features.js';
import type { Calibration } from './calibration.js';

/** What a window summary of one model version tracks (fixed per version: its reference sets the bins). */
export interface SummarySpec {
  outputKind: 'binary' | 'multiclass' | 'regression';
  features: readonly FeatureSpec[];
  /** Reference-decile inner edges per numerical feature (and for the prediction/score under "__prediction"/"__score"). */
  edges: Readonly<Record<string, readonly number[]>>;
  /** Positive class of a binary model (for CBPE). */
  positiveClass?: string;
  /** Isotonic calibration of the score from the reference (binary CBPE). */
  calibration?: Calibration;
  /** Multiclass CBPE: the model's declared classes and one one-vs-rest isotonic calibration per class, in that order. */
  classes?: readonly string[];
  classCalibrations?: readonly Calibration[];
  categoryCap?: number;
}
