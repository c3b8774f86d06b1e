import assert from 'node:assert/strict';
import { defaultConfig, type LookoutConfig } from '../../src/config.js';
import type { EvaluationRecord } from '../../src/storage/alerts.js';
import { startServer, type Server } from '../../src/server.js';
import { tempDir } from './cli.js';

/** A real Lookout server on a loopback port with a DuckDB file store in a fresh temp dir. */
export async function testServer(opts: { clock?: () => number; configure?: (c: LookoutConfig) => void } = {}): Promise<Server> {
  const c = defaultConfig();
  c.dataDir = tempDir('lookout-server-');
  c.server.port = 0;
  opts.configure?.(c);
  return startServer({ config: c, ...(opts.clock && { clock: opts.clock }) });
}

export interface Json {
  status: number;
  body: Record<string, unknown>;
}

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) init.body = body;
    else {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed };
}

/** A POST to the server `url()` names (read at each call: a test may restart it) that must succeed; its body returned. */
export function poster(url: () => string): (path: string, body: unknown) => Promise<Record<string, unknown>> {
  return async (path, body) => {
    const r = await call(url(), 'POST', path, body);
    assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
}

/** A request to the server `url()` names (read at each call) that must succeed (status < 300); its body returned. */
export function succeeding(url: () => string): (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>> {
  return async (method, path, body) => {
    const r = await call(url(), method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
    return r.body;
  };
}

/** The latest evaluation of monitor `id` in [from, to). */
export async function lastEvaluation(base: string, id: string, from: number, to: number): Promise<EvaluationRecord> {
  const evs = (await call(base, 'GET', `/v1/monitors/${id}/evaluations?from=${from}&to=${to}`)).body['evaluations'] as EvaluationRecord[];
  return evs.at(-1) as EvaluationRecord;
}
