import { closest as closestName } from '../core/text/closest.js';

/**
 * JSON Schema keyword typos. The catalog's Ajv runs with strict mode off, so that annotations such as "x-lookout-kind"
 * compile; Ajv then ignores any word it does not know, and a misspelt keyword ("propertes", "requried", "minimun")
 * silently validates nothing. unknownKeyword() walks the schema and names the first key that is neither a keyword Ajv
 * knows (the caller passes Ajv's own list, `Object.keys(ajv.RULES.keywords)`) nor an annotation starting with "x-".
 */

/**
 * Where a draft-07 schema holds subschemas (as json-schema-traverse lists them, the walker Ajv itself depends on):
 * a schema, an array of schemas, or an object whose values are schemas. Other values (enum, const, default,
 * examples, required...) are data, not looked into.
 */
const SCHEMA = new Set(['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'items', 'contentSchema']);
const SCHEMA_ARRAY = new Set(['items', 'allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAP = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies']);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The first unknown keyword of `schema` as a readable message naming its path, or undefined when there is none. */
export function unknownKeyword(schema: unknown, known: ReadonlySet<string>): string | undefined {
  return findInSchema(schema, (node, path) => {
    for (const key of Object.keys(node)) {
      if (!key.startsWith('x-') && !known.has(key)) {
        const near = closest(key, known);
        return `${step(path, key)} is not a keyword of JSON Schema draft-07${near === undefined ? '' : ` (did you mean "${near}"?)`}; an annotation of your own must start with "x-"`;
      }
    }
    return undefined;
  });
}

/**
 * Walks `schema` and each of its subschemas (depth first, in key order; iterative: a deep schema cannot overflow the
 * stack), and answers the first message `check` gives one of them (an object) with its path ("" for the root), or
 * undefined when it gives none.
 */
export function findInSchema(schema: unknown, check: (node: Record<string, unknown>, path: string) => string | undefined): string | undefined {
  const stack: Array<{ node: unknown; path: string }> = [{ node: schema, path: '' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: string };
    if (typeof node !== 'object' || node === null || Array.isArray(node)) continue;
    const found = check(node as Record<string, unknown>, path);
    if (found !== undefined) return found;
    const keys = Object.keys(node);
    // Pushed in reverse, so that the first key's subschemas are looked at first.
    for (const key of [...keys].reverse()) {
      const value = (node as Record<string, unknown>)[key];
      const at = step(path, key);
      if (SCHEMA_MAP.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const name of Object.keys(value).reverse()) stack.push({ node: (value as Record<string, unknown>)[name], path: step(at, name) });
      } else if (SCHEMA_ARRAY.has(key) && Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ node: value[i], path: step(at, i) });
      } else if (SCHEMA.has(key)) {
        stack.push({ node: value, path: at });
      }
    }
  }
  return undefined;
}

/** `key` of the schema at `path`, as a path ("properties.age.minimun", "properties[\"a b\"]"). */
export function step(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key.slice(0, 100))}]`;
}

/**
 * The known keyword nearest to `word` (case aside), if near enough to be its typo: keywords are long, so up to a third
 * of the word's length (1 to 3 edits) apart (src/core/text/closest.ts).
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  return closestName(word, known, Math.max(1, Math.min(3, Math.floor(word.length / 3)))) ?? undefined;
}
