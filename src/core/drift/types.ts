import type { ChiSquareResult } from '../stats/chi2.js';

export type FeatureKind = 'numerical' | 'categorical';

/** A numerical column with missing values removed and the rest sorted ascending. */
export interface NumericalSample {
  kind: 'numerical';
  sorted: Float64Array;
  /** Rows in the dataset (missing included). */
  rows: number;
  /** Missing values: null, empty, NaN, +-Infinity, and values of the wrong type (counted in typeMismatch too). */
  missing: number;
  /** Values that could not be read as a number (for example "abc" in a numeric column). */
  typeMismatch: number;
}

/** A categorical column as counts per category (missing values excluded). */
export interface CategoricalSample {
  kind: 'categorical';
  counts: ReadonlyMap<string, number>;
  rows: number;
  missing: number;
  typeMismatch: number;
}

export type FeatureSample = NumericalSample | CategoricalSample;

export interface NumericalStats {
  ks: { statistic: number; pValue: number; method: 'exact' | 'asymp' | 'sketch'; errorBound?: number };
  wasserstein: number;
  /** Wasserstein distance divided by the reference standard deviation (ddof = 0); null when that is 0. */
  wassersteinNormalized: number | null;
  psi: number;
  jensenShannon: number;
  hellinger: number;
  /** Inner bin edges used for PSI / Jensen-Shannon / Hellinger (reference deciles, duplicates merged). */
  binEdges: number[];
  /**
   * Over stored summaries only: 'sketch' when a side's bin counts were not kept on these edges (windows summarised
   * before the reference was uploaded or replaced) and its bin shares were read from its KLL sketch, so PSI,
   * Jensen-Shannon and Hellinger are approximate (absent when they are exact, as the CLI's).
   */
  binShares?: 'sketch';
}

export interface CategoricalStats {
  chiSquare: ChiSquareResult;
  psi: number;
  jensenShannon: number;
  hellinger: number;
  newCategories: string[];
  /**
   * Over stored summaries only: counts in each side's bucket of the categories beyond the cap of 200 per summary,
   * taken as one more bin by every statistic (so not the CLI's values); absent when no side has one.
   */
  other?: { reference: number; current: number };
}

export interface FeatureQuality {
  /** Share of rows missing in each dataset (0..1). */
  missingReference: number;
  missingCurrent: number;
  /** Share of non-missing current values outside the reference [min, max] (numerical only, else 0). */
  outOfRange: number;
  /** Current values whose type does not match the reference column (count). */
  typeMismatch: number;
  constantReference: boolean;
  constantCurrent: boolean;
}

export type DriftStats = Partial<NumericalStats> & Partial<CategoricalStats> & { quality: FeatureQuality };

export interface FeatureDrift {
  name: string;
  kind: FeatureKind;
  method: string;
  threshold: number;
  autoSelected: boolean;
  /** The chosen method's score (p-value or distance); null when it cannot be computed. */
  score: number | null;
  drifted: boolean;
  stats: DriftStats;
  /** Why the score is missing or unusual (e.g. "no non-missing values in current"). */
  note?: string;
}

export interface DatasetDrift {
  share: number;
  drifted: boolean;
  threshold: number;
  driftedFeatures: number;
  features: number;
}

export interface DriftReport {
  features: FeatureDrift[];
  datasetDrift: DatasetDrift;
}
