import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Media types the route's request body may have (default: JSON only). */
    mediaTypes?: readonly string[];
  }
}

const JSON_ONLY: readonly string[] = ['application/json'];

/** A request's media type: its Content-Type without parameters, in lower case ("" when absent). */
export function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** An empty body (no Content-Length or 0, not chunked) is no body, whatever its type. */
export function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Refuses a request body of a media type its route does not take (route config `mediaTypes`, default JSON) with 415
 * `unsupported_media_type` naming the ones it takes, before the body is read. Without it, Fastify's built-in text/plain
 * parser handed a JSON body sent as text/plain to the routes as a string, answered 400 as if its content were wrong.
 */
export function useMediaTypes(app: FastifyInstance): void {
  // callback style: an async hook costs a promise and a microtask per request
  app.addHook('preParsing', (req, _reply, payload, done) => {
    if (req.is404 || req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) return done(null, payload);
    const allowed = req.routeOptions.config.mediaTypes ?? JSON_ONLY;
    const type = mediaType(req);
    if (!allowed.includes(type)) {
      const sent = type === '' ? 'a body without a Content-Type' : `Content-Type "${type.slice(0, 100)}"`;
      return done(new ApiError('unsupported_media_type', `${sent} is not supported by ${req.method} ${req.routeOptions.url ?? ''}: send ${allowed.join(' or ')}`));
    }
    done(null, payload);
  });
}
