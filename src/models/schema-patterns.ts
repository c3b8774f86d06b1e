import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';
import { findInSchema, step } from './schema-keywords.js';

/**
 * Regular expressions of input schemas (`pattern`, `patternProperties`, `propertyNames.pattern`) run on every event's
 * features, so on text any client with an ingest key chooses. JavaScript's RegExp backtracks: with a pattern such as
 * "^(a+)+$" (or an e-mail pattern copied from the web), one 30-character value blocked the server's event loop for
 * minutes (25 characters: 3.4 s, twice as long per character more), every request and the gateway's predictions
 * waiting behind it. Input schemas' patterns are therefore run by RE2 (re2js, in JavaScript), whose time is linear in
 * the text's length whatever the pattern; RE2 has no lookaround and no backreferences, so a pattern using them is
 * refused when a model is declared (unsupportedPattern).
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string): RegExpLike => {
    const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    // Ajv keys its cache of compiled patterns by toString().
    const like = { test: (s: string): boolean => re.test(s), toString: (): string => `re2:${pattern}` };
    return like;
  },
  { code: 'lookoutLinearRegExp' },
);

/**
 * The engine of schemas stored before patterns were checked (a model declared by an earlier release): RE2 when it can
 * run the pattern, else JavaScript's RegExp as then, so that such a store still starts; declaring the model again
 * refuses the pattern.
 */
export const storedRegExp: RegExpEngine = Object.assign(
  (pattern: string, u: string): RegExpLike => {
    try {
      return linearRegExp(pattern, u);
    } catch {
      return new RegExp(pattern, u);
    }
  },
  { code: 'lookoutStoredRegExp' },
);

/** Why RE2 cannot run `pattern` (a lookaround, a backreference, a repeat count over 1000), or undefined when it can. */
export function patternProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(RE2JS.translateRegExp(pattern));
    return undefined;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp: /, '');
  }
}

/**
 * Formats whose check takes time growing faster than the value's length, refused in input schemas: ajv-formats' "url"
 * (a regular expression with nested repeats and lookaheads, not a draft-07 format) took 0.15 s for a 10,000-character
 * value, 2.1 s for 40,000 (one 16 MiB request holds hundreds of those).
 */
export const SLOW_FORMATS: Readonly<Record<string, string>> = {
  url: 'use "uri" (draft-07\'s format, checked in linear time) or a "pattern"',
};

/**
 * The first regular expression or format of `schema` that events could not be checked against in linear time, as a
 * message naming its path; undefined when there is none.
 */
export function unsafeRegex(schema: unknown): string | undefined {
  return findInSchema(schema, (node, path) => {
    const pattern = node['pattern'];
    if (typeof pattern === 'string') {
      const problem = patternProblem(pattern);
      if (problem !== undefined) return refused(step(path, 'pattern'), pattern, problem);
    }
    const props = node['patternProperties'];
    if (typeof props === 'object' && props !== null && !Array.isArray(props)) {
      for (const p of Object.keys(props)) {
        const problem = patternProblem(p);
        if (problem !== undefined) return refused(`${step(path, 'patternProperties')} key`, p, problem);
      }
    }
    const format = node['format'];
    if (typeof format === 'string' && Object.hasOwn(SLOW_FORMATS, format)) {
      return `${step(path, 'format')} "${format}" is refused: its check takes time growing faster than the value's length, so one long value could hold the server for minutes; ${SLOW_FORMATS[format]}`;
    }
    return undefined;
  });
}

function refused(at: string, pattern: string, problem: string): string {
  return `${at} ${JSON.stringify(pattern.slice(0, 200))} cannot be used: events are checked with RE2, whose time is linear in the text's length (a backtracking pattern such as "^(a+)+$" could hold the server for hours), and which has no lookaround or backreferences (${problem})`;
}
