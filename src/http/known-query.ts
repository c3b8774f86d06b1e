import type { FastifyInstance, FastifyRequest } from 'fastify';
import { closest } from '../core/text/closest.js';
import { ApiError } from './errors.js';

/**
 * The query parameters a route reads: their names, or ANY_QUERY for a route that reads none and lets any pass (the
 * dashboard's static files, where a browser or a link may add `?v=2` or `?utm_source=...`).
 */
export type QuerySpec = readonly string[] | typeof ANY_QUERY;

export const ANY_QUERY = 'any' as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The query parameters the route reads (required of every route: useKnownQuery); others are a 400 `unknown_parameter`. */
    query?: QuerySpec;
  }
}

/** One route's declaration, as registered. */
export interface RouteQuery { method: string; url: string; query: QuerySpec }

const declared = new WeakMap<FastifyInstance, RouteQuery[]>();

/** Shown at most: a query string may carry any number of parameters. */
const MAX_NAMED = 5;
const MAX_LISTED = 20;
const MAX_NAME = 100;

/**
 * Refuses a request carrying a query parameter its route does not read with 400 `unknown_parameter` (details.unknown,
 * details.known, details.suggestions), before its body is read and after its API key is checked (preParsing: the
 * routes' onRequest hooks have run). Until audit 18 unknown parameters were ignored: `/drift?segmnet=country=FR`
 * answered for the whole traffic, `/v1/alerts?stat=open` listed every alert. A declared parameter given empty is a 400
 * `bad_request` too (emptyParameters, audit 25).
 *
 * Every route must declare its parameters (route config `query`; `[]` for none): a route added without a declaration
 * makes the app fail to start (this onRoute hook throws), so none can forget it. Call before any route is added.
 */
export function useKnownQuery(app: FastifyInstance): void {
  const list: RouteQuery[] = [];
  declared.set(app, list);
  app.addHook('onRoute', (route) => {
    const query = route.config?.query;
    const methods = [route.method].flat().join(',');
    if (query === undefined) {
      throw new Error(`route ${methods} ${route.url} declares no query parameters: add config: { query: [...] } to its options ([] for none; src/http/known-query.ts)`);
    }
    list.push({ method: methods, url: route.url, query });
  });
  // callback style: an async hook costs a promise and a microtask per request
  app.addHook('preParsing', (req, _reply, payload, done) => {
    if (req.is404) return done(null, payload);
    const problem = unknownParameters(req) ?? emptyParameters(req) ?? repeatedParameters(req);
    if (problem) return done(problem);
    done(null, payload);
  });
}

/** The routes added to `app` (useKnownQuery) with their declared query parameters, in the order added. */
export function declaredQueries(app: FastifyInstance): readonly RouteQuery[] {
  return declared.get(app) ?? [];
}

function unknownParameters(req: FastifyRequest): ApiError | null {
  const spec = req.routeOptions.config.query;
  if (spec === ANY_QUERY || spec === undefined) return null;
  const q = req.query;
  if (typeof q !== 'object' || q === null) return null;
  const unknown = Object.keys(q).filter((k) => !spec.includes(k));
  if (unknown.length === 0) return null;
  return unknownParameterError(`${req.method} ${req.routeOptions.url ?? ''}`, unknown, spec);
}

/**
 * Audit 25: a declared parameter given empty (`?from=&version=`, or `?from` alone) is a 400 `bad_request` naming it
 * (details.empty), for every route at once. Each route read an empty value as the parameter left out, so a script whose
 * variable was unset (`?from=$FROM`) got the default range, every version or the whole traffic, and read it as the
 * answer to its question. Routes taking any parameter (ANY_QUERY: probes, the dashboard's files) are not checked.
 */
function emptyParameters(req: FastifyRequest): ApiError | null {
  const spec = req.routeOptions.config.query;
  if (spec === ANY_QUERY || spec === undefined) return null;
  const q = req.query as Record<string, unknown> | null;
  if (typeof q !== 'object' || q === null) return null;
  let empty: string[] | undefined;
  for (const k of Object.keys(q)) {
    const v = q[k];
    if (v === '' || (Array.isArray(v) && v.includes(''))) (empty ??= []).push(k);
  }
  return empty === undefined ? null : emptyParameterError(empty);
}

/**
 * Audit 27: a declared parameter given more than once (`?version=1&version=2`) is a 400 `bad_request` naming it
 * (details.repeated), for every route at once. No route reads a list of values: each read a repeated parameter (an
 * array) as left out, as not a time or as a list of no name, so `/performance?version=1&version=1` answered the default
 * version's metrics, another version's, and `?from=A&from=B` said "from must be a time". `segment` keeps its own refusal
 * (parseSegment: how to give several keys), which runs in the route.
 */
function repeatedParameters(req: FastifyRequest): ApiError | null {
  const spec = req.routeOptions.config.query;
  if (spec === ANY_QUERY || spec === undefined) return null;
  const q = req.query as Record<string, unknown> | null;
  if (typeof q !== 'object' || q === null) return null;
  const repeated = Object.keys(q).filter((k) => k !== 'segment' && Array.isArray(q[k]));
  const first = repeated[0];
  if (first === undefined) return null;
  const count = (k: string): number => (q[k] as unknown[]).length;
  const more = repeated.length > 1 ? `; so are ${repeated.slice(1, MAX_NAMED).map((k) => `${k.slice(0, MAX_NAME)} (${count(k)})`).join(', ')}` : '';
  return new ApiError('bad_request', `${first.slice(0, MAX_NAME)} must be given once (got ${count(first)} values)${more}: a query parameter takes one value`, { repeated: repeated.slice(0, MAX_LISTED).map((k) => k.slice(0, MAX_NAME)) });
}

/** The 400 for declared query parameters given without a value. */
export function emptyParameterError(empty: readonly string[]): ApiError {
  const one = empty.length === 1;
  const named = empty.slice(0, MAX_LISTED).map((e) => `"${e.slice(0, MAX_NAME)}"`).join(', ');
  return new ApiError('bad_request', one
    ? `query parameter ${named} is empty: give it a value, or leave it out of the query for its default (an empty value is not read as left out)`
    : `query parameters ${named} are empty: give them values, or leave them out of the query for their defaults (an empty value is not read as left out)`,
  { empty: empty.slice(0, MAX_LISTED).map((e) => e.slice(0, MAX_NAME)) });
}

/** The 400 for `unknown` parameters sent to `route` (e.g. "GET /v1/models/:name/drift"), which reads `known`. */
export function unknownParameterError(route: string, unknown: readonly string[], known: readonly string[]): ApiError {
  const suggestions: Record<string, string> = {};
  for (const u of unknown) {
    const s = closest(u, known);
    if (s !== null) suggestions[u] = s;
  }
  const named = unknown.slice(0, MAX_NAMED).map((u) => `"${u.slice(0, MAX_NAME)}"${suggestions[u] !== undefined ? ` (did you mean "${suggestions[u]}"?)` : ''}`);
  const more = unknown.length > MAX_NAMED ? ` and ${unknown.length - MAX_NAMED} more` : '';
  const takes = known.length === 0 ? `${route} takes no query parameters` : `${route} takes ${known.join(', ')}`;
  return new ApiError('unknown_parameter', `unknown query parameter${unknown.length > 1 ? 's' : ''} ${named.join(', ')}${more}: ${takes}`, {
    unknown: unknown.slice(0, MAX_LISTED).map((u) => u.slice(0, MAX_NAME)), known: [...known], suggestions,
  });
}

/** Re-exported: the suggestion of every "unknown" message is one function (src/core/text/closest.ts, audit 25). */
export { closest } from '../core/text/closest.js';
