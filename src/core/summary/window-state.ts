import { DDSketch } from '@datadog/sketches-js';
import { seededRandom } from '../random/rng.js';
import { CategoricalSummary, type CategoricalSummaryState } from './categorical.js';
import type { CbpeState } from './cbpe.js';
import { fnv1a } from './hash.js';
import type { LazyMap } from './lazy-map.js';
import { NumericSummary, type NumericSummaryState } from './numeric.js';
import type { BlobRef } from './summary-format.js';

/*
 * The stored form of a window summary (window.ts): the state its bytes hold, how each feature's part is written and
 * read back, and the latency quantiles written beside the sketch.
 */

export type FeatureSummary = NumericSummary | CategoricalSummary;

/** The state in a stored summary: format 1 (all JSON, base64 sketches) or 2 (summary-format.ts). */
export interface WindowState {
  v: 1 | 2;
  events: number;
  errors: number;
  rejected?: number;
  rejectedByCode?: Record<string, number>;
  costSum: number;
  costCount: number;
  latencyCount: number;
  latencySum: number;
  latencyMax: number | null;
  latency: BlobRef;
  /** p50, p95, p99 of the latency sketch when written (format 2): a latency chart reads them without the sketch. */
  latencyQ?: [number, number, number];
  features: Record<string, FeatureState>;
  prediction: FeatureState;
  score: BlobRef | NumericSummaryState;
  cbpe: CbpeState;
}

/** Latency quantiles written with each summary (the dashboards' p50, p95, p99). */
export const STORED_QUANTILES = [0.5, 0.95, 0.99];
/**
 * Sketches larger than this are stored without quantiles (read as before, by decoding): decoding a DDSketch is
 * quadratic in its bins (@datadog/sketches-js shifts its dense store per bin), ~0.9 s for one spanning 1e-3 to
 * 1e300 ms (280 KB), which the fuzz test sends. Real latencies (1 us to a day: ~1,300 bins) stay far below.
 */
export const MAX_QUANTILE_PROTO = 32 * 1024;

/**
 * The stored quantiles, from the sketch as it will be read back: the protobuf round trip changes quantiles in the
 * last digits, and a reader must get the same value from them as from the decoded sketch.
 */
export function storedQuantiles(proto: Uint8Array, max: number): [number, number, number] {
  const d = DDSketch.fromProto(proto);
  return STORED_QUANTILES.map((q) => Math.min(d.getValueAtQuantile(q), max)) as [number, number, number];
}

/** Serialised parts common to a summary's full form and its head (see WindowSummary.toStored). */
export interface Shared {
  latency: Uint8Array;
  latencyQ: [number, number, number] | null;
  prediction: Uint8Array | CategoricalSummaryState;
  score: Uint8Array;
}

/** A feature's part of the stored state: numeric ones as binary sections (format 2) or JSON states (format 1). */
export type FeatureState = { n: BlobRef | NumericSummaryState } | { c: CategoricalSummaryState };

export function stateOf(s: FeatureSummary, blob: (bytes: Uint8Array) => BlobRef): FeatureState {
  return s instanceof NumericSummary ? { n: blob(s.toBytes()) } : { c: s.toState() };
}

/** What every lazily read feature of a summary decodes from: the summary's sections and its seed. */
export interface FeatureContext { blob: (ref: BlobRef) => Uint8Array; seed: number }

/** Features read lazily: each decoded from its stored state and the summary's sections. */
export type LazyFeatures = LazyMap<string, FeatureSummary, FeatureState, FeatureContext>;

export function decodeFeature(c: FeatureContext, name: string, st: FeatureState): FeatureSummary {
  return fromState(st, featureRandom(name, c.seed), c.blob);
}

/** The random source of a feature's sketch in a summary of this seed (decoded ones get the same as built ones). */
export function featureRandom(name: string, seed: number): ReturnType<typeof seededRandom> {
  return seededRandom(fnv1a(name) ^ seed);
}

export function fromState(st: FeatureState, random: ReturnType<typeof seededRandom>, blob: (ref: BlobRef) => Uint8Array): FeatureSummary {
  return 'n' in st ? numericFrom(st.n, random, blob) : CategoricalSummary.fromState(st.c);
}

export function numericFrom(st: BlobRef | NumericSummaryState, random: ReturnType<typeof seededRandom>, blob: (ref: BlobRef) => Uint8Array): NumericSummary {
  return isRef(st) ? NumericSummary.fromBytes(blob(st), random) : NumericSummary.fromState(st, random);
}

export function isRef(x: BlobRef | NumericSummaryState): x is BlobRef {
  return typeof x === 'string' || Array.isArray(x);
}
