/*
 * Helpers for the JSON Schemas (2020-12, OpenAPI 3.1's dialect) of successful answers (src/http/answers/*.ts). These
 * schemas are read by openapi.ts only: they are never given to Fastify's `schema.response`, whose serializer
 * (fast-json-stringify) would drop every property an answer has and its schema does not list.
 */

export type Schema = Record<string, unknown>;

/** A reference to a shared schema of the document (#/components/schemas/NAME, answers/index.ts). */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** A number, or null where the value is undefined for the data (none to compute it from, a division by 0, ...). */
export const numberOrNull: Schema = { type: ['number', 'null'] };

/** A count: a whole number, 0 or more. */
export const count: Schema = { type: 'integer', minimum: 0 };

/** A time: milliseconds since the epoch (UTC). */
export const epochMs: Schema = { type: 'integer', description: 'milliseconds since 1970-01-01T00:00:00Z' };

/** The `next` of a paged list: the id of its last item, which the next page's `param` takes; null on the last page. */
export const nextPage = (param: 'before' | 'after'): Schema => ({ type: ['string', 'null'], description: `the "${param}" of the next page (the last item's id); null on the last` });

/** An object whose listed properties are all required (the usual shape: every field always present). */
export function object(properties: Record<string, Schema>, optional: readonly string[] = [], extra: Schema = {}): Schema {
  return { type: 'object', required: Object.keys(properties).filter((k) => !optional.includes(k)), properties, ...extra };
}

/** `schema` or null. */
export function orNull(schema: Schema): Schema {
  return { anyOf: [schema, { type: 'null' }] };
}
