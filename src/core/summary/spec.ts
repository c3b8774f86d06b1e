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
  /**
   * A binary model that declares its two classes: the index in an event's `scores` (one per declared class, in their
   * order) of the positive class, whose probability stands for the event's `score` when it sends none (binaryScore).
   */
  scoreIndex?: number;
  /** Isotonic calibration of the score from the reference (binary CBPE). */
  calibration?: Calibration;
  /** Multiclass CBPE: the model's declared classes and one one-vs-rest isotonic calibration per class, in that order. */
  classes?: readonly string[];
  classCalibrations?: readonly Calibration[];
  categoryCap?: number;
}

/**
 * A binary event's score, P(positive class): its `score`, else, for a model whose positive class has an index in the
 * declared classes (SummarySpec.scoreIndex), that class's entry of its `scores` (sklearn's predict_proba row, as an
 * upstream answers it); null without either.
 */
export function binaryScore(score: number | null, scores: readonly number[] | null | undefined, scoreIndex: number | undefined): number | null {
  if (score !== null) return score;
  if (scoreIndex === undefined || scores?.length !== 2) return null;
  return scores[scoreIndex] ?? null;
}
