import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from './errors.js';
import { SCOPE } from './openapi.js';

export type Scope = 'ingest' | 'read' | 'admin';

export interface ApiKeyConfig {
  name: string;
  /** Hex SHA-256 of the key (keys are long random strings, so a fast hash is enough; never store the key). */
  sha256: string;
  scopes: Scope[];
}

const UNKNOWN_KEY = 'unknown API key';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * API-key check: with no keys configured everything is open; otherwise each route names the scope it needs
 * and the key (Authorization: Bearer KEY, or X-API-Key) must carry it ("admin" carries all).
 */
export class ApiKeys {
  private readonly keys: Array<{ name: string; hash: Buffer; scopes: Set<Scope> }>;

  constructor(keys: readonly ApiKeyConfig[]) {
    this.keys = keys.map((k) => ({ name: k.name, hash: Buffer.from(k.sha256.toLowerCase(), 'hex'), scopes: new Set(k.scopes) }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** Returns the key's name, or throws 401 / 403. */
  check(req: FastifyRequest, scope: Scope): string | null {
    if (!this.enabled) return null;
    const auth = req.headers['authorization'];
    const header = req.headers['x-api-key'];
    // The scheme is case-insensitive (RFC 9110 11.1): "bearer KEY" as sent by some clients and proxies is a key too.
    const bearer = typeof auth === 'string' ? /^bearer +(.+)$/i.exec(auth)?.[1]?.trim() : undefined;
    const key = bearer ?? (typeof header === 'string' ? header : undefined);
    if (!key) {
      // Another scheme (Basic, Token) is named, never echoed with its credentials. A value without one (a bare key,
      // "Authorization: lk_...") is the credential itself: its first 20 characters were echoed as its "scheme".
      const value = typeof auth === 'string' ? auth.trim() : '';
      const scheme = /^([A-Za-z][\w.~+-]{0,19})\s+\S/.exec(value)?.[1];
      const sent = value === '' ? '' : /^bearer$/i.test(value) ? ': the Authorization header holds "Bearer" without a key'
        : scheme === undefined ? ': the Authorization header is not of the form "Bearer KEY"'
          : `: the Authorization header's scheme "${scheme}" is not Bearer`;
      throw new ApiError('unauthorized', `an API key is required (Authorization: Bearer KEY or X-API-Key)${sent}`);
    }
    const h = Buffer.from(hashKey(key), 'hex');
    const found = this.keys.find((k) => k.hash.length === h.length && timingSafeEqual(k.hash, h));
    if (!found) throw new ApiError('unauthorized', UNKNOWN_KEY);
    if (!found.scopes.has(scope) && !found.scopes.has('admin')) {
      throw new ApiError('forbidden', `API key "${found.name}" lacks the "${scope}" scope`, { required: scope, has: [...found.scopes] });
    }
    return found.name;
  }

  /** The routes' onRequest hook for `scope` (callback style: an async hook costs a promise and a microtask per request). */
  hook(scope: Scope) {
    const hook = (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
      try {
        this.check(req, scope);
      } catch (e) {
        if (e instanceof ApiError) void reply.header('www-authenticate', challenge(e, scope));
        done(e as Error);
        return;
      }
      done();
    };
    return Object.assign(hook, { [SCOPE]: scope }); // the scope GET /v1/openapi.json names (openapi.ts)
  }
}

/**
 * The challenge of a refusal (RFC 9110 11.6.1: a 401 carries one; RFC 6750 3: the Bearer scheme's error codes), so
 * HTTP clients and proxies see which scheme to send and why a key was refused.
 */
function challenge(e: ApiError, scope: Scope): string {
  if (e.code === 'forbidden') return `Bearer realm="lookout", error="insufficient_scope", scope="${scope}"`;
  return e.message === UNKNOWN_KEY ? 'Bearer realm="lookout", error="invalid_token"' : 'Bearer realm="lookout"';
}
