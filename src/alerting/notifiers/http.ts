/**
 * POSTs a body; a non-2xx answer is an error with the status and the start of the response text. Fails after
 * `timeoutMs`, or at once when `stop` aborts (the request is cut: the server is stopping). One controller and timer,
 * not AbortSignal.any([AbortSignal.timeout(), stop]): in Node 20 a timeout signal inside any() can be garbage-collected
 * before it fires (nodejs/node#57736; src/client/transport.ts does the same).
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, stop?: AbortSignal): Promise<void> {
  const shown = shownUrl(url);
  if (stop?.aborted === true) throw new Error(`POST ${shown} not sent: the server is stopping`);
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
    if (timedOut) throw new Error(`POST ${shown}: no answer within ${timeoutMs} ms`, { cause: e });
    if (cutShort) throw new Error(`POST ${shown} cut short: the server is stopping`, { cause: e });
    // fetch's own messages may quote the URL (one with a password: "cannot be constructed from a URL that includes
    // credentials: URL"): no cause attached, which a logger would print with its message.
    const why = e instanceof Error ? e.message.split(url).join(shown) : String(e);
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`POST ${shown} failed: ${why}`);
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener('abort', cut);
  }
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${shown}: ${text.slice(0, 200)}`);
}

/**
 * A receiver's URL as errors show it: its origin only. The rest is often its secret (a Slack or Teams webhook's path, a
 * token in the query, a password before the host), and the errors are kept in the notification and action records
 * that any key with the read scope lists (GET /v1/notifications, /v1/actions) and in the server log.
 */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' && u.search === '' ? '' : '/…'}`;
  } catch {
    return '(an invalid URL)';
  }
}

export function requireUrl(config: Record<string, unknown>, key = 'url'): string {
  const u = config[key];
  if (typeof u !== 'string' || !/^https?:\/\//.test(u)) throw new Error(`notifier "${String(config['id'])}" needs "${key}": an http(s) URL`);
  return u;
}
