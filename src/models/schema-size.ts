import { findInSchema, step } from './schema-keywords.js';

/**
 * Bounds on a model's input schema, checked when it is declared, before Ajv reads it. Ajv checks a schema against
 * draft-07's meta-schema and compiles it on the server's event loop, recursively: a 200,000-value `enum` held the
 * server 296 s (the meta-schema's uniqueItems check is quadratic: 40,000 values took 10 s) and every event was then
 * compared with each value in turn, and a schema of 20,000 properties, nested 500 levels or with a chain of 3,000
 * `$ref`s failed after seconds with "Maximum call stack size exceeded". No model's schema needs more than these.
 */
export const SCHEMA_LIMITS = {
  /** Characters of the schema as JSON text. */
  chars: 1_000_000,
  /** Subschemas (the root, each property, each item of allOf...). */
  subschemas: 10_000,
  /** Nesting of its objects and arrays, the root being level 1. */
  depth: 100,
  /** Values of one `enum`. */
  enumValues: 10_000,
  /** `$ref`s followed from one to the next before a schema that is no `$ref`. */
  refChain: 32,
} as const;

/** Why `schema` exceeds SCHEMA_LIMITS, naming the path and the limit, or undefined when it does not. */
export function schemaSizeProblem(schema: unknown): string | undefined {
  // iterative: a schema nested deeper than the stack must not overflow it here (JSON.stringify would)
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: schema, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof value !== 'object' || value === null) continue;
    if (depth > SCHEMA_LIMITS.depth) {
      return `${path || 'the schema'} nests objects and arrays more than ${SCHEMA_LIMITS.depth} levels deep (at most ${SCHEMA_LIMITS.depth})`;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, path: step(path, i) });
    } else {
      for (const key of Object.keys(value).reverse()) stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: step(path, key) });
    }
  }
  let subschemas = 0;
  const found = findInSchema(schema, (node, path) => {
    subschemas += 1;
    if (subschemas > SCHEMA_LIMITS.subschemas) {
      return `the schema has more than ${SCHEMA_LIMITS.subschemas.toLocaleString('en-US')} subschemas (properties, items, definitions...; ${path} is one more): at most ${SCHEMA_LIMITS.subschemas.toLocaleString('en-US')}`;
    }
    const values = node['enum'];
    if (Array.isArray(values) && values.length > SCHEMA_LIMITS.enumValues) {
      return `${step(path, 'enum')} has ${values.length} values, more than the ${SCHEMA_LIMITS.enumValues.toLocaleString('en-US')} an enum may have (declare a "type": "string" feature instead: it is categorical all the same)`;
    }
    return refChainProblem(schema, node, path);
  });
  if (found !== undefined) return found;
  const chars = JSON.stringify(schema).length;
  if (chars > SCHEMA_LIMITS.chars) {
    return `the schema is ${chars} characters of JSON, more than the ${SCHEMA_LIMITS.chars.toLocaleString('en-US')} an input schema may have`;
  }
  return undefined;
}

/**
 * A `$ref` whose target is a `$ref` too, and so on, more than SCHEMA_LIMITS.refChain times or back to itself (which
 * names no schema at all: Ajv overflowed the stack resolving it).
 */
function refChainProblem(root: unknown, node: Record<string, unknown>, path: string): string | undefined {
  const first = node['$ref'];
  let ref = first;
  const seen = new Set<unknown>([node]);
  let hops = 0;
  while (typeof ref === 'string') {
    const target = localTarget(root, ref);
    if (typeof target !== 'object' || target === null || Array.isArray(target)) return undefined;
    if (seen.has(target)) return `${step(path, '$ref')} ${JSON.stringify(String(first).slice(0, 200))} leads back to itself through $refs only, naming no schema`;
    seen.add(target);
    hops += 1;
    if (hops > SCHEMA_LIMITS.refChain) return `${step(path, '$ref')} ${JSON.stringify(String(first).slice(0, 200))} starts a chain of more than ${SCHEMA_LIMITS.refChain} $refs, each to another $ref (at most ${SCHEMA_LIMITS.refChain})`;
    ref = (target as Record<string, unknown>)['$ref'];
  }
  return undefined;
}

/** The value a local `$ref` ("#", "#/definitions/a") points at in `root`, or undefined (another form, or nothing there). */
function localTarget(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}
