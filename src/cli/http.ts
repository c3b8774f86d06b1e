import { Option } from 'commander';
import { InputError } from '../io/errors.js';
import { apiUrl } from './api.js';

export interface ApiOptions {
  url: string;
  apiKey?: string;
}

/**
 * --url and --api-key (defaults from LOOKOUT_URL and LOOKOUT_API_KEY). `scope`: the key's scope the command needs
 * (audit 25: every command's help said "admin scope for changes", `lookout status` and the lists too, which only read).
 */
export function apiOptions(scope: 'read' | 'admin' = 'admin'): Option[] {
  return [
    new Option('--url <url>', 'Lookout server URL').env('LOOKOUT_URL').default('http://127.0.0.1:8080'),
    new Option('--api-key <key>', `API key (${scope} scope)`).env('LOOKOUT_API_KEY'),
  ];
}

/** `?a=1&b=2` of the parameters given (undefined ones left out), or nothing. */
export function queryString(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return q ? `?${q}` : '';
}

/** Calls the server's JSON API; errors (HTTP or network) become InputErrors with the server's message. */
export async function api(o: ApiOptions, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  if (o.apiKey) headers['authorization'] = `Bearer ${o.apiKey}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(o.url, path), { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch (e) {
    throw new InputError(`cannot reach ${o.url}: ${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)}`, 'unreachable', { url: o.url });
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const err = json['error'] as { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
    throw new InputError(`${method} ${path}: HTTP ${res.status} ${err?.code ?? ''}: ${err?.message ?? text.slice(0, 200)}`, err?.code ?? String(res.status),
      { ...err?.details, status: res.status });
  }
  return json;
}
