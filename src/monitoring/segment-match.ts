import { segmentKey } from '../ingest/validate-event.js';

/** Does an event's segment key ("k=v&k2=v2") hold every part of the wanted one? */
export function segmentMatches(eventSegment: string, wanted: string): boolean {
  const have = new Set(eventSegment.split('&'));
  return wanted.split('&').every((p) => have.has(p));
}

/**
 * Can an event be of both segments (canonical keys)? Yes unless they give one key different values: "region=eu" and
 * "region=eu&tier=gold", or "region=eu" and "tier=gold", overlap; "region=eu" and "region=us" do not. "" (the whole
 * traffic) overlaps every segment.
 */
export function segmentsOverlap(a: string, b: string): boolean {
  const pa = segmentParts(a);
  const pb = segmentParts(b);
  if (pa === null || pb === null) return a === b;
  return Object.keys(pa).every((k) => !Object.hasOwn(pb, k) || pa[k] === pb[k]);
}

/** The parts of a segment key ("k=v&k2=v2"), decoded as segmentKey encodes them; null when one is not "key=value". */
export function segmentParts(segment: string): Record<string, string> | null {
  const out = Object.create(null) as Record<string, string>;
  for (const part of segment === '' ? [] : segment.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    out[decoded(part.slice(0, eq))] = decoded(part.slice(eq + 1));
  }
  return out;
}

/**
 * A segment written by hand ("k=v&k2=v2", a monitor's: values as the events carry them, "region=São Paulo", or
 * URI-encoded as /segments lists them, "region=S%C3%A3o%20Paulo"; keys in any order) in its canonical form (segmentKey),
 * as events are stored and matched; "" stays "". The text itself when a part is not "key=value".
 */
export function canonicalSegment(segment: string): string {
  if (segment === '') return '';
  const parts = segmentParts(segment);
  return parts === null ? segment : segmentKey(parts);
}

/**
 * A canonical segment key as the `segment` query parameter takes it ("k=v,k2=v2", decoded): what a link to a view of
 * the segment carries (the dashboard passes it to the API as it is).
 */
export function segmentQueryParam(segment: string): string {
  const parts = segmentParts(segment);
  return parts === null ? segment : Object.entries(parts).map(([k, v]) => `${k}=${v}`).join(',');
}

/** The keys a segment names that are not among `keys` (a model's segment keys): no event can carry them. */
export function undeclaredSegmentKeys(segment: string, keys: readonly string[]): string[] {
  return Object.keys(segmentParts(segment) ?? {}).filter((k) => !keys.includes(k));
}

/**
 * Is the segment stored as it is: empty (the whole traffic), or naming every one of `keys` (a model's segment keys),
 * in its canonical form (segmentKey)? Events are summarised under their full segment key, so a segment naming only
 * some keys ("region=eu" of region and tier) is held by several stored segments (see segmentMatches).
 */
export function isStoredSegment(segment: string, keys: readonly string[]): boolean {
  if (segment === '') return true;
  const parts = segmentParts(segment);
  return parts !== null && keys.every((k) => Object.hasOwn(parts, k)) && segmentKey(parts) === segment;
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
