import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A file upload (artifact, reference file): its body is cut after the request timeout without a byte, not in total. */
    upload?: boolean;
  }
}

/*
 * How long the server waits to receive a request (config server.requestTimeoutSeconds). Fastify turns Node's
 * requestTimeout off, so a request whose body stalled (a client hung, or sending nothing on purpose: slowloris) held its
 * connection, a file descriptor and its buffers for as long as the client kept the socket open, and many of them
 * exhausted the process. Now:
 * - the headers must arrive within the timeout, at most 60 s (Node's headersTimeout, Node's own default);
 * - the body within the timeout after its headers; a file upload (route config `upload`: an artifact of up to
 *   registry.maxArtifactMb, 10 GiB by default, a reference file of up to 1 GiB) only has to keep arriving: it is cut
 *   after the timeout without a byte, so any size arrives at any steady rate.
 * Such a request is answered 408 `request_timeout` (Connection: close) and its connection closed. Only receiving the
 * request is bounded: once its body is in, the time taken to answer (a slow upstream model behind the gateway, a long
 * query) is not.
 */

/** The request decoration holding a request's entry while its body is received. */
const ENTRY = 'lookoutReceiving';

/** Node's own default for the headers: a minute (never more than the request timeout). */
const HEADERS_TIMEOUT_MS = 60_000;

/** Fastify options for the headers' bound (Node checks it every `connectionsCheckingInterval`; 30 s by default). */
export function requestTimeoutOptions(ms: number): { requestTimeout: 0; http: { headersTimeout: number; connectionsCheckingInterval: number } } {
  const headersTimeout = ms > 0 ? Math.min(HEADERS_TIMEOUT_MS, ms) : HEADERS_TIMEOUT_MS;
  return { requestTimeout: 0, http: { headersTimeout, connectionsCheckingInterval: checkInterval(headersTimeout) } };
}

function checkInterval(ms: number): number {
  return Math.max(100, Math.min(1_000, Math.floor(ms / 10)));
}

interface Receiving {
  req: IncomingMessage; res: ServerResponse; socket: Socket; upload: boolean; since: number; bytes: number;
  /** The request's logger (its reqId bound), when timeouts are logged. */
  log: FastifyBaseLogger | null;
  started: number;
}

/**
 * Bounds the time to receive each request's body (`ms`; 0: no bound), checked together every second at most. `logged`:
 * a request cut is logged as useRequestLogs logs an error answer (its 408 is written to the socket, which Fastify's
 * onResponse never sees): one warn line `request` with method, url, statusCode and responseTimeMs, and why.
 */
export function useRequestTimeout(app: FastifyInstance, ms: number, logged = false): void {
  if (ms <= 0) return;
  const receiving = new Set<Receiving>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const r of receiving) {
      if (r.req.complete || r.socket.destroyed) {
        receiving.delete(r);
      } else if (r.upload && r.socket.bytesRead !== r.bytes) {
        r.bytes = r.socket.bytesRead;
        r.since = now;
      } else if (now - r.since >= ms) {
        receiving.delete(r);
        timedOut(r, ms);
      }
    }
  }, checkInterval(ms));
  sweep.unref();
  app.addHook('onClose', (_app, done) => {
    clearInterval(sweep);
    done();
  });
  // Which entry is a request's, to drop it once its body is in: left to the sweep, every request of the last second
  // (2,000 at the gateway's 2,000/s) stayed reachable with its request, response and socket objects, so the young
  // generation's scavenges found them alive and copied them. The entry is kept on the request itself, not in a WeakMap
  // keyed by the request: V8's scavenger treats a WeakMap's values as strong, and an entry holds its own key (the
  // request), so every request, response and socket of the gateway's traffic survived each scavenge and was promoted
  // to the old generation until a major GC (test/audit15-scavenge: a WeakMap keeps every one alive through scavenges).
  app.decorateRequest(ENTRY, null);
  app.addHook('onRequest', (req, reply, done) => {
    const socket = req.raw.socket;
    if (!req.raw.complete) {
      const now = Date.now();
      const r: Receiving = {
        req: req.raw, res: reply.raw, socket, upload: req.routeOptions.config.upload === true, since: now, bytes: socket.bytesRead,
        log: logged ? req.log : null, started: now,
      };
      receiving.add(r);
      (req as unknown as Record<typeof ENTRY, Receiving | null>)[ENTRY] = r;
    }
    done();
  });
  // A body parsed (JSON) is in once validation starts; a streamed one (uploads) is not, nor is a request answered before
  // (an error): those are left to the sweep.
  app.addHook('preValidation', (req, _reply, done) => {
    const holder = req as unknown as Record<typeof ENTRY, Receiving | null>;
    const r = holder[ENTRY];
    if (r !== null && req.raw.complete) {
      receiving.delete(r);
      holder[ENTRY] = null;
    }
    done();
  });
}

/** 408 and Connection: close, as Node answers a request whose headers time out (client-error.ts); closed in any case. */
function timedOut(r: Receiving, ms: number): void {
  const { socket } = r;
  // Closed for good shortly after, whether or not the client closes its side (the server's sockets are half-open).
  setTimeout(() => socket.destroy(), 1_000).unref();
  const what = r.upload ? `no byte of the upload arrived for ${ms / 1000} s` : `the body did not arrive within ${ms / 1000} s`;
  r.log?.warn({ method: r.req.method, url: r.req.url, statusCode: 408, responseTimeMs: Date.now() - r.started, reason: what }, 'request');
  if (r.res.headersSent || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(new ApiError('request_timeout', `the request was not received in time: ${what} (server.requestTimeoutSeconds)`).toJSON());
  socket.end(`HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
