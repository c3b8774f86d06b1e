import { parseGranularity } from '../core/time/windows.js';
import { MAX_EPOCH_MS, parseRfc3339, unitProblem } from '../ingest/timestamp.js';
import { MAX_SEGMENT_VALUE, segmentKey } from '../ingest/validate-event.js';
import type { Granularity } from '../storage/types.js';
import { ApiError } from './errors.js';
import { validThresholds } from '../core/drift/threshold.js';

export const DEFAULT_RANGE_MS = 24 * 3600 * 1000;
const MAX_RANGE_MS = 400 * 24 * 3600 * 1000;

/**
 * ISO-8601 as queries take it: a date, or a date and a time (seconds and their fraction optional) with an optional
 * zone; without one, UTC. Not Date.parse: it reads "foo 5" as May 2001, rolls 2026-02-30 over into March, and reads a
 * time without a zone in the server's time zone. A `+01:00` zone written unencoded in a URL arrives as ` 01:00` (a query
 * string's `+` is a space): read as `+01:00`, as the README's example `2026-01-31T13:00+01:00` means. Since audit 25 a
 * zone may also be `+0100` (ISO 8601's basic form: `date +%FT%T%z`) or `+01` (PostgreSQL's text), as event timestamps.
 */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?([Zz]|[+ -]\d{2}(?::?\d{2})?)?)?$/;

/** The forms a time is accepted in, as a refusal shows them. */
export const TIME_FORMS = 'epoch milliseconds or an ISO-8601 time such as 2026-01-31T12:00:00Z, 2026-01-31T13:00:00+01:00 (or +0100, +01) or 2026-01-31 (no zone: UTC)';

/** A time given as epoch ms or ISO-8601 (see ISO_TIME). */
export function parseTime(v: unknown, name: string): number | undefined {
  // '' is left out for body fields (a query's empty parameter is refused before: known-query's emptyParameters, audit 25)
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new ApiError('bad_request', `${name} must be a time`);
  // Epoch milliseconds may have a fraction (Python's `time.time() * 1000`), dropped as an event timestamp's is: audit 27,
  // they were refused as not "epoch milliseconds".
  const epoch = /^\d+(?:\.\d+)?$/.test(v);
  const raw = epoch ? Number(v) : undefined;
  const n = raw !== undefined ? Math.floor(raw) : isoTime(v);
  // Epoch seconds (`date +%s`, and Python's `time.time()` with its fraction) are refused as an event timestamp is: read
  // as milliseconds, they are January 1970 to March 1973, where no event can be (events there are refused as seconds),
  // and the answer was empty without saying why. Microseconds and nanoseconds are named where they are past year 9999
  // (below it, years 5138 to 9999 are milliseconds a query may give as its end).
  const unit = raw !== undefined && (raw < 1e11 || raw > MAX_EPOCH_MS) ? unitProblem(raw) : null;
  if (unit !== null) throw new ApiError('bad_request', unit.replace(/^timestamp /, `${name} `).replace(/ or an RFC 3339 date-time$/, ' or an ISO-8601 time'));
  if (n === undefined || !(n <= MAX_EPOCH_MS)) {
    throw new ApiError('bad_request', `${name} must be ${TIME_FORMS} (got "${v.slice(0, 50)}")`);
  }
  return n;
}

function isoTime(s: string): number | undefined {
  const m = ISO_TIME.exec(s);
  return m ? parseRfc3339(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}${(m[4] ?? 'Z').replace(' ', '+')}`) : undefined;
}

/** The query parameters rangeParams reads on every per-model query (`granularity` too, declared by the series routes only). */
export const RANGE_QUERY = ['from', 'to', 'version', 'segment'] as const;

export interface RangeParams {
  from: number;
  to: number;
  version?: string;
  segment: string;
  granularity?: Granularity;
}

/**
 * from/to (default: the last 24 h), version, segment ("k=v,k2=v2"), granularity. The model's segment keys, when given,
 * are named in the refusal of a malformed segment.
 */
/**
 * Refuses from >= to, saying both as the query has them once defaults are filled in (a `to` given alone, before the
 * default `from`, is refused too): until audit 23 the message said neither and `details` was empty. `names`: the
 * query parameters of the two bounds (GET /v1/alerts' activeFrom/activeTo, audit 24), named in the message and details.
 */
export function checkRangeOrder(from: number, to: number, names: readonly [string, string] = ['from', 'to']): void {
  if (from < to) return;
  const at = (t: number): string => (Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t));
  const [f, t] = names;
  throw new ApiError('bad_request', `"${f}" must be before "${t}" (${f} ${at(from)}, ${t} ${at(to)})`, { [f]: from, [t]: to });
}

export function rangeParams(q: Record<string, unknown>, now: number, model?: SegmentKeysOf): RangeParams {
  const to = parseTime(q['to'], 'to') ?? now;
  const from = parseTime(q['from'], 'from') ?? to - DEFAULT_RANGE_MS;
  checkRangeOrder(from, to);
  if (to - from > MAX_RANGE_MS) {
    const days = Math.ceil((to - from) / 86_400_000);
    throw new ApiError('bad_request', `time range is too long: ${days} days, at most ${MAX_RANGE_MS / 86_400_000}`, { from, to, days, maxDays: MAX_RANGE_MS / 86_400_000 });
  }
  const out: RangeParams = { from, to, segment: parseSegment(q['segment'], model) };
  if (typeof q['version'] === 'string' && q['version'] !== '') out.version = q['version'];
  if (q['granularity'] !== undefined) {
    const g = typeof q['granularity'] === 'string' ? parseGranularity(q['granularity']) : undefined;
    if (!g) throw new ApiError('bad_request', 'granularity must be minute, hour or day');
    out.granularity = g;
  }
  return out;
}

/**
 * A model as a malformed segment's refusal names it ("segment keys of model NAME: ..."); `whose`, when given, instead of
 * `model "NAME"` (GET /v1/overview: "the models", their keys together).
 */
export interface SegmentKeysOf { name: string; segmentKeys: readonly string[]; whose?: string }

/**
 * The `segment` query parameter ("key=value[,key=value]") as a canonical segment key. A malformed one, one given twice
 * and one naming a key twice are refused, with the model's segment keys when given (until audit 20 "region=eu,region=us"
 * answered for region=us alone, and the refusals named no key).
 */
export function parseSegment(v: unknown, model?: SegmentKeysOf): string {
  if (v === undefined || v === '') return '';
  const keys = model === undefined ? '' : `; segment keys of ${model.whose ?? `model "${model.name}"`}: ${model.segmentKeys.join(', ') || '(none)'}`;
  const refuse = (message: string): never => {
    throw new ApiError('bad_request', `${message}${keys}`, model === undefined ? {} : { segmentKeys: [...model.segmentKeys] });
  };
  if (Array.isArray(v)) refuse(`segment is given ${v.length} times; give it once, its parts joined by "," (region=eu,tier=gold)`);
  if (typeof v !== 'string') return refuse('segment must be "key=value[,key=value]"');
  const seg: Record<string, string> = Object.create(null) as Record<string, string>;
  let last: string | undefined;
  for (const part of v.split(',')) {
    const eq = part.indexOf('=');
    // A part without "=" continues the value before it: a value may hold commas ("city=Paris, FR"), as the dashboard
    // writes a stored segment's values.
    if (eq < 0 && last !== undefined) {
      seg[last] += `,${part}`;
      continue;
    }
    if (eq <= 0) refuse(`segment must be "key=value[,key=value]" (got "${v.slice(0, 100)}")`);
    last = part.slice(0, eq);
    if (Object.hasOwn(seg, last)) refuse(`segment names "${last.slice(0, 100)}" twice (got "${v.slice(0, 100)}"); a segment takes one value per key`);
    seg[last] = part.slice(eq + 1);
  }
  // no event carries a longer value (ingest refuses it): an empty answer would look like a segment without traffic
  const long = Object.keys(seg).find((k) => (seg[k] as string).length > MAX_SEGMENT_VALUE);
  if (long !== undefined) refuse(`segment value of "${long.slice(0, 100)}" is ${(seg[long] as string).length} characters long: no event carries one over ${MAX_SEGMENT_VALUE}`);
  return segmentKey(seg);
}

/**
 * Decimal number text (Number() would also read "", "0x10" and "Infinity"). Wider than JSON's grammar
 * (decimalNumber, src/ingest/decimal.ts), which would refuse the thresholds `.05` and `+0.1` written in a URL.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The `threshold` of a drift query (/drift, /timeseries, /series), when given: a number, else a 400 saying so (it was
 * read as NaN, answered "threshold NaN does not fit drift method ...", and "" as 0). Its range is the method's check.
 */
export function thresholdParam(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!DECIMAL.test(text)) throw new ApiError('bad_request', `threshold must be a number (got ${JSON.stringify(raw)}); valid thresholds: ${validThresholds()}`, { threshold: raw });
  return Number(text);
}

