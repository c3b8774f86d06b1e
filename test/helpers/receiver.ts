import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
}

/** A real HTTP receiver on a loopback port that records every POST (answering `status`, default 200). */
export class Receiver {
  readonly received: Received[] = [];
  status = 200;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(status = 200): Promise<Receiver> {
    const holder: { self?: Receiver } = {};
    const server = createServer((req, res) => {
      const self = holder.self;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // keep the text
        }
        self?.received.push({ path: req.url ?? '', headers: req.headers, raw, body });
        res.statusCode = self?.status ?? 200;
        res.end(res.statusCode < 300 ? '{"ok":true}' : 'receiver failure');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const self = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    self.status = status;
    holder.self = self;
    return self;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
