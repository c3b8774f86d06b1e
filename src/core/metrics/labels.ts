/**
 * Class labels: missing-value detection, a canonical key so that 1 and '1' (or '1.0', as CSV
 * readers produce) are the same class, and np.unique ordering (numbers numerically, strings by
 * code point). The first value seen for a key is kept for output.
 */
import type { Label } from './types.js';

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** null, undefined, NaN and empty (or blank) strings are missing. */
export function isMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v);
  if (typeof v === 'string') {
    const c = v.charCodeAt(0); // NaN when empty
    return !(c > 32 && c < 127) && v.trim() === ''; // printable ASCII first: not blank, no trim (allocation) per row
  }
  return false;
}

/** Canonical string form of a (non-missing) label. */
export function canonicalKey(v: Label): string {
  if (typeof v === 'number') return String(v === 0 ? 0 : v);
  const s = v.trim();
  if (NUMERIC.test(s)) {
    const x = Number(s);
    if (Number.isFinite(x)) return String(x === 0 ? 0 : x);
  }
  return s;
}

function isNumericKey(k: string): boolean {
  const x = Number(k);
  return Number.isFinite(x) && String(x) === k;
}

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) as number;
    const cy = y.value.codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

/** Sorts canonical keys like np.unique: numerically if all are numbers, else by code point. */
export function sortKeys(keys: Iterable<string>): string[] {
  const arr = [...keys];
  if (arr.every(isNumericKey)) return arr.sort((a, b) => Number(a) - Number(b));
  return arr.sort(compareCodePoints);
}

/** Collects distinct classes (first original value per key). */
export class ClassCollector {
  readonly original = new Map<string, Label>();
  private readonly memo = new Map<Label, string>();

  add(v: Label): string {
    const known = this.memo.get(v);
    if (known !== undefined) return known;
    const k = canonicalKey(v);
    if (!this.original.has(k)) this.original.set(k, v);
    if (this.memo.size < 10_000) this.memo.set(v, k);
    return k;
  }

  /** Sorted keys and their original labels. */
  sorted(): { keys: string[]; labels: Label[]; index: Map<string, number> } {
    const keys = sortKeys(this.original.keys());
    const labels = keys.map((k) => this.original.get(k) as Label);
    const index = new Map<string, number>();
    keys.forEach((k, i) => index.set(k, i));
    return { keys, labels, index };
  }
}
