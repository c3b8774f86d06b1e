import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;
/** What Fastify asks a route's validator of (its schema, and which part of the request it checks). */
type RouteSchema = { schema: unknown; httpPart?: string };
type Compile = (route: RouteSchema) => unknown;

/** Fastify's own pool (one Ajv per distinct set of options), but one for the process instead of one per app. */
const pool = (AjvCompiler as unknown as () => (externalSchemas: unknown, options: unknown) => Compile)();
/** Each compiler's validators by what they check (the part of the request and its schema, as JSON). */
const compiled = new WeakMap<object, Map<string, unknown>>();

/**
 * Route validators shared by every app of the process (`schemaController.compilersFactory.buildValidator`). Fastify
 * makes a new Ajv for each app and compiles every route's schemas in it again, the meta-schema they are checked against
 * first: ~35 ms of CPU for each app started (a CPU profile of the tests, which start hundreds of servers in a few
 * processes). Here the Ajv of a set of options is made once, and a schema already compiled (the same JSON for the same
 * part of a request) is not compiled again; the routes' schemas are the same for every app, so what is kept is bounded
 * by them. Validation is Fastify's, unchanged: the same Ajv options, formats and compilation.
 */
export const sharedValidators = ((externalSchemas: unknown, options: unknown): Compile => {
  const build = pool(externalSchemas, options);
  let cache = compiled.get(build);
  if (!cache) compiled.set(build, (cache = new Map()));
  const memo = cache;
  return (route) => {
    const key = `${route.httpPart ?? ''}\u0000${JSON.stringify(route.schema)}`;
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = build(route)));
    return v;
  };
}) as unknown as ValidatorFactory;
