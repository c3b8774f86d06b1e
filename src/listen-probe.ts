import { createServer } from 'node:net';

/**
 * Binds host:port and lets it go again: a start that has minutes of work before it listens (the `--demo` fill) finds
 * an address it cannot listen on (in use, not this machine's) first, instead of after the work. Throws the listen
 * error (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND...); the real listen afterwards still reports a race it loses.
 */
export function probeListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
