import { createServer, type AddressInfo, type Socket } from 'node:net';

/** A receiver on a loopback port that accepts connections and never answers (a notifier's hung endpoint). */
export async function hungReceiver(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((c) => {
    sockets.add(c);
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Connections accepted so far. */
    connections: () => sockets.size,
    close: async () => {
      for (const c of sockets) c.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
