import type { Socket } from 'node:net';
import { ApiError } from './errors.js';

/**
 * Answers requests that node's HTTP parser refuses (bad request line, bad Content-Length, headers too large)
 * with the catalog error body instead of Fastify's default `{"error":"Bad Request",...}`.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  answerClientError(err, socket, undefined);
}

/**
 * clientErrorHandler of a server whose headers must arrive within `headersTimeoutMs` (request-timeout.ts): a 408 says
 * what stalled and the setting that bounds it, as a stalled body's 408 does (it said "not received in time" alone).
 */
export function clientErrorHandlerFor(headersTimeoutMs: number): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => answerClientError(err, socket, headersTimeoutMs);
}

function answerClientError(err: Error & { code?: string }, socket: Socket, headersTimeoutMs: number | undefined): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timeout ? 408 : 400;
  const reason = tooLarge ? 'Request Header Fields Too Large' : timeout ? 'Request Timeout' : 'Bad Request';
  const api = tooLarge ? new ApiError('headers_too_large', 'request headers are too large')
    : timeout ? new ApiError('request_timeout', `the request was not received in time: its headers did not arrive ${headersTimeoutMs === undefined ? 'in time' : `within ${headersTimeoutMs / 1000} s`} (server.requestTimeoutSeconds)`)
      : new ApiError('bad_request', `malformed HTTP request${err.code ? ` (${err.code})` : ''}`);
  const body = JSON.stringify(api.toJSON());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
