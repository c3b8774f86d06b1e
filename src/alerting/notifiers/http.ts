/** POSTs a body; a non-2xx answer is an error with the status and the start of the response text. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
}

export function requireUrl(config: Record<string, unknown>, key = 'url'): string {
  const u = config[key];
  if (typeof u !== 'string' || !/^https?:\/\//.test(u)) throw new Error(`notifier "${String(config['id'])}" needs "${key}": an http(s) URL`);
  return u;
}
