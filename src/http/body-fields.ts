import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { closest } from '../core/text/closest.js';

/**
 * What a route's request body holds: the fields of an optional JSON object body, checked here ([] for a route that
 * takes no body), or OWN_BODY when its handler reads and checks the body itself (a required body: a schema, rows,
 * a file, a definition).
 */
export type BodySpec = readonly string[] | typeof OWN_BODY;

export const OWN_BODY = 'own' as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route's body holds (required of every POST, PUT, PATCH and DELETE route: useBodyFields). */
    body?: BodySpec;
  }
}

/** One route's declaration, as registered. */
export interface RouteBody { method: string; url: string; body: BodySpec }

/** The methods whose requests may carry a body. */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const declared = new WeakMap<FastifyInstance, RouteBody[]>();

const MAX_NAMED = 5;
const MAX_NAME = 100;

/**
 * Refuses a body field a route does not read, 400 validation_failed naming it (details.unknown, details.known), after
 * the body is parsed: until audit 24 a route taking no body (POST /v1/admin/snapshots, pause, resume, DELETE ...) ignored
 * any it was sent (`{"keep": 1}` made a snapshot and kept every old one), and the routes whose body is optional
 * (pause's reason, rollback's alias) ignored a misspelt field. An absent body, an empty one (json-body.ts) and `{}` are
 * no fields.
 *
 * Every POST, PUT, PATCH and DELETE route must declare its body (route config `body`): a route added without one makes
 * the app fail to start (this onRoute hook throws), as a route without its query parameters does (known-query.ts).
 * Call before any route is added.
 */
export function useBodyFields(app: FastifyInstance): void {
  const list: RouteBody[] = [];
  declared.set(app, list);
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat().filter((m) => BODY_METHODS.has(m));
    if (methods.length === 0) return;
    const body = route.config?.body;
    if (body === undefined) {
      throw new Error(`route ${methods.join(',')} ${route.url} declares no body: add config: { body: [...] } to its options (the fields of its optional JSON object body, [] for none) or body: '${OWN_BODY}' (its handler reads and checks a body it requires) (src/http/body-fields.ts)`);
    }
    for (const method of methods) list.push({ method, url: route.url, body });
  });
  // callback style: an async hook costs a promise and a microtask per request
  app.addHook('preValidation', (req, _reply, done) => {
    const spec = req.routeOptions.config?.body;
    if (spec === undefined || spec === OWN_BODY || req.is404) return done();
    const problem = bodyProblem(req, spec);
    if (problem) return done(problem);
    done();
  });
}

/** The routes added to `app` (useBodyFields) with their declared bodies, one per method, in the order added. */
export function declaredBodies(app: FastifyInstance): readonly RouteBody[] {
  return declared.get(app) ?? [];
}

function bodyProblem(req: FastifyRequest, known: readonly string[]): ApiError | null {
  const b = req.body;
  // an empty body of another type (text/plain: Fastify's parser hands over "") is no body either
  if (b === undefined || b === null || b === '' || (Buffer.isBuffer(b) && b.length === 0)) return null;
  const route = `${req.method} ${req.routeOptions.url ?? ''}`;
  if (typeof b !== 'object' || Array.isArray(b)) {
    const got = Array.isArray(b) ? 'an array' : `a ${typeof b}`;
    return new ApiError('bad_request', known.length === 0
      ? `${route} takes no body (got ${got}): send none, or {}`
      : `request body must be a JSON object (got ${got}): ${route} reads ${known.join(', ')}, each optional`);
  }
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length === 0) return null;
  const named = unknown.slice(0, MAX_NAMED).map((u) => `"${u.slice(0, MAX_NAME)}"`).join(', ') + (unknown.length > MAX_NAMED ? ` and ${unknown.length - MAX_NAMED} more` : '');
  const suggestions: Record<string, string> = {};
  for (const u of unknown.slice(0, MAX_NAMED)) {
    const s = closest(u, known);
    if (s !== null) suggestions[u.slice(0, MAX_NAME)] = s;
  }
  const meant = Object.entries(suggestions).map(([u, s]) => `; did you mean "${s}" (for "${u}")?`).join('');
  const fields = unknown.length > 1 ? 'fields' : 'field';
  // a query parameter of the route sent in the body (`{"keep": 3}` for POST /v1/admin/snapshots?keep=3)
  const query = req.routeOptions.config?.query;
  const asQuery = Array.isArray(query) ? unknown.filter((u) => query.includes(u)) : [];
  const hint = asQuery.length > 0 ? ` (${asQuery.map((q) => `"${q}"`).join(', ')} ${asQuery.length > 1 ? 'are query parameters' : 'is a query parameter'}: ${route}?${asQuery[0]}=...)` : '';
  const details = { unknown: unknown.slice(0, 20).map((u) => u.slice(0, MAX_NAME)), known: [...known], suggestions };
  return new ApiError('validation_failed', known.length === 0
    ? `${route} takes no body: unknown ${fields} ${named}${hint}; send no body, or {}`
    : `body has an unknown ${fields} ${named}; known: ${known.join(', ')}${meant}${hint}`, details);
}

/**
 * For a route declaring OWN_BODY whose handler reads a required object body: refuses fields it does not read, as
 * optional bodies are (bodyProblem). Audit 24: PUT /v1/models/:name/aliases/:alias, POST .../compare and .../promote
 * ignored them (`expectFrm` moved the alias without the check asked for; `alais` promoted to production).
 */
export function refuseUnknownFields(req: FastifyRequest, known: readonly string[]): void {
  const problem = bodyProblem(req, known);
  if (problem) throw problem;
}

/** Route options with `body` as their declared body (route config `body`), the rest as given. */
export function withBody<T extends { config: object }>(options: T, body: BodySpec): T {
  return { ...options, config: { ...options.config, body } };
}
