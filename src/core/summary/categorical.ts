export interface CategoricalSummaryState {
  count: number;
  missing: number;
  counts: Record<string, number>;
  /** Values of categories beyond the cap, counted together. */
  other: number;
  cap: number;
}

export const DEFAULT_CATEGORY_CAP = 200;
export const OTHER = '__other__';
/**
 * The key of the "other" bucket in countsWithOther(): the empty string, which no category can be ('' is a missing
 * value), so that a real category named like the bucket (OTHER) keeps its own count beside it.
 */
export const OTHER_KEY = '';
/** The category of a value JSON cannot write (too deeply nested, cyclic, a BigInt): one category for all of them. */
export const UNSERIALISABLE = '__unserialisable__';

/**
 * The longest category kept as it is (UTF-16 code units). A longer value is counted under its first
 * MAX_CATEGORY_LENGTH characters followed by "…" (categoryKey): every summary keeps up to its cap of categories, per
 * feature, window and segment, so values of 80,000 characters (a free-text feature, or a client sending them on
 * purpose) made each 16 MiB request take 7 to 59 s to ingest and grew the server to 2.3 GB in six requests, with
 * nothing to monitor in the text beyond what its start tells.
 */
export const MAX_CATEGORY_LENGTH = 256;

/** The category `key` is counted under: itself, or its first `max` characters and "…" (a pair of surrogates kept whole). */
export function categoryKey(key: string, max = MAX_CATEGORY_LENGTH): string {
  if (key.length <= max) return key;
  const high = key.charCodeAt(max - 1);
  return `${key.slice(0, high >= 0xd800 && high <= 0xdbff ? max - 1 : max)}…`;
}

function jsonKey(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return UNSERIALISABLE;
  }
}

/**
 * Texts that mean "missing" (trimmed, any case), besides blank ones: in data files (io/dataset.ts) and in events alike.
 * pandas.read_csv's default na_values (pandas 1.5: #N/A of Excel, <NA> of pandas' own to_csv, -1.#IND and 1.#QNAN of
 * old C runtimes, NULL, NaN, NA, n/a, ...; pandas 2 adds None) in any case, and none. Until audit 16 only nan, null,
 * none, na and n/a: an Excel export's #N/A made a numeric column categorical, a category "#N/A".
 */
export const MISSING_TEXTS: readonly string[] = [
  'nan', '-nan', 'null', 'none', 'na', 'n/a', '#n/a', '#n/a n/a', '#na', '<na>', '-1.#ind', '-1.#qnan', '1.#ind', '1.#qnan',
];

/** The length of the longest of MISSING_TEXTS: a longer text, trimmed, is none of them. */
const LONGEST_MISSING_TEXT = Math.max(...MISSING_TEXTS.map((t) => t.length));
/** By character code below 128: 1 for the first characters (either case) of MISSING_TEXTS longer than 4 ('#', '-', '1'). */
const LONG_MISSING_STARTS = new Uint8Array(128);
for (const t of MISSING_TEXTS) if (t.length > 4) for (const c of [t, t.toUpperCase()]) LONG_MISSING_STARTS[c.charCodeAt(0)] = 1;

/** Whether a text is a missing value: blank, or one of MISSING_TEXTS (as `lookout drift` and a reference file read it). */
export function isMissingText(s: string): boolean {
  // Every categorical value of every event passes here: a text of 5 or more characters that starts and ends with
  // printable ASCII other than a space is none of them, without the two copies trim() and toLowerCase() make, when it
  // is longer than the longest missing text or starts otherwise than the missing texts of 5 or more characters do.
  const n = s.length;
  if (n > 4) {
    const first = s.charCodeAt(0);
    if (isPrintable(first) && isPrintable(s.charCodeAt(n - 1)) && (n > LONGEST_MISSING_TEXT || LONG_MISSING_STARTS[first] === 0)) return false;
  }
  const t = s.trim().toLowerCase();
  return t === '' || MISSING_TEXTS.includes(t);
}

function isPrintable(c: number): boolean {
  return c > 32 && c < 127;
}

/** Mergeable category counts with a cap: categories beyond the cap are counted in `other`. */
export class CategoricalSummary {
  count = 0;
  missing = 0;
  other = 0;
  readonly counts = new Map<string, number>();

  constructor(readonly cap = DEFAULT_CATEGORY_CAP) {}

  /** Adds one value: strings, numbers and booleans by their text; null, undefined and missing texts (isMissingText) are missing. */
  add(v: unknown): void {
    if (typeof v === 'string' && isMissingText(v)) this.missing++;
    else this.addClass(v, MAX_CATEGORY_LENGTH);
  }

  /**
   * Adds a predicted class: null, undefined and '' are missing, but not the missing texts, since a model's class may
   * well be called "none" or "NA" (a defect classifier's "none", Namibia's code) and its predictions must count. A
   * class is counted under its whole text (ingest refuses predictions over 1,024 characters); a feature's value (add)
   * under its first `maxLength` characters (categoryKey).
   */
  addClass(v: unknown, maxLength = Infinity): void {
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && !Number.isFinite(v))) {
      this.missing++;
      return;
    }
    const key = categoryKey(typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : jsonKey(v), maxLength);
    this.count++;
    const c = this.counts.get(key);
    if (c !== undefined) this.counts.set(key, c + 1);
    else if (this.counts.size < this.cap) this.counts.set(key, 1);
    else this.other++;
  }

  merge(o: CategoricalSummary): void {
    this.count += o.count;
    this.missing += o.missing;
    this.other += o.other;
    for (const [k, c] of o.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
    if (this.counts.size > this.cap) {
      // Keep the most frequent (ties by name, so merge order does not matter); fold the rest into other.
      const sorted = [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [k, c] of sorted.slice(this.cap)) {
        this.counts.delete(k);
        this.other += c;
      }
    }
  }

  /** Counts including the "other" bucket under the key OTHER_KEY (when non-zero). */
  countsWithOther(): Map<string, number> {
    const m = new Map(this.counts);
    if (this.other > 0) m.set(OTHER_KEY, this.other);
    return m;
  }

  toState(): CategoricalSummaryState {
    return { count: this.count, missing: this.missing, counts: Object.fromEntries(this.counts), other: this.other, cap: this.cap };
  }

  static fromState(s: CategoricalSummaryState): CategoricalSummary {
    const out = new CategoricalSummary(s.cap);
    out.count = s.count;
    out.missing = s.missing;
    out.other = s.other;
    for (const [k, c] of Object.entries(s.counts)) out.counts.set(k, c);
    return out;
  }
}
