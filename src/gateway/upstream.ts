import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** A model server's answer to POST {features} (the upstream protocol, see docs/gateway.md). */
export interface UpstreamAnswer {
  prediction: string | number;
  score: number | null;
  scores: number[] | null;
  latencyMs: number;
}

export type UpstreamFailure = 'timeout' | 'connection' | 'status' | 'invalid_response';

export class UpstreamError extends Error {
  constructor(readonly kind: UpstreamFailure, message: string, readonly latencyMs: number) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamOptions {
  /** Connections per upstream origin (default 128). */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * HTTP clients of the upstream model servers: one undici Pool (keep-alive connections) per origin. Every
 * call has a hard deadline: an AbortSignal fires at `timeoutMs`, so a hung upstream can never hang the caller.
 */
export class UpstreamClients {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly opts: UpstreamOptions = {}) {}

  async predict(url: string, body: string, timeoutMs: number): Promise<UpstreamAnswer> {
    const t0 = performance.now();
    const elapsed = (): number => performance.now() - t0;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new UpstreamError('connection', `invalid upstream URL ${url}`, 0);
    }
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await this.pool(u.origin).request({
        path: u.pathname + u.search, method: 'POST', body, signal: ac.signal,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        headersTimeout: timeoutMs + 100, bodyTimeout: timeoutMs + 100,
      });
      let text = '';
      for await (const chunk of res.body) {
        text += (chunk as Buffer).toString('utf8');
        if (text.length > MAX_RESPONSE_BYTES) throw new UpstreamError('invalid_response', 'upstream response too large', elapsed());
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new UpstreamError('status', `upstream answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`, elapsed());
      }
      return parseAnswer(text, elapsed());
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      if (ac.signal.aborted) throw new UpstreamError('timeout', `upstream did not answer within ${timeoutMs} ms`, elapsed());
      throw new UpstreamError('connection', `upstream unreachable: ${e instanceof Error ? e.message : String(e)}`, elapsed());
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.opts.connections ?? 128, pipelining: 1,
        keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? 30_000, keepAliveMaxTimeout: 600_000,
      });
      this.pools.set(origin, p);
    }
    return p;
  }
}

function parseAnswer(text: string, latencyMs: number): UpstreamAnswer {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new UpstreamError('invalid_response', `upstream answer is not JSON: ${text.slice(0, 100)}`, latencyMs);
  }
  const r = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
  const p = r['prediction'];
  if (!(typeof p === 'string' || (typeof p === 'number' && Number.isFinite(p)))) {
    throw new UpstreamError('invalid_response', 'upstream answer has no "prediction" (string or finite number)', latencyMs);
  }
  const score = typeof r['score'] === 'number' && Number.isFinite(r['score']) ? r['score'] : null;
  const scores = Array.isArray(r['scores']) && r['scores'].every((x) => typeof x === 'number' && Number.isFinite(x)) ? r['scores'] as number[] : null;
  return { prediction: p, score, scores, latencyMs };
}
