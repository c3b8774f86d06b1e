import { DDSketch } from '@datadog/sketches-js';
import { CategoricalSummary } from './categorical.js';
import { addCbpe, addCbpeMulticlass, emptyCbpe, mergeCbpe, type CbpeState } from './cbpe.js';
import { calibrate, calibrateClasses } from './calibration.js';
import { LazyMap } from './lazy-map.js';
import { NumericSummary } from './numeric.js';
import { decodeSummary, encodeSummary } from './summary-format.js';
import { binaryScore, type SummarySpec } from './spec.js';
import {
  decodeFeature, featureRandom, fromState, isRef, MAX_QUANTILE_PROTO, numericFrom, stateOf, STORED_QUANTILES, storedQuantiles,
  type FeatureSummary, type LazyFeatures, type Shared, type WindowState,
} from './window-state.js';

export type { FeatureSummary } from './window-state.js';

/** The part of an event a summary needs. */
export interface SummarisedEvent {
  features: Readonly<Record<string, unknown>>;
  /** Null for a failed inference: counted in events, errors and latency, not in the prediction or score distributions. */
  prediction: string | number | null;
  score: number | null;
  /**
   * Per-class scores (the model's declared class order): a multiclass event's for CBPE; a binary event's stand for its
   * `score` when it has none (binaryScore). Absent or null without.
   */
  scores?: readonly number[] | null;
  latencyMs: number | null;
  error: string | null;
  costUsd: number | null;
}

/** Relative accuracy of the latency sketch: quantiles within 1% of the true value. */
export const LATENCY_RELATIVE_ACCURACY = 0.01;

/**
 * Mergeable summary of one (model, version, segment, window): per-feature summaries, the prediction and
 * score distributions, latency (DDSketch), errors, cost and CBPE accumulators. `seed` makes every sketch
 * deterministic (derive it from the window key).
 */
export class WindowSummary {
  events = 0;
  errors = 0;
  /** Rows rejected by validation for this model version (data-quality events). */
  rejected = 0;
  rejectedByCode: Record<string, number> = {};
  costSum = 0;
  costCount = 0;
  latencyCount = 0;
  latencySum = 0;
  latencyMax = -Infinity;
  /** Per feature; a LazyMap when read with `fromBytes(..., lazy)`. */
  readonly features: Map<string, FeatureSummary>;
  cbpe: CbpeState = emptyCbpe();
  // The sketches below are decoded on first use when read lazily (see fromBytes).
  private latencyPart: Part<DDSketch> = newLatencySketch;
  /** STORED_QUANTILES of the latency sketch as read (fromBytes); dropped by any change to the sketch. */
  private storedQ: [number, number, number] | null = null;
  /**
   * Latency sketches merged in by mergeTransient() while still undecoded (their decoders), merged into the sketch, in
   * order, when it is first used: a drift query merges dozens of windows and never looks at latency.
   */
  private latencyMerges: Array<() => DDSketch> | null = null;
  /** The stored latency sketch's bytes while it is undecoded (lazy fromBytes), for mergeTransient to copy. */
  private latencyProto: (() => Uint8Array) | null = null;
  private predictionPart!: Part<FeatureSummary>;
  private scorePart!: Part<NumericSummary>;

  /** `features` (fromBytes only): the caller sets every summary, so none is built here. */
  constructor(readonly spec: SummarySpec, readonly seed: number, features?: Map<string, FeatureSummary>) {
    this.features = features ?? new Map();
    if (features) return;
    for (const f of spec.features) {
      this.features.set(f.name, f.kind === 'numerical' ? this.numeric(f.name) : new CategoricalSummary(spec.categoryCap));
    }
    this.prediction = spec.outputKind === 'regression' ? this.numeric('__prediction') : new CategoricalSummary(spec.categoryCap);
    this.score = this.numeric('__score');
  }

  get latency(): DDSketch {
    let s: DDSketch;
    if (typeof this.latencyPart === 'function') {
      s = this.latencyPart = this.latencyPart();
      this.latencyProto = null;
    } else s = this.latencyPart;
    if (this.latencyMerges !== null) {
      // All decoded before any is merged: a corrupt one fails every use, never leaves a partly merged sketch behind.
      const decoded = this.latencyMerges.map((decode) => decode());
      this.latencyMerges = null;
      for (const d of decoded) s.merge(d);
    }
    return s;
  }

  set latency(s: DDSketch) {
    this.latencyPart = s;
    this.latencyMerges = null;
    this.latencyProto = null;
    this.storedQ = null;
  }

  get prediction(): FeatureSummary {
    return typeof this.predictionPart === 'function' ? (this.predictionPart = this.predictionPart()) : this.predictionPart;
  }

  set prediction(s: FeatureSummary) {
    this.predictionPart = s;
  }

  get score(): NumericSummary {
    return typeof this.scorePart === 'function' ? (this.scorePart = this.scorePart()) : this.scorePart;
  }

  set score(s: NumericSummary) {
    this.scorePart = s;
  }

  private numeric(name: string): NumericSummary {
    return new NumericSummary(featureRandom(name, this.seed), this.spec.edges[name] ?? null);
  }

  add(e: SummarisedEvent): void {
    this.events++;
    if (e.error !== null) this.errors++;
    if (e.costUsd !== null) {
      this.costSum += e.costUsd;
      this.costCount++;
    }
    if (e.latencyMs !== null) {
      this.latencyCount++;
      this.latencySum += e.latencyMs;
      if (e.latencyMs > this.latencyMax) this.latencyMax = e.latencyMs;
      this.latency.accept(e.latencyMs);
      this.storedQ = null;
    }
    for (const [name, s] of this.features) s.add(e.features[name]);
    if (e.prediction === null) return;
    const p = this.prediction;
    if (p instanceof CategoricalSummary) p.addClass(e.prediction);
    else p.add(e.prediction);
    const score = this.spec.outputKind === 'binary' ? binaryScore(e.score, e.scores, this.spec.scoreIndex) : e.score;
    if (score !== null) {
      this.score.add(score);
      if (this.spec.outputKind === 'binary' && this.spec.calibration && this.spec.positiveClass !== undefined) {
        addCbpe(this.cbpe, calibrate(this.spec.calibration, score), String(e.prediction) === this.spec.positiveClass);
      }
    }
    this.addMulticlassCbpe(e);
  }

  private addMulticlassCbpe(e: SummarisedEvent): void {
    const { classes, classCalibrations } = this.spec;
    if (!classes || !classCalibrations || !e.scores) return;
    const predicted = classes.indexOf(String(e.prediction));
    const probs = predicted >= 0 ? calibrateClasses(classCalibrations, e.scores) : null;
    if (probs) addCbpeMulticlass(this.cbpe, probs, predicted);
  }

  /** Counts a row rejected by validation. */
  addReject(code: string): void {
    this.rejected++;
    this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
  }

  merge(o: WindowSummary): void {
    this.mergeFrom(o, true);
  }

  /**
   * merge(o), with o's lazily read parts decoded for this merge only, not kept in o. A range query merges each of
   * dozens of windows once: their decoded sketches (most of what it allocates, ~15 MB for a 24 h range of 50 features)
   * then die young instead of staying alive with the cached windows until a scavenge copies them (10-18 ms pauses,
   * the tail of cold queries). o's latency sketch, if undecoded, is merged only when this summary's is first used.
   * Same result, bit for bit; o stays as it was.
   */
  mergeTransient(o: WindowSummary): void {
    this.mergeFrom(o, false);
  }

  private mergeFrom(o: WindowSummary, keep: boolean): void {
    const peek = <T>(p: Part<T>): T => (typeof p === 'function' ? (p as () => T)() : p);
    this.events += o.events;
    this.errors += o.errors;
    this.rejected += o.rejected;
    for (const [k, c] of Object.entries(o.rejectedByCode)) this.rejectedByCode[k] = (this.rejectedByCode[k] ?? 0) + c;
    this.costSum += o.costSum;
    this.costCount += o.costCount;
    this.latencyCount += o.latencyCount;
    this.latencySum += o.latencySum;
    if (o.latencyMax > this.latencyMax) this.latencyMax = o.latencyMax;
    if (o.latencyCount > 0) {
      // An undecoded sketch (read lazily) is merged when this one is first used, from a copy of its few KB of bytes (not
      // the whole window's buffer, which a cached merged range would otherwise keep alive); others now.
      if (!keep && o.latencyProto !== null && o.latencyMerges === null) {
        const proto = o.latencyProto().slice();
        (this.latencyMerges ??= []).push(() => DDSketch.fromProto(proto));
      } else this.latency.merge(o.latency);
      this.storedQ = null;
    }
    if (keep || !(o.features instanceof LazyMap)) for (const [name, s] of o.features) this.mergeFeature(name, s);
    else {
      const lazy = o.features as LazyFeatures;
      const stored = lazy.context; // peek() keeps values pending, so this holds for the whole walk
      for (const name of lazy.keys()) {
        const st = lazy.sourceOf(name);
        // A numeric summary still in its stored bytes is merged from them: no objects built for it (see mergeBytes).
        if (st !== undefined && stored !== null && 'n' in st && isRef(st.n)) {
          const mine = this.featureLike(name, 'n');
          if (mine instanceof NumericSummary) mine.mergeBytes(stored.blob(st.n));
        } else this.mergeFeature(name, lazy.peek(name) as FeatureSummary);
      }
    }
    mergeAny(this.prediction, keep ? o.prediction : peek(o.predictionPart));
    this.score.merge(keep ? o.score : peek(o.scorePart));
    mergeCbpe(this.cbpe, o.cbpe);
  }

  private mergeFeature(name: string, s: FeatureSummary): void {
    mergeAny(this.featureLike(name, s instanceof NumericSummary ? 'n' : s.cap), s);
  }

  /** This summary's `name`; when it has none, a new empty one of the kind given ('n': numeric, else a category cap). */
  private featureLike(name: string, kind: 'n' | number): FeatureSummary {
    let mine = this.features.get(name);
    if (!mine) {
      // Never alias the other summary's objects: start from an empty one of the same kind.
      mine = kind === 'n' ? this.numeric(name) : new CategoricalSummary(kind);
      this.features.set(name, mine);
    }
    return mine;
  }

  /** Latency quantile (ms), within LATENCY_RELATIVE_ACCURACY relative error; null without latencies. */
  latencyQuantile(q: number): number | null {
    if (this.latencyCount === 0) return null;
    const i = STORED_QUANTILES.indexOf(q);
    if (i >= 0 && this.storedQ) return this.storedQ[i] as number;
    return Math.min(this.latency.getValueAtQuantile(q), this.latencyMax);
  }

  /** The stored form (summary-format.ts, format 2). */
  toBytes(): Uint8Array {
    return this.encode(this.shared(), true);
  }

  /**
   * The summary without its per-feature parts (counters, latency, cost, prediction, score, CBPE): a few KB where
   * toBytes() is ~60 KB for 50 features. fromBytes() reads it back as a summary with no features, so it serves
   * only what does not look at features (see timeseries.ts, HEAD_METRICS).
   */
  headBytes(): Uint8Array {
    return this.encode(this.shared(), false);
  }

  /** toBytes() and headBytes() at once (a checkpoint writes both): their common parts are serialised once. */
  toStored(): { data: Uint8Array; head: Uint8Array } {
    const shared = this.shared();
    return { data: this.encode(shared, true), head: this.encode(shared, false) };
  }

  /** The serialised parts that the full form and the head both hold. */
  private shared(): Shared {
    const latency = this.latency.toProto();
    const p = this.prediction;
    return {
      latency,
      latencyQ: this.latencyCount > 0 && latency.length <= MAX_QUANTILE_PROTO ? storedQuantiles(latency, this.latencyMax) : null,
      prediction: p instanceof NumericSummary ? p.toBytes() : p.toState(),
      score: this.score.toBytes(),
    };
  }

  private encode(sh: Shared, withFeatures: boolean): Uint8Array {
    return encodeSummary((blob): WindowState => ({
      v: 2, events: this.events, errors: this.errors, rejected: this.rejected, rejectedByCode: this.rejectedByCode, costSum: this.costSum, costCount: this.costCount,
      latencyCount: this.latencyCount, latencySum: this.latencySum, latencyMax: this.latencyCount ? this.latencyMax : null,
      latency: blob(sh.latency),
      ...(sh.latencyQ && { latencyQ: sh.latencyQ }),
      features: withFeatures ? Object.fromEntries([...this.features].map(([k, s]) => [k, stateOf(s, blob)])) : {},
      prediction: sh.prediction instanceof Uint8Array ? { n: blob(sh.prediction) } : { c: sh.prediction }, score: blob(sh.score), cbpe: { ...this.cbpe, ...(this.cbpe.cells && { cells: [...this.cbpe.cells] }) },
    }));
  }

  /**
   * Reads toBytes()/headBytes() back. With `lazy`, the sketches (latency, each feature, prediction, score) are
   * decoded when first used, so a query that looks at one of them does not pay for the rest; a corrupt sketch then
   * throws at that use instead of here. Counters are read at once either way.
   */
  static fromBytes(bytes: Uint8Array, spec: SummarySpec, seed: number, lazy = false): WindowSummary {
    const { state: s, blob } = decodeSummary<WindowState>(bytes);
    if (s.v !== 1 && s.v !== 2) throw new Error(`unsupported summary version ${String(s.v)}`);
    // (A head has no features: a plain map, which holds on to nothing.)
    const lazyFeatures = lazy && Object.keys(s.features).length > 0;
    const w = new WindowSummary(spec, seed, lazyFeatures ? new LazyMap({ blob, seed }, decodeFeature) as LazyFeatures : new Map());
    w.events = s.events;
    w.errors = s.errors;
    w.rejected = s.rejected ?? 0;
    w.rejectedByCode = { ...(s.rejectedByCode ?? {}) };
    w.costSum = s.costSum;
    w.costCount = s.costCount;
    w.latencyCount = s.latencyCount;
    w.latencySum = s.latencySum;
    w.latencyMax = s.latencyMax ?? -Infinity;
    const part = <T>(decode: () => T): Part<T> => (lazy ? decode : decode());
    if (s.latencyCount > 0) w.latencyPart = part(() => DDSketch.fromProto(blob(s.latency)));
    if (s.latencyCount > 0 && lazy) w.latencyProto = () => blob(s.latency);
    if (s.latencyCount > 0 && Array.isArray(s.latencyQ) && s.latencyQ.length === 3 && s.latencyQ.every((x) => typeof x === 'number')) w.storedQ = s.latencyQ;
    for (const [k, st] of Object.entries(s.features)) {
      if (lazyFeatures) (w.features as LazyFeatures).defer(k, st);
      else w.features.set(k, fromState(st, featureRandom(k, seed), blob));
    }
    w.predictionPart = part(() => fromState(s.prediction, featureRandom('__prediction', seed), blob));
    w.scorePart = part(() => numericFrom(s.score, featureRandom('__score', seed), blob));
    w.cbpe = s.cbpe;
    return w;
  }
}

/** A sketch, or the function that decodes it on first use. */
type Part<T> = T | (() => T);

function newLatencySketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: LATENCY_RELATIVE_ACCURACY });
}

function mergeAny(a: FeatureSummary, b: FeatureSummary): void {
  if (a instanceof NumericSummary && b instanceof NumericSummary) a.merge(b);
  else if (a instanceof CategoricalSummary && b instanceof CategoricalSummary) a.merge(b);
}
