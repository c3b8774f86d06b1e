import { getKey } from './auth.js';

/** An API answer other than 2xx, carrying the structured error {error:{code,message,details}}. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: unknown, readonly path: string) {
    super(message);
  }

  /** The endpoint does not exist on this server (e.g. alerting or the registry is not installed yet). */
  get missingEndpoint(): boolean {
    return this.status === 404 && /^no route /.test(this.message);
  }

  /** The scope a 403 asked for. */
  get requiredScope(): string | null {
    const d = this.details as { required?: unknown } | null;
    return typeof d?.required === 'string' ? d.required : (/lacks the "(\w+)" scope/.exec(this.message)?.[1] ?? null);
  }
}

export type Query = Record<string, string | number | undefined | null>;

export function qs(q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Calls the Lookout API with the session's key; 401 asks for a login (event "lookout:unauthorized"). */
export async function api<T>(path: string, q?: Query, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = getKey();
  if (key) headers['authorization'] = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const url = path + qs(q);
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'GET', headers, ...(init.body !== undefined && { body: JSON.stringify(init.body) }) });
  } catch (e) {
    // No answer at all (the browser says only "Failed to fetch"): the server is down, restarting or unreachable.
    throw new Error(`The Lookout server did not answer (${e instanceof Error ? e.message : String(e)}): it may be down or restarting. Reload the page to try again.`, { cause: e });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: { code: 'bad_response', message: text.slice(0, 200) } };
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const failure = new ApiFailure(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.details ?? null, path);
    // Only when the key sent is still the session's: a 401 to a request sent before the user signed in again
    // (several panels load at once) must not sign the new key out.
    if (res.status === 401 && getKey() === key) window.dispatchEvent(new CustomEvent('lookout:unauthorized', { detail: failure.message }));
    throw failure;
  }
  return body as T;
}

const missing = new Set<string>();

/**
 * Like api(), but an endpoint this server does not have (404 "no route") answers `fallback` instead of
 * throwing; it is remembered for the page's lifetime, so it is asked once.
 */
export async function optional<T>(path: string, q: Query | undefined, fallback: T): Promise<{ value: T; available: boolean }> {
  if (missing.has(path)) return { value: fallback, available: false };
  try {
    return { value: await api<T>(path, q), available: true };
  } catch (e) {
    if (e instanceof ApiFailure && e.missingEndpoint) {
      missing.add(path);
      return { value: fallback, available: false };
    }
    throw e;
  }
}

/** Human text for an error shown in a panel. */
export function explain(e: unknown): string {
  if (e instanceof ApiFailure) {
    if (e.status === 403) return `This API key lacks the "${e.requiredScope ?? '?'}" scope needed here (${e.message}).`;
    if (e.status === 401) return `Sign in with an API key: ${e.message}.`;
    if (e.missingEndpoint) return `Not available on this server: ${e.path} does not exist here yet.`;
    return `${e.message} (HTTP ${e.status}, ${e.code})`;
  }
  return e instanceof Error ? e.message : String(e);
}
