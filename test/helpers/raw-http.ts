import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** Raw HTTP for the fuzz tests: exact bodies (chunked or not), malformed requests on plain sockets. */

const MiB = 1024 * 1024;
/** Expected outcome of a row: a rejection code, null for accepted, undefined when the fuzzer does not predict it. */
export type Expect = string | null | undefined;

export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: () => Buffer;
  /** Send the body chunked (no content-length). */
  chunked?: boolean;
  /** Allowed statuses (default: any 4xx or 200). */
  statuses?: readonly number[];
  /** Expected error code of a refused request. */
  code?: string;
  /** The rows as sent (for 200 answers); parsed from the body when absent. */
  rows?: unknown[];
  expectRows?: Expect[];
}

export interface Answer {
  status: number;
  text: string;
}

export interface RowResult {
  index: number;
  id?: string;
  status: 'accepted' | 'rejected';
  code?: string;
  message?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP with raw bytes (node:http: exact bodies, chunked or not, and answers sent before the body is read).

export const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export function send(base: string, r: FuzzRequest): Promise<Answer> {
  const url = new URL(r.path, base);
  const body = r.body?.();
  const headers: Record<string, string | number> = { ...r.headers };
  if (body !== undefined && !r.chunked) headers['content-length'] = body.length;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: r.method, headers, agent }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written: that answer is what counts.
    req.on('error', (e) => {
      if (!answered) reject(new Error(`${r.kind}: ${r.method} ${r.path}: ${e.message}`));
    });
    if (body !== undefined && r.chunked) {
      const step = 1 * MiB;
      for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
      req.end();
    } else req.end(body);
  });
}

/** A raw HTTP/1.1 exchange on a fresh socket (malformed request lines and headers that node:http will not send). */
export function sendRaw(base: string, bytes: string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    sock.setTimeout(5000, () => sock.destroy());
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) reject(new Error(`no HTTP answer to ${JSON.stringify(bytes.slice(0, 80))}: ${JSON.stringify(text.slice(0, 200))}`));
      else resolve({ status: Number(m[1]), text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.write(bytes);
    sock.end();
  });
}

/** A JSON string nested `depth` levels deep (arrays or objects). */
export function deep(depth: number, objects = false): string {
  return objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

export const text = (s: string): (() => Buffer) => () => Buffer.from(s, 'utf8');
export const JSON_CT = { 'content-type': 'application/json' };
