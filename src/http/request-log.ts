import type { FastifyInstance } from 'fastify';

/**
 * Which requests `lookout serve` logs (config `server.requestLogs`, flag `--request-logs`):
 * - `errors` (default): one line per answer with status >= 400 (4xx at warn, 5xx at error);
 * - `all`: one line per request (an access log);
 * - `off`: none (errors the server hits are still logged with their stack by the error handler).
 *
 * Not every request by default: the data plane (predictions, event batches) answers thousands of requests a second,
 * and an access line each (Fastify's default logs two per request) cost the gateway ~60-70 µs of CPU per proxied
 * request (bench:gateway, BENCH_REQUEST_LOGS) and gigabytes of logs a day.
 */
export type RequestLogs = 'all' | 'errors' | 'off';

export const REQUEST_LOG_MODES: readonly RequestLogs[] = ['all', 'errors', 'off'];

export function useRequestLogs(app: FastifyInstance, mode: RequestLogs): void {
  if (mode === 'off') return;
  const all = mode === 'all';
  app.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    if (all || status >= 400) {
      const line = { method: req.method, url: req.url, statusCode: status, responseTimeMs: Math.round(reply.elapsedTime * 1000) / 1000 };
      if (status >= 500) req.log.error(line, 'request');
      else if (status >= 400) req.log.warn(line, 'request');
      else req.log.info(line, 'request');
    }
    done();
  });
}
