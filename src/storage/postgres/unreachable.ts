import pg from 'pg';
import { UnavailableError } from '../../io/errors.js';

// Node's socket errors when PostgreSQL cannot be reached or the connection drops.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL's own: class 08 (connection exception), 57P01-57P03 (shutting down, crashed, starting up), 53300 (too many
// connections).
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
// pg's and pg-pool's errors without a code: a connection that ended mid-query, a pool that could not connect in time, a
// query unanswered within query_timeout (storage/open.ts).
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|Query read timeout/i;

/**
 * The error a PostgreSQL call failed with, as the caller should see it: a lost or refused connection becomes an
 * UnavailableError (HTTP 503, retry later) instead of an internal error (500), since nothing is wrong with the request;
 * anything else (a constraint PostgreSQL refuses, a bug) is returned as it is.
 */
export function pgUnreachable(err: unknown): unknown {
  if (err instanceof UnavailableError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  const lost = err instanceof pg.DatabaseError
    ? typeof code === 'string' && SQLSTATE.test(code)
    : (typeof code === 'string' && SOCKET_CODES.has(code)) || MESSAGES.test(err.message);
  return lost ? new UnavailableError(`the PostgreSQL store cannot be reached (${err.message}); retry later`, err) : err;
}
