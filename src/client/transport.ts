import { parseRetryAfter } from './backoff.js';

export interface TransportConfig {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: typeof fetch;
  clock: () => number;
}

/** `unanswered`: no HTTP answer came (connection refused or reset, DNS, TLS, timeout). */
export type Attempt = { kind: 'ok'; body: unknown } | { kind: 'retry'; error: unknown; retryAfterMs?: number; unanswered?: boolean } | { kind: 'fatal'; error: unknown; tooLarge?: boolean };

export interface Rejection {
  index: number;
  id?: string;
  code: string;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One request; never throws. Network errors, timeouts, 408, 429 and 5xx are retryable; other 4xx, and a 2xx that is not Lookout's answer, are not. */
export async function postBatch(cfg: TransportConfig, body: string, abandoned: AbortSignal): Promise<Attempt> {
  // Abandoned during a retry wait: no new request (its 'abort' event has fired already and would not end it).
  if (abandoned.aborted) return { kind: 'retry', error: abandoned.reason };
  // Our own controller and timer rather than AbortSignal.any([AbortSignal.timeout(), ...]): in Node 20 the timeout
  // signal inside any() can be garbage-collected before it fires (nodejs/node#57736), leaving the request hanging,
  // and any() would add a listener to the long-lived `abandoned` signal per request.
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`no answer within ${cfg.timeoutMs} ms`, 'TimeoutError')), cfg.timeoutMs);
  timer.unref();
  const abandon = (): void => ctl.abort(abandoned.reason);
  abandoned.addEventListener('abort', abandon);
  try {
    const res = await cfg.fetch(cfg.url, { method: 'POST', headers: cfg.headers, body, signal: ctl.signal });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: only the status matters
    }
    if (res.ok) {
      if (isRecord(parsed) && Array.isArray(parsed['results'])) return { kind: 'ok', body: parsed };
      // Not Lookout (a wrong url, a proxy's catch-all page): nothing says the rows were stored, and a retry would not help.
      return { kind: 'fatal', error: new Error(`HTTP ${res.status}, but the answer is not Lookout's {accepted, rejected, results} (is url the Lookout server?): ${text.slice(0, 200)}`) };
    }
    const e = isRecord(parsed) && isRecord(parsed['error']) ? parsed['error'] : null;
    const error = new Error(`HTTP ${res.status}${e ? ` ${String(e['code'])}: ${String(e['message'])}` : `: ${text.slice(0, 200)}`}`);
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return { kind: 'retry', error, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), cfg.clock()) };
    }
    return { kind: 'fatal', error, ...(res.status === 413 && { tooLarge: true }) };
  } catch (error) {
    return { kind: 'retry', error, unanswered: !abandoned.aborted };
  } finally {
    clearTimeout(timer);
    abandoned.removeEventListener('abort', abandon);
  }
}

/**
 * Rejected rows of a 2xx answer ({accepted, rejected, results}) and the first few of them. On a retry, duplicate_id
 * means an earlier attempt of the same batch stored the row (its answer was lost): delivered, not rejected.
 */
export function rejectedRows(body: unknown, isRetry: boolean): { rejected: number; samples: Rejection[] } {
  const results = isRecord(body) && Array.isArray(body['results']) ? body['results'] : [];
  let rejected = 0;
  const samples: Rejection[] = [];
  // Only the first duplicate_id of an id, and only when no row of that id was accepted by this answer (the earlier
  // attempt stored nothing, e.g. the server was down): any other is the caller's own duplicate within the batch.
  const dupIds = new Set<unknown>();
  if (isRetry) for (const r of results) if (isRecord(r) && r['status'] === 'accepted') dupIds.add(r['id']);
  for (const r of results) {
    if (!isRecord(r) || r['status'] !== 'rejected') continue;
    // details.model: the id is stored as another model's prediction, never by an earlier attempt of this row.
    const otherModel = isRecord(r['details']) && typeof r['details']['model'] === 'string';
    if (isRetry && r['code'] === 'duplicate_id' && !otherModel && !dupIds.has(r['id'])) {
      dupIds.add(r['id']);
      continue;
    }
    rejected++;
    if (samples.length < 5) samples.push({ index: Number(r['index']), ...(typeof r['id'] === 'string' && { id: r['id'] }), code: String(r['code']), message: String(r['message']) });
  }
  return { rejected, samples };
}

/** The `warnings` of a batch's answer (audit 28), each with its code, message and details; [] when it has none. */
export function answerWarnings(body: unknown): Array<{ code: string; message: string; details: Record<string, unknown> }> {
  const list = isRecord(body) && Array.isArray(body['warnings']) ? body['warnings'] : [];
  return list.filter(isRecord).map((w) => ({ code: String(w['code']), message: String(w['message']), details: isRecord(w['details']) ? w['details'] : {} }));
}

/** JSON of a row, or why it cannot be sent (circular, BigInt, a throwing getter or toJSON, too large). */
export function serialise(value: unknown, id: string | null, ts: string | null, maxChars: number): string | { message: string; cause: unknown } {
  try {
    if (id !== null || ts !== null) {
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      if (id !== null) copy['id'] = id;
      if (ts !== null) copy['timestamp'] = ts;
      value = copy;
    }
    const json = JSON.stringify(value);
    if (typeof json !== 'string') return { message: 'row is not serialisable as JSON', cause: undefined };
    if (json.length > maxChars) return { message: `row too large (${json.length} characters of JSON, maxBatchChars ${maxChars})`, cause: undefined };
    return json;
  } catch (err) {
    return { message: `row cannot be serialised: ${err instanceof Error ? err.message : 'unknown error'}`, cause: err };
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}${cause}`;
  }
  return String(err);
}
