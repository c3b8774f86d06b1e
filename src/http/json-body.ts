import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenKeyRow } from '../ingest/forbidden-key.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's body is a batch of rows (an array, or an object with this array field): see useJsonBodies. */
    batchRows?: string;
  }
}

// The texts secure-json-parse (Fastify's JSON parser) looks for before it scans a parsed body: "__proto__" and
// "constructor" keys, their characters possibly escaped (\u005f_proto__).
const PROTO_RX = /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;
const CONSTRUCTOR_RX = /"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"\s*:/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const pathOf = (base: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`);

/**
 * The first key in `value` that secure-json-parse refuses (an own "__proto__", or an own "constructor" that is an object
 * with an own "prototype"), with its path; null when none. Reads own keys only (JSON.parse makes "__proto__" an own
 * property: nothing is assigned to a prototype here). Iterative: a body may nest deeper than the stack.
 */
export function forbiddenKey(value: unknown, base: string, skip?: string): { key: string; path: string } | null {
  const stack: Array<[unknown, string, boolean]> = [[value, base, true]];
  while (stack.length > 0) {
    const [v, path, top] = stack.pop() as [unknown, string, boolean];
    if (!isObject(v)) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, false]);
      continue;
    }
    if (Object.hasOwn(v, '__proto__')) return { key: '__proto__', path: pathOf(path, '__proto__') };
    const c = Object.hasOwn(v, 'constructor') ? v['constructor'] : undefined;
    if (isObject(c) && Object.hasOwn(c, 'prototype')) return { key: 'constructor', path: pathOf(path, 'constructor') };
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i] as string;
      if (!(top && k === skip)) stack.push([v[k], pathOf(path, k), false]);
    }
  }
  return null;
}

/**
 * The JSON body parser: Fastify's (a BOM skipped), but an empty body (or whitespace only) is no body (audit 24: it was
 * answered 400 invalid_json), an invalid one says what and where (invalidJsonMessage), and bodies with a key
 * secure-json-parse refuses ("__proto__", constructor.prototype), which Fastify refused whole as "not valid JSON". Of a
 * batch route (config batchRows), each row holding one is replaced by a ForbiddenKeyRow (that row alone is rejected, the
 * others stored); anywhere else (the batch's own object, another route's body) the request is refused, 400 invalid_json
 * naming the key and where. Bodies without such a text cost one regex test, as before.
 */
export function useJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req: FastifyRequest, text: string | Buffer, done) => {
    const body = typeof text === 'string' ? text : text.toString('utf8');
    // Audit 24: an empty body is no body, as one without a Content-Type is (curl -X POST -H 'content-type:
    // application/json', fetch wrappers setting the header on every request): Fastify answered 400 "Body cannot be empty
    // when content-type is set to 'application/json'" to a route that takes no body. A route that needs one says so.
    if (isBlank(body)) return done(null, undefined);
    let json: unknown;
    try {
      json = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
    } catch (e) {
      return done(new ApiError('invalid_json', invalidJsonMessage(body, e)), undefined);
    }
    if (!isObject(json) || (!PROTO_RX.test(body) && !CONSTRUCTOR_RX.test(body))) return done(null, json);
    try {
      done(null, guarded(json, req.routeOptions.config?.batchRows));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

function guarded(json: Record<string, unknown>, field: string | undefined): unknown {
  const rows = field === undefined ? null : Array.isArray(json) ? json : Object.hasOwn(json, field) && Array.isArray(json[field]) ? json[field] as unknown[] : null;
  // Outside the rows: the whole body refused.
  if (rows !== json) {
    const outside = forbiddenKey(json, '$', rows === null ? undefined : field);
    if (outside) refuse(outside);
  }
  if (rows === null) return json;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const found = forbiddenKey(row, '');
    if (!found) continue;
    const r = isObject(row) && !Array.isArray(row) ? row : {};
    const seg = Object.hasOwn(r, 'segment') && forbiddenKey(r['segment'], '') === null ? r['segment'] : undefined;
    rows[i] = new ForbiddenKeyRow(found.key, found.path.replace(/^\./, ''), {
      id: own(r, 'id'), model: own(r, 'model'), version: own(r, 'version'), timestamp: own(r, 'timestamp'), segment: seg,
    });
  }
  return json;
}

const own = (r: Record<string, unknown>, k: string): unknown => (Object.hasOwn(r, k) ? r[k] : undefined);

function refuse(found: { key: string; path: string }): never {
  throw new ApiError('invalid_json', `the body holds the key "${found.key}" at ${found.path}, which is refused (it could alter object prototypes): rename the key`, { key: found.key, path: found.path });
}

/**
 * Why a body is not JSON, and where: JSON.parse's reason (`Unexpected token ']', ...":1},]}" is not valid JSON`) with
 * the line and column of its position. Until audit 23 every such body was answered Fastify's "Body is not valid JSON but
 * content-type is set to 'application/json'", which said neither what nor where (a trailing comma, single quotes, a
 * JSON-lines file of events: several documents where one batch is read).
 */
export function invalidJsonMessage(body: string, err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err);
  const at = /at position (\d+)/.exec(reason);
  let where = '';
  if (at) {
    const before = body.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    where = ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
  }
  const several = /non-whitespace character after JSON/.test(reason) ? ': the body holds more than one JSON document (JSON lines?): send one' : '';
  return `request body is not valid JSON: ${reason}${where}${several}${nonFiniteHint(body)}`;
}

/**
 * Audit 27: Python's json.dumps writes a float NaN (pandas' missing value) as `NaN` and infinities as `Infinity`, which
 * JSON has not; JSON.parse's refusal of them gives no position ("Unexpected token 'N', ...": the message said neither
 * where nor what to send). The first such bare token outside a string, with its line and column, and what to do.
 */
function nonFiniteHint(body: string): string {
  const m = /(?<=[[:,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/.exec(body);
  if (!m) return '';
  // outside a string: an even number of unescaped quotes before it
  const before = body.slice(0, m.index);
  if ((before.replace(/\\./g, '').match(/"/g)?.length ?? 0) % 2 !== 0) return '';
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `: NaN, Infinity and -Infinity are not JSON (line ${line}, column ${column}: ${m[0]}): send null for a missing value (Python: json.dumps(..., allow_nan=False) finds them; pandas' to_json writes null)`;
}

/** Whether `s` is empty or JSON whitespace only (a byte-order mark too); stops at the first other character (a 16 MiB batch: its first). */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return false;
  }
  return true;
}
