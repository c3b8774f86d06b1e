import type { IncomingMessage, ServerResponse } from 'node:http';

const LINGER_MS = 2_000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * After a refusal of an upload whose body is still arriving (413): the rest of the body is read and dropped, for at most
 * 2 s or 64 MiB, then the connection is closed. Closed at once, the unread bytes make the kernel reset the connection, and
 * a client still writing (the CLI's upload) sees "write EPIPE" or "ECONNRESET" instead of the answer.
 */
export function lingerAfterRefusal(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  res.once('finish', () => {
    const stop = (): void => {
      req.socket.destroy();
    };
    const timer = setTimeout(stop, LINGER_MS);
    timer.unref();
    let dropped = 0;
    // the upload's reader (an async iterator) listens for 'readable', which would keep the stream paused
    req.removeAllListeners('readable');
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) stop();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}
