import { checkMatcher, type Matcher } from '../../core/rules/matchers.js';
import { SEVERITIES } from '../../core/rules/types.js';
import { parseDuration } from '../../monitors/duration.js';
import { didYouMean } from '../../core/text/closest.js';

/** Checks one key's value: undefined when fine, else what it must be ("must be a string"). */
export type KeyCheck = (v: unknown) => string | undefined;

const got = (v: unknown): string => (Array.isArray(v) ? 'a list' : JSON.stringify(v)?.slice(0, 60) ?? String(v));

export const text: KeyCheck = (v) => (typeof v === 'string' ? undefined : `must be a string (got ${got(v)})`);
/** A user or password in the URL (`https://user:pass@host/`): Node's fetch refuses to send such a request at all. */
function credentials(v: string): boolean {
  try {
    const u = new URL(v);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

export const httpUrl: KeyCheck = (v) => {
  if (typeof v !== 'string' || !/^https?:\/\/[^/\s]+/.test(v)) return `must be an http(s) URL (got ${got(v)})`;
  // accepted, every delivery failed ("Request cannot be constructed from a URL that includes credentials"); the value
  // is not shown: its password is the point
  if (credentials(v)) return 'must not hold a user or password (user:pass@host): Node\'s fetch refuses such a URL, so every request would fail; put the credential in the path or query, or use a webhook "secret"';
  return undefined;
};
export const argv: KeyCheck = (v) => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? undefined : `must be a non-empty list of strings (argv, no shell; got ${got(v)})`);
const bool: KeyCheck = (v) => (typeof v === 'boolean' ? undefined : `must be true or false (got ${got(v)})`);
const int = (min: number, max: number): KeyCheck => (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be an integer from ${min} to ${max} (got ${got(v)})`);

function matcherList(v: unknown): string | undefined {
  if (!Array.isArray(v)) return `must be a list of {name, value, isRegex?, isNegative?} (got ${got(v)})`;
  for (const m of v) {
    try {
      checkMatcher(m as Matcher);
    } catch (e) {
      return `has an invalid matcher: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return undefined;
}

function duration(v: unknown): string | undefined {
  try {
    parseDuration(v, 'x');
    return undefined;
  } catch {
    return `must be a duration like "30s", "5m", "1h" or milliseconds (got ${got(v)})`;
  }
}

/** The keys every notifier takes, whatever its kind (docs/alerting.md, Notifiers). */
export const COMMON_KEYS: Readonly<Record<string, KeyCheck>> = {
  id: text, kind: text, matchers: matcherList,
  minSeverity: (v) => (SEVERITIES.includes(v as never) ? undefined : `must be one of ${SEVERITIES.join(', ')} (got ${got(v)})`),
  sendResolved: bool, retries: int(0, 100), backoffMs: int(0, 3_600_000), timeoutMs: int(1, 3_600_000), resendInterval: duration,
};

/**
 * Refuses a key neither the kind nor every notifier takes (a typo such as `secrett` or `minseverity` was ignored: the
 * webhook went out unsigned, every alert paged) and a value of the wrong type, naming the key path and the known keys.
 */
export function checkNotifierKeys(config: Record<string, unknown>, kind: string, own: Readonly<Record<string, KeyCheck>>, where: string): void {
  const known = { ...own, ...COMMON_KEYS };
  const extra = Object.keys(config).find((k) => !(k in known));
  if (extra !== undefined) {
    throw new Error(`${where}.${extra.slice(0, 100)} is unknown (notifier "${String(config['id'])}", kind ${kind}; known keys: ${Object.keys(known).join(', ')}${didYouMean(extra, Object.keys(known))})`);
  }
  for (const [k, check] of Object.entries(known)) {
    const wrong = config[k] === undefined ? undefined : check(config[k]);
    if (wrong !== undefined) throw new Error(`${where}.${k} ${wrong}`);
  }
}
