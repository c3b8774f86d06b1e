import type { FastifyInstance, RouteOptions } from 'fastify';
import { VERSION } from '../version.js';
import { ERROR_STATUS } from './errors.js';
import { ANY_QUERY, type QuerySpec } from './known-query.js';
import { BODY_METHODS, type BodySpec } from './body-fields.js';
import { ANSWER_SCHEMAS, type AnswerSpec } from './answers/index.js';
import { ref } from './answers/schema.js';

/*
 * GET /v1/openapi.json: an OpenAPI 3.1 description of the HTTP API, built from the routes as registered (no second list
 * to keep in step): each route's method and path, its path parameters, the query parameters it declares (known-query.ts:
 * the same list that refuses others), its JSON body schema where the route validates one, the API key scope it needs
 * and the error shape every endpoint answers, and the successful answer's JSON Schema where the route names one (route
 * config `answer`: src/http/answers/, shared parts in #/components/schemas; the others are described in README.md only).
 * Those schemas are not Fastify response schemas (whose serializer drops what they do not list): only this reads them.
 * Written by hand: @fastify/swagger documents only what a route's `schema` holds, and most query parameters here are
 * checked by the handlers (their messages name the valid values), not by a querystring schema.
 */

/** The scope an onRequest hook of ApiKeys.hook() checks (set on the hook function by ApiKeys.hook). */
export const SCOPE = Symbol('lookout.scope');

interface Captured {
  method: string;
  url: string;
  query: QuerySpec;
  body: unknown;
  /** What its body holds (route config body, body-fields.ts). */
  bodySpec: BodySpec | undefined;
  /** The media types its body may have (route config mediaTypes, media-types.ts: JSON without one). */
  mediaTypes: readonly string[];
  querySchema: Record<string, unknown>;
  scope: string | null;
  answer: AnswerSpec | undefined;
}

/**
 * Records every route added to `app` from now on (call before any route is added); returns the document of them,
 * built at its first call (once every route is added) and kept.
 */
export function useOpenApi(app: FastifyInstance): () => Record<string, unknown> {
  const list: Captured[] = [];
  let doc: Record<string, unknown> | null = null;
  app.addHook('onRoute', (route: RouteOptions) => {
    // Fastify would serialise the answers with fast-json-stringify, which silently drops every property the schema does
    // not list (open maps, fields added later): describe an answer with config.answer (src/http/answers/) instead.
    if ((route.schema as { response?: unknown } | undefined)?.response !== undefined) {
      throw new Error(`route ${[route.method].flat().join(',')} ${route.url} has a schema.response: Fastify would drop what it does not list from every answer; describe the answer with config: { answer } (src/http/answers/) instead`);
    }
    const hooks = [route.onRequest ?? []].flat() as Array<{ [SCOPE]?: string }>;
    const schema = (route.schema ?? {}) as { body?: unknown; querystring?: { properties?: Record<string, unknown> } };
    for (const method of [route.method].flat()) {
      list.push({
        method, url: route.url, query: route.config?.query ?? [], body: schema.body, bodySpec: route.config?.body, mediaTypes: route.config?.mediaTypes ?? ['application/json'],
        querySchema: schema.querystring?.properties ?? {}, answer: route.config?.answer, scope: hooks.find((h) => typeof h[SCOPE] === 'string')?.[SCOPE] ?? null,
      });
    }
  });
  return () => (doc ??= openApiDocument(list));
}

/** `/v1/models/:name/drift` as OpenAPI writes it, `/v1/models/{name}/drift`, and its parameters' names. */
function openApiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/**
 * A route's request body: its JSON schema where the route validates one (required then); the fields of an optional
 * object (route config body, body-fields.ts: none for a route taking no body); else the media types it takes, without a
 * schema (the handler checks the body: events, labels and files are read row by row).
 */
function requestBody(r: Captured): Record<string, unknown> | null {
  if (r.body !== undefined) return { required: true, content: { 'application/json': { schema: r.body } } };
  if (Array.isArray(r.bodySpec)) {
    if (r.bodySpec.length === 0) return null;
    const properties = Object.fromEntries(r.bodySpec.map((f) => [f, {}]));
    return { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties } } } };
  }
  return { required: false, content: Object.fromEntries(r.mediaTypes.map((t) => [t, {}])) };
}

/** The response object of a described answer: its JSON body's schema, or none (204). */
function answerObject(a: AnswerSpec): Record<string, unknown> {
  return a.schema === null ? { description: a.description } : { description: a.description, content: { 'application/json': { schema: ref(a.schema) } } };
}

const ERROR_SCHEMA = {
  type: 'object', required: ['error'], additionalProperties: false,
  properties: {
    error: {
      type: 'object', required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: { type: 'string' },
        details: { type: 'object', description: 'more about the error ({} when there is nothing more)' },
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the routes recorded by useOpenApi, but the dashboard's files (`/ui/*`) and the HEAD routes
 * Fastify adds beside each GET.
 */
function openApiDocument(routes: readonly Captured[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.method === 'HEAD' || r.url === '/ui' || r.url.startsWith('/ui/') || r.url.includes('*')) continue;
    const { path, params } = openApiPath(r.url);
    const parameters = [
      ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(r.query === ANY_QUERY ? [] : r.query.map((name) => ({ name, in: 'query', required: false, schema: r.querySchema[name] ?? { type: 'string' } }))),
    ];
    const answer = r.answer;
    const op: Record<string, unknown> = {
      // an identifier, as code generators name methods by it: get_v1_models_name_drift
      operationId: `${r.method.toLowerCase()}${r.url.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, '')}`,
      ...(parameters.length > 0 && { parameters }),
      ...(BODY_METHODS.has(r.method) && requestBody(r) !== null && { requestBody: requestBody(r) }),
      responses: {
        ...(answer
          ? Object.fromEntries(answer.status.map((status) => [String(status), answerObject(answer)]))
          : { '2XX': { description: 'success: the answer is described in README.md ("API") and docs/*.md' } }),
        default: { $ref: '#/components/responses/Error' },
      },
      ...(r.scope !== null ? { security: [{ bearer: [r.scope] }, { apiKeyHeader: [r.scope] }], 'x-lookout-scope': r.scope } : { security: [] }),
      ...(r.query === ANY_QUERY && { 'x-lookout-any-query': true }),
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lookout', version: VERSION,
      description: 'Monitoring, registry and gateway API of a Lookout server. When API keys are configured, every endpoint but /healthz needs a key with the scope named by the operation\'s x-lookout-scope (admin keys hold every scope). A query parameter an operation does not list is refused (400 unknown_parameter).',
    },
    paths,
    components: {
      schemas: structuredClone(ANSWER_SCHEMAS),
      responses: { Error: { description: 'an error: {"error": {"code", "message", "details"}}, the HTTP status given by the code', content: { 'application/json': { schema: ERROR_SCHEMA } } } },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer KEY' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}
