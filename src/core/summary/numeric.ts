import { KllSketch } from '../sketches/kll.js';
import { countAtMost } from '../stats/sorted.js';
import type { Random } from '../random/rng.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';

export interface NumericSummaryState {
  count: number;
  missing: number;
  min: number | null;
  max: number | null;
  sum: number;
  /** Sum of squares (written for older readers; read only when `m2` is absent). */
  sumSq: number;
  /** Sum of squared deviations from the mean (absent in states written before it was kept). */
  m2?: number;
  /** KLL sketch bytes, base64. */
  kll: string;
  /** Counts on the reference bins (inner edges `edges`), or null when the version has no reference yet. */
  hist: number[] | null;
  edges: number[] | null;
}

export const KLL_K = 200;
const NUMERIC_HEADER = 64;
const NONE = 0xffffffff;
/** Binary forms: 1 kept the sum of squares, 2 keeps the sum of squared deviations from the mean (m2). */
const FORM_SUMSQ = 1;
const FORM_M2 = 2;

/**
 * Mergeable summary of a numerical stream: count, missing, min/max, sum, the sum of squared deviations from the
 * mean, a KLL quantile sketch and counts on fixed bins (the reference deciles, so PSI / Jensen-Shannon / Hellinger
 * are exact).
 *
 * The spread is kept as squared deviations (Welford's update, Chan et al.'s merge), not as a sum of squares:
 * sumSq / n - mean^2 cancels catastrophically for values far from zero (1e8 +- 1 gave a std of 5.8 instead of 1,
 * 101325 +- 0.01 one 8% off), which made the normalised Wasserstein score from summaries several times too small.
 */
export class NumericSummary {
  count = 0;
  missing = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  /** Sum of squared deviations from the mean. */
  m2 = 0;
  /** Running mean for Welford's update (more precise than sum / count, which carries the sum's rounding); not stored. */
  private mu = 0;
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
    const d = v - this.mu;
    this.mu += d / this.count;
    this.m2 += d * (v - this.mu);
    this.kll.update(v);
    if (this.hist && this.edges) this.hist[binOf(this.edges, v)]! += 1;
  }

  merge(o: NumericSummary): void {
    this.missing += o.missing;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.addMoments(o.count, o.sum, o.m2);
    this.kll.merge(o.kll);
    if (this.hist && o.hist && sameEdges(this.edges, o.edges)) for (let i = 0; i < this.hist.length; i++) this.hist[i]! += o.hist[i] ?? 0;
    else if (this.hist && !(o.count === 0 && o.hist === null)) this.hist = null; // incomparable bins: drop rather than mislead
  }

  /** Chan et al.'s pairwise update of count, sum and m2 with another part's. */
  private addMoments(n: number, sum: number, m2: number): void {
    if (n === 0) return;
    const n0 = this.count;
    // The parts' means as stored (sum / count, not the running mean, which is not stored): merging a summary and
    // merging its bytes give the same bits, whichever thread or path computed it.
    const delta = n0 === 0 ? 0 : sum / n - this.sum / n0;
    this.count = n0 + n;
    this.sum += sum;
    this.m2 += m2 + ((delta * delta) * n0 * n) / this.count;
    this.mu = this.sum / this.count;
  }

  /** Sum of squares (derived; kept in the JSON state for older readers). */
  get sumSq(): number {
    return this.count === 0 ? 0 : this.m2 + (this.sum * this.sum) / this.count;
  }

  get mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /** Population standard deviation (ddof 0). */
  get std(): number | null {
    if (this.count === 0) return null;
    return Math.sqrt(Math.max(0, this.m2 / this.count));
  }

  /** Plain-JSON state (the numeric parts of stored summary format 1). */
  toState(): NumericSummaryState {
    return {
      count: this.count, missing: this.missing,
      min: this.count ? this.min : null, max: this.count ? this.max : null,
      sum: this.sum, sumSq: this.sumSq, m2: this.m2, kll: bytesToBase64(this.kll.toBytes()),
      hist: this.hist, edges: this.edges ? [...this.edges] : null,
    };
  }

  static fromState(s: NumericSummaryState, random: Random): NumericSummary {
    const out = new NumericSummary(random, s.edges, KllSketch.fromBytes(base64ToBytes(s.kll), random));
    out.count = s.count;
    out.missing = s.missing;
    out.min = s.min ?? Infinity;
    out.max = s.max ?? -Infinity;
    out.sum = s.sum;
    out.m2 = s.m2 ?? m2FromSumSq(s.count, s.sum, s.sumSq);
    out.mu = s.count ? s.sum / s.count : 0;
    out.hist = s.hist ? [...s.hist] : null;
    return out;
  }

  /**
   * Binary form (the numeric parts of stored summary format 2): ~5x faster to read than the JSON state, whose
   * parsing of doubles was most of a cold query's decoding. Layout, little-endian:
   *   0 uint32 form (2) | 4 uint32 hist length (NONE = null) | 8 uint32 edges length (NONE = null) | 12 zero
   *   16 float64 count, missing, min, max, sum, m2 (min/max as kept: +-Infinity while empty)
   *   (form 1, written before m2 was kept, has the sum of squares in m2's place; it is read as m2 = sumSq - sum^2/n)
   *   64 float64 hist..., edges... | then the KLL sketch's bytes (KllSketch.toBytes) to the end
   */
  toBytes(): Uint8Array {
    const h = this.hist?.length ?? 0;
    const e = this.edges?.length ?? 0;
    const kll = this.kll.toBytes();
    const at = NUMERIC_HEADER + 8 * (h + e);
    const out = new Uint8Array(at + kll.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, FORM_M2, true);
    dv.setUint32(4, this.hist ? h : NONE, true);
    dv.setUint32(8, this.edges ? e : NONE, true);
    [this.count, this.missing, this.min, this.max, this.sum, this.m2].forEach((x, i) => dv.setFloat64(16 + 8 * i, x, true));
    for (let i = 0; i < h; i++) dv.setFloat64(NUMERIC_HEADER + 8 * i, this.hist?.[i] as number, true);
    for (let i = 0; i < e; i++) dv.setFloat64(NUMERIC_HEADER + 8 * (h + i), this.edges?.[i] as number, true);
    out.set(kll, at);
    return out;
  }

  static fromBytes(bytes: Uint8Array, random: Random): NumericSummary {
    const { dv, h, e, hist, edges, at, form } = readHeader(bytes);
    const read = (from: number, n: number): number[] => {
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(from + 8 * i, true);
      return out;
    };
    const out = new NumericSummary(random, edges ? read(NUMERIC_HEADER + 8 * h, e) : null, KllSketch.fromBytes(bytes.subarray(at), random));
    [out.count, out.missing, out.min, out.max, out.sum, out.m2] = read(16, 6) as [number, number, number, number, number, number];
    if (form === FORM_SUMSQ) out.m2 = m2FromSumSq(out.count, out.sum, out.m2);
    out.mu = out.count ? out.sum / out.count : 0;
    out.hist = hist ? read(NUMERIC_HEADER, h) : null;
    return out;
  }

  /**
   * merge(NumericSummary.fromBytes(bytes, r)), bit for bit, without building that summary (its KLL sketch is merged
   * from its bytes, its bins compared and added in place): a cold range query merges thousands of stored summaries
   * once each, and building them was half of what it allocated. Fails as fromBytes fails, before changing anything.
   */
  mergeBytes(bytes: Uint8Array): void {
    const { dv, h, e, hist, edges, at, form } = readHeader(bytes);
    this.kll.mergeBytes(bytes.subarray(at));
    const f = (i: number): number => dv.getFloat64(16 + 8 * i, true);
    this.missing += f(1);
    if (f(2) < this.min) this.min = f(2);
    if (f(3) > this.max) this.max = f(3);
    this.addMoments(f(0), f(4), form === FORM_SUMSQ ? m2FromSumSq(f(0), f(4), f(5)) : f(5));
    const mine = this.hist;
    if (mine === null) return;
    let same = hist && edges && this.edges !== null && this.edges.length === e;
    for (let i = 0; same && i < e; i++) same = this.edges?.[i] === dv.getFloat64(NUMERIC_HEADER + 8 * (h + i), true);
    if (same) for (let i = 0; i < mine.length; i++) mine[i]! += i < h ? dv.getFloat64(NUMERIC_HEADER + 8 * i, true) : 0;
    else if (!(f(0) === 0 && !hist)) this.hist = null; // incomparable bins: drop rather than mislead
  }
}

/** The fixed part of the binary form (see toBytes), checked. */
function readHeader(bytes: Uint8Array): { dv: DataView; h: number; e: number; hist: boolean; edges: boolean; at: number; form: number } {
  const fail = (why: string): never => {
    throw new Error(`NumericSummary.fromBytes: ${why}`);
  };
  if (bytes.length < NUMERIC_HEADER) fail('too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const form = dv.getUint32(0, true);
  if (form !== FORM_SUMSQ && form !== FORM_M2) fail(`unsupported form ${form}`);
  const hRaw = dv.getUint32(4, true);
  const eRaw = dv.getUint32(8, true);
  const h = hRaw === NONE ? 0 : hRaw;
  const e = eRaw === NONE ? 0 : eRaw;
  const at = NUMERIC_HEADER + 8 * (h + e);
  if (at > bytes.length) fail('lengths exceed the bytes');
  return { dv, h, e, hist: hRaw !== NONE, edges: eRaw !== NONE, at, form };
}

/** m2 of a part stored as a sum of squares (form 1 and older JSON states: as precise as that sum allows). */
function m2FromSumSq(n: number, sum: number, sumSq: number): number {
  return n === 0 ? 0 : Math.max(0, sumSq - (sum * sum) / n);
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
