import { PassThrough, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';
import { hasBody } from './media-types.js';

const DECODERS: Readonly<Record<string, () => Transform>> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

/**
 * Reads request bodies sent with Content-Encoding gzip, deflate or br (log shippers and proxies compress; a batch
 * of events shrinks several-fold): without it such a body reached the JSON parser as is, answered 400 "not valid JSON".
 * Another encoding is refused with 415, a body that does not decode with 400. The decoded body is held to the
 * route's body limit: decoding stops once past it (413).
 */
export function useContentEncodings(app: FastifyInstance, bodyLimit: number): void {
  // Callback style, not async: every request (the gateway's predict route too) passes here, most without an encoding,
  // and an async hook costs each of them a promise and a microtask turn.
  app.addHook('preParsing', (req, _reply, payload, done) => {
    const header = req.headers['content-encoding'];
    if (header === undefined) return done(null, payload);
    const encoding = header.trim().toLowerCase();
    if (encoding === '' || encoding === 'identity' || req.is404 || req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) return done(null, payload);
    const decoder = DECODERS[encoding]?.();
    if (!decoder) return done(new ApiError('unsupported_media_type', `Content-Encoding "${encoding.slice(0, 100)}" is not supported: send the body uncompressed, or with gzip, deflate or br`));
    const limit = req.routeOptions.bodyLimit ?? bodyLimit;
    // Fastify compares receivedEncodedLength with Content-Length at the end.
    const out = Object.assign(new PassThrough(), { receivedEncodedLength: 0 });
    // Fastify stops listening once it has answered (e.g. 413 at the limit): a later error must not go unhandled.
    out.on('error', () => undefined);
    const fail = (err: Error): void => {
      payload.unpipe(decoder);
      decoder.destroy();
      out.destroy(err);
    };
    let decoded = 0;
    payload.on('data', (chunk: Buffer) => (out.receivedEncodedLength += chunk.length));
    payload.on('error', fail);
    decoder.on('data', (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > limit) fail(new ApiError('payload_too_large', `the body is larger than ${limit} bytes once decoded (Content-Encoding ${encoding})`));
    });
    decoder.on('error', (err) => fail(new ApiError('bad_request', `the body is not valid ${encoding} (Content-Encoding): ${err.message}`)));
    payload.pipe(decoder).pipe(out);
    done(null, out);
  });
}
