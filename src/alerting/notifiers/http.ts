/**
 * POSTs a body; a non-2xx answer is an error with the status and the start of the response text. Fails after
 * `timeoutMs`, or at once when `stop` aborts (the request is cut: the server is stopping). One controller and timer,
 * not AbortSignal.any([AbortSignal.timeout(), stop]): in Node 20 a timeout signal inside any() can be garbage-collected
 * before it fires (nodejs/node#57736; src/client/transport.ts does the same).
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, stop?: AbortSignal): Promise<void> {
  if (stop?.aborted === true) throw new Error(`POST ${url} not sent: the server is stopping`);
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, timeoutMs);
  let cutShort = false;
  const cut = (): void => {
    cutShort = true;
    ctl.abort();
  };
  stop?.addEventListener('abort', cut, { once: true });
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: ctl.signal });
    text = await res.text().catch(() => '');
  } catch (e) {
    if (timedOut) throw new Error(`POST ${url}: no answer within ${timeoutMs} ms`, { cause: e });
    if (cutShort) throw new Error(`POST ${url} cut short: the server is stopping`, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', cut);
  }
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
}

export function requireUrl(config: Record<string, unknown>, key = 'url'): string {
  const u = config[key];
  if (typeof u !== 'string' || !/^https?:\/\//.test(u)) throw new Error(`notifier "${String(config['id'])}" needs "${key}": an http(s) URL`);
  return u;
}
