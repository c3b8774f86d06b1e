/** Label matchers, as Alertmanager's: equality or a fully anchored regular expression (pure). */
import { firstUnknown, knownKeys } from '../text/closest.js';

export interface Matcher {
  name: string;
  value: string;
  isRegex?: boolean;
  /** Negated match (name != value / !~ regex). */
  isNegative?: boolean;
}

export type Labels = Readonly<Record<string, string>>;

const cache = new Map<string, RegExp>();

function anchored(src: string): RegExp {
  let re = cache.get(src);
  if (!re) {
    re = new RegExp(`^(?:${src})$`);
    if (cache.size > 1000) cache.clear();
    cache.set(src, re);
  }
  return re;
}

const MATCHER_KEYS = ['name', 'value', 'isRegex', 'isNegative'];

/** Throws a readable error for an invalid matcher (bad regex, empty name). */
export function checkMatcher(m: Matcher): void {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('a matcher must be an object {name, value, isRegex?, isNegative?}');
  if (typeof m.name !== 'string' || m.name === '') throw new Error('matcher name must be a non-empty string');
  if (typeof m.value !== 'string') throw new Error(`matcher "${m.name}" value must be a string`);
  // a misspelt isregex was ignored (the regex compared as text: the silence or rule matched nothing)
  const extra = firstUnknown(m, MATCHER_KEYS);
  if (extra !== undefined) throw new Error(`matcher "${m.name}": "${extra.slice(0, 100)}" is unknown ${knownKeys(extra, MATCHER_KEYS)}`);
  for (const k of ['isRegex', 'isNegative'] as const) {
    if (m[k] !== undefined && typeof m[k] !== 'boolean') throw new Error(`matcher "${m.name}": ${k} must be true or false (got ${JSON.stringify(m[k])?.slice(0, 40)})`);
  }
  if (m.isRegex) {
    try {
      anchored(m.value);
    } catch (e) {
      throw new Error(`matcher "${m.name}" has an invalid regular expression: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  const hit = m.isRegex ? anchored(m.value).test(v) : v === m.value;
  return m.isNegative ? !hit : hit;
}

/** A matcher as `lookout silences add --matcher` takes it and the CLI and the dashboard print it: name=value, name!=value, name=~regex, name!~regex. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.isNegative ? '!' : '='}${m.isRegex ? '~' : m.isNegative ? '=' : ''}${m.value}`;
}

/** All matchers match (an empty list matches everything). */
export function matchesAll(ms: readonly Matcher[], labels: Labels): boolean {
  return ms.every((m) => matches(m, labels));
}

/**
 * Labels as a canonical string (sorted keys), for fingerprints and group keys. Names and values are both
 * percent-encoded, so neither can hold the `=` or `,` that separate them: two label sets never give one key. Names
 * and values without such characters (letters, digits, `_`, `-`, `.`) are unchanged: existing keys stay the same.
 */
export function labelsKey(labels: Labels, only?: readonly string[]): string {
  const keys = (only ?? Object.keys(labels)).filter((k) => labels[k] !== undefined).sort();
  return keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(labels[k] as string)}`).join(',');
}
