import { DDSketch } from '@datadog/sketches-js';
import { seededRandom, type Random } from '../core/random/rng.js';
import type { ArmSnapshot, LatencyTail, PairSnapshot } from '../core/rollout/analysis.js';

const NUMERIC_SAMPLE = 5000;
const MAX_CATEGORIES = 1000;

/**
 * The requests of a latency sketch slower than `ms`, from a copy of its bins taken now. The sketch's logarithmic
 * mapping puts value v in bin k = ceil(log_g v), g = (1 + a) / (1 - a), i.e. bin k holds (g^(k-1), g^k]: the bins after
 * the one holding `ms` hold exactly the values above that bin's upper edge g^k, which is within a factor g of `ms`
 * (ms <= edge < ms * g; 2.02% above at a = 1%). The values between `ms` and the edge are not counted. Latencies are
 * accepted at >= 1 µs, so the sketch has no zero or negative values.
 */
export function latencyTail(sketch: DDSketch): (ms: number) => LatencyTail {
  const { bins, offset } = sketch.store;
  const copy = bins.slice();
  const of = sketch.count;
  const mapping = sketch.mapping;
  return (ms) => {
    if (!(ms > 0)) return { slower: of, of, aboveMs: 0 };
    const key = mapping.key(ms);
    // mapping.value(k) is the bin's representative value 2 g^k / (1 + g)
    const aboveMs = mapping.value(key) * (1 + mapping.gamma) / 2;
    let slower = 0;
    for (let i = Math.max(0, key + 1 - offset); i < copy.length; i++) slower += copy[i] as number;
    return { slower, of, aboveMs };
  };
}

/** Live statistics of one version's answers through the gateway since `since`. */
class ArmStats {
  n = 0;
  errors = 0;
  private latency = new DDSketch({ relativeAccuracy: 0.01 });
  readonly categories = new Map<string, number>();
  /**
   * A uniform sample (reservoir, seeded: reproducible) of the numeric predictions since the statistics started. The
   * first NUMERIC_SAMPLE alone would freeze a long shadow's drift at its first few thousand requests.
   */
  readonly numeric: number[] = [];
  private numericSeen = 0;
  private readonly random: Random = seededRandom(0x5eed);
  private confidenceN = 0;
  /** Welford's running mean and sum of squared deviations of the confidences (the mean, and the sample variance). */
  private confidenceMean = 0;
  private confidenceM2 = 0;

  add(ok: boolean, latencyMs: number, prediction: string | number | null, confidence: number | null): void {
    this.n++;
    if (!ok) {
      this.errors++;
      return;
    }
    this.latency.accept(Math.max(latencyMs, 1e-3));
    if (typeof prediction === 'number') {
      this.numericSeen++;
      if (this.numeric.length < NUMERIC_SAMPLE) this.numeric.push(prediction);
      else {
        const j = this.random.int(this.numericSeen);
        if (j < NUMERIC_SAMPLE) this.numeric[j] = prediction;
      }
    } else if (prediction !== null) {
      const k = this.categories.has(prediction) || this.categories.size < MAX_CATEGORIES ? prediction : '(other)';
      this.categories.set(k, (this.categories.get(k) ?? 0) + 1);
    }
    if (confidence !== null) {
      this.confidenceN++;
      const d = confidence - this.confidenceMean;
      this.confidenceMean += d / this.confidenceN;
      this.confidenceM2 += d * (confidence - this.confidenceMean);
    }
  }

  snapshot(): ArmSnapshot {
    return {
      n: this.n, errors: this.errors, p95Ms: this.latency.count > 0 ? this.latency.getValueAtQuantile(0.95) : null, slowerThan: latencyTail(this.latency),
      p50Ms: this.latency.count > 0 ? this.latency.getValueAtQuantile(0.5) : null,
      categories: new Map(this.categories), numeric: [...this.numeric],
      meanConfidence: this.confidenceN > 0 ? this.confidenceMean : null,
      confidenceSpread: { n: this.confidenceN, variance: this.confidenceN > 1 ? this.confidenceM2 / (this.confidenceN - 1) : 0 },
    } as ArmSnapshot;
  }
}

/** Paired answers of two versions to the same request (shadow or compared canary). */
class PairStats {
  n = 0;
  disagreements = 0;
  failures = 0;
  /** Requests not mirrored: too many mirrored calls were in flight. */
  skipped = 0;
  latencyDeltaSum = 0;

  snapshot(): PairSnapshot & { failures: number; skipped: number; meanLatencyDeltaMs: number | null } {
    return { n: this.n, disagreements: this.disagreements, failures: this.failures, skipped: this.skipped, meanLatencyDeltaMs: this.n > 0 ? this.latencyDeltaSum / this.n : null };
  }
}

/** Answers agree: equal labels, or numbers within a relative tolerance of 1e-6 (or 1e-9 absolute). */
export function agree(a: string | number, b: string | number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= Math.max(1e-9, 1e-6 * Math.max(Math.abs(a), Math.abs(b)));
  return String(a) === String(b);
}

/** Per-model live statistics the rollout controller and the shadow report read; reset at each rollout step. */
export class GatewayStats {
  private readonly models = new Map<string, { since: number; arms: Map<string, ArmStats>; pairs: Map<string, PairStats> }>();

  constructor(private readonly clock: () => number) {}

  private entry(model: string) {
    let e = this.models.get(model);
    if (!e) {
      e = { since: this.clock(), arms: new Map(), pairs: new Map() };
      this.models.set(model, e);
    }
    return e;
  }

  answer(model: string, version: string, ok: boolean, latencyMs: number, prediction: string | number | null, confidence: number | null): void {
    const e = this.entry(model);
    let a = e.arms.get(version);
    if (!a) e.arms.set(version, (a = new ArmStats()));
    a.add(ok, latencyMs, prediction, confidence);
  }

  private pairOf(model: string, served: string, mirror: string): PairStats {
    const e = this.entry(model);
    const k = `${served}\u0000${mirror}`;
    let p = e.pairs.get(k);
    if (!p) e.pairs.set(k, (p = new PairStats()));
    return p;
  }

  /** A paired answer: `served` answered the client, `mirror` got the same request. */
  pair(model: string, served: string, mirror: string, servedAnswer: string | number, mirrorAnswer: string | number | null, latencyDeltaMs: number): void {
    const p = this.pairOf(model, served, mirror);
    if (mirrorAnswer === null) {
      p.failures++;
      return;
    }
    p.n++;
    if (!agree(servedAnswer, mirrorAnswer)) p.disagreements++;
    p.latencyDeltaSum += latencyDeltaMs;
  }

  /** A request `served` answered that was not mirrored to `mirror` (too many mirrored calls in flight). */
  pairSkipped(model: string, served: string, mirror: string): void {
    this.pairOf(model, served, mirror).skipped++;
  }

  arm(model: string, version: string): ArmSnapshot & { p50Ms?: number | null } {
    return this.models.get(model)?.arms.get(version)?.snapshot() ?? new ArmStats().snapshot();
  }

  /** Pairs between two versions, whichever side served. */
  pairBetween(model: string, a: string, b: string): ReturnType<PairStats['snapshot']> {
    const e = this.models.get(model);
    const out = new PairStats();
    for (const k of [`${a}\u0000${b}`, `${b}\u0000${a}`]) {
      const p = e?.pairs.get(k);
      if (p) {
        out.n += p.n;
        out.disagreements += p.disagreements;
        out.failures += p.failures;
        out.skipped += p.skipped;
        out.latencyDeltaSum += k.startsWith(`${a}\u0000`) ? p.latencyDeltaSum : -p.latencyDeltaSum;
      }
    }
    return out.snapshot();
  }

  since(model: string): number {
    return this.entry(model).since;
  }

  reset(model: string): void {
    this.models.set(model, { since: this.clock(), arms: new Map(), pairs: new Map() });
  }
}
