/** Hash routes: #/VIEW/ARG1/ARG2?range=30d&from=..&to=.. (the page works from a bookmarked URL). */
export interface Route {
  view: string;
  args: string[];
  params: URLSearchParams;
}

export interface Range {
  from: number;
  to: number;
  label: string;
}

export const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [view = 'overview', ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { view, args, params: new URLSearchParams(query) };
}

export function href(view: string, args: string[] = [], params: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const q = p.toString();
  return `#/${[view, ...args].map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

/** The link to `route` with `changes` applied (undefined or '' removes a parameter), every other parameter kept: filters compose. */
export function withParams(route: Route, changes: Record<string, string | undefined>): string {
  const p = new URLSearchParams(route.params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') p.delete(k);
    else p.set(k, v);
  }
  return href(route.view, route.args, Object.fromEntries(p));
}

/** A date-time without a zone (`2026-01-31T12:00`): read as UTC, as the API reads it, not in the browser's time zone. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * An ISO time of the URL: a `+01:00` offset arrives as ` 01:00` (a query string's `+` is a space); no zone: UTC. An
 * offset `+0100` or `+01` (as the API reads them since audit 25) is written `+01:00` for Date.parse, which reads no
 * `+01`: such a link showed the view's default range.
 */
function parseIso(s: string): number {
  const v = s.replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([ +-])(\d{2}):?(\d{2})?$/, (_, t: string, sign: string, h: string, m?: string) => `${t}${sign === ' ' ? '+' : sign}${h}:${m ?? '00'}`);
  return Date.parse(ZONELESS.test(v) ? `${v}Z` : v);
}

/** The range of the URL (range=30d, or from/to in epoch ms or ISO; without a zone: UTC), else the view's default. */
export function rangeOf(params: URLSearchParams, fallback: string, now = Date.now()): Range {
  const t = (s: string | null): number | undefined => (s === null || s === '' ? undefined : /^\d+$/.test(s) ? Number(s) : parseIso(s));
  const from = t(params.get('from'));
  const to = t(params.get('to'));
  if (from !== undefined && Number.isFinite(from)) {
    const end = to !== undefined && Number.isFinite(to) ? to : now;
    return { from, to: end, label: `${new Date(from).toISOString().slice(0, 16)} – ${new Date(end).toISOString().slice(0, 16)} UTC` };
  }
  const name = params.get('range') ?? fallback;
  const span = RANGES[name] ?? RANGES[fallback] ?? RANGES['24h'] as number;
  return { from: now - span, to: now, label: `last ${RANGES[name] ? name : fallback}` };
}

/** The range's parameters to carry into links. */
export function rangeParams(params: URLSearchParams): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of ['range', 'from', 'to']) out[k] = params.get(k) ?? undefined;
  return out;
}
