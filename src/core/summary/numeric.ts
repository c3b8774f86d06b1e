import { KllSketch } from '../sketches/kll.js';
import { countAtMost } from '../stats/sorted.js';
import type { Random } from '../random/rng.js';
import { bytesToBase64 } from './base64.js';
import { readBlob, type BlobRef } from './blob-ref.js';

export interface NumericSummaryState {
  count: number;
  missing: number;
  min: number | null;
  max: number | null;
  sum: number;
  sumSq: number;
  /** KLL sketch bytes (see BlobRef). */
  kll: BlobRef;
  /** Counts on the reference bins (inner edges `edges`), or null when the version has no reference yet. */
  hist: number[] | null;
  edges: number[] | null;
}

export const KLL_K = 200;

/**
 * Mergeable summary of a numerical stream: count, missing, min/max, sum and sum of squares, a KLL quantile
 * sketch and counts on fixed bins (the reference deciles, so PSI / Jensen-Shannon / Hellinger are exact).
 */
export class NumericSummary {
  count = 0;
  missing = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  sumSq = 0;
  readonly kll: KllSketch;
  hist: number[] | null;

  constructor(random: Random, readonly edges: readonly number[] | null = null, kll?: KllSketch) {
    this.kll = kll ?? new KllSketch(KLL_K, random);
    this.hist = edges ? new Array<number>(edges.length + 1).fill(0) : null;
  }

  /** Adds one value; anything but a finite number counts as missing. */
  add(v: unknown): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.missing++;
      return;
    }
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sum += v;
    this.sumSq += v * v;
    this.kll.update(v);
    if (this.hist && this.edges) this.hist[binOf(this.edges, v)]! += 1;
  }

  merge(o: NumericSummary): void {
    this.count += o.count;
    this.missing += o.missing;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.sum += o.sum;
    this.sumSq += o.sumSq;
    this.kll.merge(o.kll);
    if (this.hist && o.hist && sameEdges(this.edges, o.edges)) for (let i = 0; i < this.hist.length; i++) this.hist[i]! += o.hist[i] ?? 0;
    else if (this.hist && !(o.count === 0 && o.hist === null)) this.hist = null; // incomparable bins: drop rather than mislead
  }

  get mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /** Population standard deviation (ddof 0). */
  get std(): number | null {
    if (this.count === 0) return null;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }

  /** `blob` stores the sketch bytes (default: base64 in the state itself). */
  toState(blob: (bytes: Uint8Array) => BlobRef = bytesToBase64): NumericSummaryState {
    return {
      count: this.count, missing: this.missing,
      min: this.count ? this.min : null, max: this.count ? this.max : null,
      sum: this.sum, sumSq: this.sumSq, kll: blob(this.kll.toBytes()),
      hist: this.hist, edges: this.edges ? [...this.edges] : null,
    };
  }

  /** `blob` resolves the sketch bytes' reference (default: base64 only). */
  static fromState(s: NumericSummaryState, random: Random, blob: (ref: BlobRef) => Uint8Array = readBlob): NumericSummary {
    const out = new NumericSummary(random, s.edges, KllSketch.fromBytes(blob(s.kll), random));
    out.count = s.count;
    out.missing = s.missing;
    out.min = s.min ?? Infinity;
    out.max = s.max ?? -Infinity;
    out.sum = s.sum;
    out.sumSq = s.sumSq;
    out.hist = s.hist ? [...s.hist] : null;
    return out;
  }
}

/** Bin index for inner edges: values below edges[0] -> 0, [edges[i-1], edges[i]) -> i, >= last -> length. */
export function binOf(edges: readonly number[], v: number): number {
  return countAtMost(edges, v);
}

function sameEdges(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
