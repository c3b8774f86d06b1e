import { editDistance } from './edit-distance.js';

/**
 * The known name an unknown one is most likely a typo of: the nearest by edit distance (adjacent transpositions count
 * one: "segmnet" is 1 from "segment"), case aside (a difference of case alone counts half: "stepDurationMS" is
 * "stepDurationMs"), when it is at most `limit` (by default 2, and at most half the typo's length, so "x" is no "to");
 * null when none is that near, or two are equally near.
 *
 * Audit 25: one function for every "is unknown" message (query parameters, bodies, lookout.yaml, monitors, rollouts,
 * serving, policies, matchers, notifiers, JSON Schema keywords); there were two, and most messages suggested nothing.
 */
export function closest(name: string, known: Iterable<string>, limit = Math.min(2, Math.floor(name.length / 2))): string | null {
  if (name.length > 64) return null;
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  let tie = false;
  for (const k of known) {
    if (Math.abs(k.length - name.length) > limit) continue; // more edits apart than the limit: never near enough
    const d = k.toLowerCase() === lower ? 0.5 : editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) tie = true;
  }
  return best !== null && bestDistance <= limit && !tie ? best : null;
}

/** `; did you mean "k"?` when a known name is near `name` (closest), else '': to follow the list of known names. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const k = closest(name, known);
  return k === null ? '' : `; did you mean "${k}"?`;
}

/** The first key of `o` that is not known, or undefined. */
export function firstUnknown(o: object, known: readonly string[] | ReadonlySet<string>): string | undefined {
  const has = Array.isArray(known) ? (k: string) => known.includes(k) : (k: string) => (known as ReadonlySet<string>).has(k);
  return Object.keys(o).find((k) => !has(k));
}

/**
 * `(known keys: a, b, c; did you mean "b"?)`: the tail of an "is unknown" message, listing the known keys and the
 * one `key` is most likely a typo of.
 */
export function knownKeys(key: string, known: readonly string[]): string {
  return `(known keys: ${known.join(', ')}${didYouMean(key, known)})`;
}
