/** Words of the client's refusals and failure reports, shared by log(), label() and the senders. */

/** What an unusable prediction id is (never its text: it may be long), and for a number what to send instead. */
export function describeId(v: unknown): string {
  if (typeof v === 'string') return v.length === 0 ? '""' : `${v.length} characters`;
  if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}: send String(id), "${String(v)}"`;
  if (v === null || v === undefined) return String(v); // audit 25: was "a undefined"
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** What an unusable label is (audit 25: label() refusals did not say). */
export function describeLabel(v: unknown): string {
  if (typeof v === 'number') return String(v); // NaN, Infinity
  if (typeof v === 'bigint') return `the bigint ${String(v)}n: send Number(label) or String(label)`;
  return describeId(v);
}

/** "1 event", "3 events", "1 label" (audit 25: the reports said "1 events rows"). */
export function rows(n: number, endpoint: 'events' | 'labels'): string {
  return `${n} ${n === 1 ? endpoint.slice(0, -1) : endpoint}`;
}
