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

/** The known keyword nearest to `word` (optimal string alignment distance, case-insensitive), if near enough to be its typo. */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const k of known) {
    const d = distance(w, k.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best === undefined)) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Edits (insert, delete, substitute, swap two neighbours) turning a into b. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const up = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
