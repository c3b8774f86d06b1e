import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelBehaviour {
  /** The answer for a feature vector (default: a fixed binary classifier on feature "x"). */
  answer?: (features: Record<string, unknown>) => Record<string, unknown>;
  /** Added delay before answering, in ms. */
  delayMs?: number;
  /** Added delay before answering the n-th request (1-based, counted by this server), in ms; overrides delayMs. */
  delayFor?: (n: number) => number;
  /** Share of requests answered with HTTP 500 (deterministic: every k-th request). */
  failEvery?: number;
  /** Never answer. */
  hang?: boolean;
  /** Never answer requests to these paths (one server standing for several versions, each on its own path). */
  hangPaths?: string[];
  /** Sees each request's path and headers. */
  onRequest?: (path: string, headers: http.IncomingHttpHeaders) => void;
}

export interface ModelServer {
  url: string;
  requests: number;
  behaviour: ModelBehaviour;
  /** Stops accepting and drops open connections (the upstream "dies"). */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export const defaultAnswer = (f: Record<string, unknown>): Record<string, unknown> => {
  const x = Number(f['x'] ?? 0);
  const score = 1 / (1 + Math.exp(-x));
  return { prediction: score >= 0.5 ? 'yes' : 'no', score };
};

/** A real model server on a loopback port: POST {features} -> {prediction, score}. */
export async function startModelServer(behaviour: ModelBehaviour = {}): Promise<ModelServer> {
  const sockets = new Set<import('node:net').Socket>();
  const state: ModelServer = { url: '', requests: 0, behaviour, kill: async () => undefined, close: async () => undefined };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const n = ++state.requests;
      const b = state.behaviour;
      b.onRequest?.(req.url ?? '', req.headers);
      if (b.hang || b.hangPaths?.includes(req.url ?? '')) return;
      const reply = (): void => {
        if (b.failEvery !== undefined && n % b.failEvery === 0) {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"model crashed"}');
          return;
        }
        let features: Record<string, unknown>;
        try {
          features = (JSON.parse(body) as { features: Record<string, unknown> }).features;
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify((b.answer ?? defaultAnswer)(features)));
      };
      const delay = b.delayFor?.(n) ?? b.delayMs;
      if (delay) setTimeout(reply, delay);
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  state.kill = stop;
  state.close = async () => {
    if (server.listening) await stop();
  };
  return state;
}
