import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../../registry/errors.js';
import { NulInTextError } from '../../storage/registry.js';
import { diskFull, toApiError } from '../app.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import type { Scope } from '../auth.js';
import { lingerAfterRefusal } from './upload-refusal.js';
import { didYouMean } from '../../core/text/closest.js';

/** Maps registry/gateway errors onto the error catalog for the routes of this plugin. */
export function useRegistryErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const api = err instanceof RegistryError ? new ApiError(err.code, err.message, err.details)
      : err instanceof NulInTextError ? new ApiError('validation_failed', err.message, { field: err.field }) : toApiError(err);
    // 502-504 are the model servers' failures or a pause, already in the request log line: not Lookout's errors
    // (a full disk is the server's own, though answered 503)
    if ((api.status >= 500 && !(api.status >= 502 && api.status <= 504)) || diskFull(err) !== null) req.log.error({ err }, 'request failed');
    // An upload refused part-way through its body (over the limit, a full disk) leaves the rest unread: left so, the
    // connection stalls and the client's next request on it waits for ever.
    if (api.status === 413 || req.raw.readableDidRead) lingerAfterRefusal(req.raw, reply.raw);
    void reply.status(api.status).send(api.toJSON());
  });
}

/** Who made a change: the body's "by", else the API key's name, else "api". */
export function actor(deps: AppDeps, req: FastifyRequest, scope: Scope, by: unknown): string {
  if (typeof by === 'string' && by !== '') return by.slice(0, 200);
  return deps.keys.check(req, scope) ?? 'api';
}

export function reasonOf(body: unknown, required = true): string {
  const r = (body as Record<string, unknown> | null)?.['reason'];
  if (typeof r === 'string' && r.trim() !== '') return r.slice(0, 2000);
  if (required) throw new ApiError('bad_request', 'a "reason" is required (it is kept in the deployment history)');
  return '';
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('bad_request', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * A preValidation hook refusing unknown top-level fields (Fastify's Ajv would otherwise drop them silently:
 * a typo, or an attempt to change an immutable field, must not answer 200). The body of these routes has no required
 * field: none at all (or an empty one, json-body.ts) is {} (audit 24: it was a 400 "body must be object (got null)").
 */
export function knownFields(allowed: readonly string[]) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (req.body === undefined || req.body === null) req.body = {};
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return;
    const extra = Object.keys(b).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw new ApiError('validation_failed', `unknown field(s) ${extra.slice(0, 5).map((k) => k.slice(0, 100)).join(', ')}; allowed: ${allowed.join(', ')}${didYouMean(extra[0] ?? '', allowed)}`);
  };
}
