/** Limits on event content that the stores and the summaries need (checked per row, never thrown). */

/** How far ahead of the server's clock an event's timestamp may be (a clock skew guard; POST /v1/events). */
export const MAX_FUTURE_MS = 24 * 3600 * 1000;

/** Deepest nesting of arrays and objects accepted inside `features` (JSON.stringify overflows the stack near 10,000). */
export const MAX_FEATURE_DEPTH = 200;

/** True when `v` nests arrays or objects more than `max` levels deep (iterative: deep values cannot overflow the stack). */
export function nestedDeeperThan(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop() as [unknown, number];
    if (typeof x !== 'object' || x === null) continue;
    if (depth + 1 > max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

/**
 * U+0000 cannot be stored in PostgreSQL text, so both stores refuse it in text columns (ids, predictions, error
 * texts, segment values, labels). Inside features it is fine: features are stored as JSON text, where it is escaped.
 */
export function hasNul(s: string): boolean {
  return s.includes('\u0000');
}

/** Server-written text that quotes the input (reject reasons): U+0000 shown as U+FFFD. */
export function withoutNul(s: string): string {
  return hasNul(s) ? s.replaceAll('\u0000', '\ufffd') : s;
}
