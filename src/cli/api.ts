import { createReadStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { InputError } from '../io/errors.js';

/** Connection options of the commands that talk to a running server. */
export interface ApiOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

/** The server answered with an error ({error:{code,message,details}}). */
export class ApiCallError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: unknown) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export function withApiOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'Lookout server URL (env LOOKOUT_URL)', process.env['LOOKOUT_URL'] ?? 'http://127.0.0.1:8080')
    // from the environment via .env(), not as a default value: --help printed a default's value, the key itself
    .addOption(new Option('--api-key <key>', 'API key').env('LOOKOUT_API_KEY'))
    .option('--json', 'print the server\'s JSON answer');
}

/**
 * The URL of an API path (which may carry a query) under the server URL. The server URL's path is kept as a prefix
 * (a proxy's "http://h/lookout") and so is its query string; `new URL('/v1/..', base)` would drop both.
 */
export function apiUrl(base: string, path: string): URL {
  const u = new URL(base);
  const rel = new URL(path, 'http://path.invalid');
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${rel.pathname}`;
  for (const [k, v] of rel.searchParams) u.searchParams.append(k, v);
  u.hash = '';
  return u;
}

export async function api<T = Record<string, unknown>>(o: ApiOptions, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = {};
  if (o.apiKey) headers['authorization'] = `Bearer ${o.apiKey}`;
  let payload: string | Uint8Array | undefined;
  if (body !== undefined) {
    headers['content-type'] = contentType;
    payload = body instanceof Uint8Array ? body : JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(o.url, path), { method, headers, ...(payload !== undefined && { body: payload }) });
  } catch (e) {
    throw new InputError(`cannot reach the Lookout server at ${o.url}: ${e instanceof Error ? (e.cause as Error | undefined)?.message ?? e.message : String(e)}`,
      'unreachable', { url: o.url });
  }
  return answer<T>(res.status, res.ok, await res.text());
}

/**
 * PUTs a file as application/octet-stream, streamed from disk as the connection takes it (fetch would read a stream
 * body ahead into memory, and a file read whole cannot exceed 2 GiB): a model file of any size.
 */
export async function uploadFile<T = Record<string, unknown>>(o: ApiOptions, path: string, file: string, size: number): Promise<T> {
  const url = apiUrl(o.url, path);
  const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': size };
  if (o.apiKey) headers['authorization'] = `Bearer ${o.apiKey}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(url, { method: 'PUT', headers });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  // a refusal may come (and close the connection) before the whole file is sent: its answer is what counts
  pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), req).catch(() => undefined);
  let res: IncomingMessage;
  try {
    res = await response;
  } catch (e) {
    throw new InputError(`cannot upload ${file} to the Lookout server at ${o.url}: ${e instanceof Error ? e.message : String(e)}`, 'unreachable', { url: o.url });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const status = res.statusCode ?? 0;
  // decoded once whole: a character split across two chunks would not survive chunk-by-chunk decoding
  return answer<T>(status, status >= 200 && status < 300, Buffer.concat(chunks).toString('utf8'));
}

function answer<T>(status: number, ok: boolean, text: string): T {
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  if (!ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiCallError(status, err?.code ?? String(status), err?.message ?? text.slice(0, 500), err?.details);
  }
  return parsed as T;
}

/**
 * Runs a command action: server errors become a one-line message and exit code 2 (1 for a refused promotion). With
 * --json the server's error answer ({error: {code, message, details}}: a refused promotion's comparison) is printed
 * on stdout too, as a successful answer would be.
 */
export function action<A extends unknown[]>(setCode: (c: number) => void, fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
      setCode(0);
    } catch (e) {
      if (!(e instanceof ApiCallError)) throw e;
      // commander passes the options object after the arguments
      const json = args.some((a) => typeof a === 'object' && a !== null && 'url' in a && (a as ApiOptions).json === true);
      if (json) printJsonError(e.code, e.message, e.details);
      process.stderr.write(`lookout: error: ${e.message} (HTTP ${e.status} ${e.code})\n`);
      setCode(e.code === 'promotion_refused' ? 1 : 2);
    }
  };
}

/** The --json answer of a failure, on stdout: {error: {code, message, details}}, as the server's errors are printed. */
export function printJsonError(code: string, message: string, details: unknown): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message, details: details ?? {} } }, null, 2)}\n`);
}

export function print(o: ApiOptions, value: unknown, human: () => string): void {
  process.stdout.write(o.json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
