/*
 * Environment variables in lookout.yaml's values: `${NAME}`, `${NAME:-default}` (the default when NAME is unset or
 * empty), `$${` for a literal `${`. Expanded in the parsed file's string values only (never in keys, and never into
 * YAML structure: a value holding `: ` or `#` stays one string), so secrets (a Slack or webhook URL, a webhook secret,
 * a PostgreSQL URL with its password) can stay out of the file. An unset variable without a default stops the start,
 * naming the key and the variable. A `$NAME` without braces is not a reference.
 */

/** The parsed file with its references expanded, and where they were (JSON pointers). */
export interface ExpandedConfig {
  value: unknown;
  /** Pointer -> the variables its value was made from (an error about it names them instead of showing the value). */
  variables: Map<string, string[]>;
  /** Pointers whose value was one reference and nothing else (`port: ${PORT}`): typed by the schema (below). */
  whole: Set<string>;
  /** Each variable used, with its value (for redactEnv). */
  values: Map<string, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const pointerPart = (p: string | number): string => String(p).replace(/~/g, '~0').replace(/\//g, '~1');

/** "/alerting/notifiers/0/url" as "alerting.notifiers[0].url". */
const keyPath = (pointer: string): string =>
  pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');

/** One string value expanded; throws with the key path on an unset variable or a malformed reference. */
function expandString(s: string, pointer: string, env: Readonly<Record<string, string | undefined>>, used: string[], values: Map<string, string>): string {
  let out = '';
  let i = 0;
  for (;;) {
    const at = s.indexOf('${', i);
    if (at < 0) return out + s.slice(i);
    if (at > 0 && s[at - 1] === '$') { // `$${`: a literal `${` (the first `$` is the escape)
      out += s.slice(i, at - 1) + '${';
      i = at + 2;
      continue;
    }
    const end = s.indexOf('}', at + 2);
    if (end < 0) throw new Error(`${keyPath(pointer)}: "\${" without a closing "}" (write $\${ for a literal \${)`);
    const inner = s.slice(at + 2, end);
    const sep = inner.indexOf(':-');
    const name = sep < 0 ? inner : inner.slice(0, sep);
    if (!NAME.test(name)) {
      throw new Error(`${keyPath(pointer)}: "\${${inner.slice(0, 60)}}" is not a variable reference (\${NAME} or \${NAME:-default}, NAME of letters, digits and _; write $\${ for a literal \${)`);
    }
    used.push(name);
    const set = env[name];
    let value: string;
    if (sep >= 0) value = set === undefined || set === '' ? inner.slice(sep + 2) : set;
    else if (set === undefined) throw new Error(`${keyPath(pointer)}: the environment variable ${name} is not set (give it a value, or a default: \${${name}:-default})`);
    else value = set;
    if (set !== undefined) values.set(name, set);
    out += s.slice(i, at) + value;
    i = end + 1;
  }
}

/** Expands every string value of the parsed file (objects and lists walked; keys kept as written). */
export function expandEnv(raw: unknown, env: Readonly<Record<string, string | undefined>>): ExpandedConfig {
  const variables = new Map<string, string[]>();
  const whole = new Set<string>();
  const values = new Map<string, string>();
  const walk = (v: unknown, pointer: string): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      const used: string[] = [];
      const out = expandString(v, pointer, env, used, values);
      if (used.length > 0) {
        variables.set(pointer, used);
        if (used.length === 1 && /^\$\{[^}]*\}$/.test(v)) whole.add(pointer);
      }
      return out;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${pointer}/${i}`));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${pointer}/${pointerPart(k)}`)]));
    }
    return v;
  };
  return { value: walk(raw, ''), variables, whole, values };
}

/**
 * A value that was one reference alone, where the schema wants a number or a boolean (`port: ${PORT}`, `sampleRate:
 * ${RATE}`): the variable's text read as one (decimal digits for an integer, a decimal number, true/false), else left
 * as the string, for the schema's message. Returns whether it changed anything.
 */
export function typeWholeReference(root: unknown, pointer: string, want: string): boolean {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = parts.pop();
  if (key === undefined) return false;
  const parent = parts.reduce<unknown>((o, p) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined), root);
  if (parent === null || typeof parent !== 'object') return false;
  const holder = parent as Record<string, unknown>;
  const text = holder[key];
  if (typeof text !== 'string') return false;
  let typed: number | boolean | undefined;
  if (want === 'integer' && /^-?[0-9]+$/.test(text)) typed = Number(text);
  else if (want === 'number' && /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) typed = Number(text);
  else if (want === 'boolean' && (text === 'true' || text === 'false')) typed = text === 'true';
  if (typed === undefined) return false;
  holder[key] = typed;
  return true;
}

/**
 * `message` with each variable's value (of 6 characters or more: ports, rates and switches are not secrets and would
 * garble the message) written as `${NAME}`: a later check's error about a value made from the environment (a
 * notifier's URL the alerting section refuses, a store URL that cannot be opened) would print a secret otherwise.
 */
export function redactEnv(message: string, values: ReadonlyMap<string, string>): string {
  const long = [...values.entries()].filter(([, v]) => v.length >= 6).sort((a, b) => b[1].length - a[1].length);
  return long.reduce((m, [name, v]) => m.split(v).join(`\${${name}}`), message);
}
