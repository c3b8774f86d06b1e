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

const MATCHER_TEXT = /^([A-Za-z_][A-Za-z0-9_.-]*)(=~|!~|!=|=)(.*)$/s;

/**
 * A matcher written as formatMatcher writes it: "name=value", "name!=value", "name=~regex" or "name!~regex" (the
 * value as it is, spaces included). Throws naming the forms.
 */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_TEXT.exec(text);
  if (!m) throw new Error(`matcher must look like name=value, name!=value, name=~regex or name!~regex (got "${text.slice(0, 200)}")`);
  const op = m[2] as string;
  return { name: m[1] as string, value: m[3] as string, ...(op.endsWith('~') && { isRegex: true }), ...(op.startsWith('!') && { isNegative: true }) };
}

/**
 * Matchers written one after another, separated by commas (the dashboard's silence form: "model=churn,
 * severity!=warning"), each trimmed. A comma inside brackets, braces or parentheses, or escaped (`\,`), is part of a
 * regex ("tier=~a{1,3}|[,;]"), not a separator; a value with a bare comma is for the CLI or the API. Audit 26: the
 * form split each part at its first "=", so `severity!=warning` became an equality matcher on a label named
 * "severity!" and `metric=~drift:.*` one of the text "~drift:.*": silences that muted nothing.
 */
export function parseMatcherList(text: string): Matcher[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '').map(parseMatcher);
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
