import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LookoutClient, type ClientEvent, type ClientOptions, type LookoutClientError } from '../src/client/index.js';

interface Loopback {
  url: string;
  seen: IncomingMessage[];
  close(): Promise<void>;
}

const servers: Loopback[] = [];

/** A node:http server on a loopback port answering every row as accepted, after `delayMs`; it keeps the requests it saw. */
async function listen(delayMs = 0): Promise<Loopback> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => setTimeout(() => {
      const rows = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events?: unknown[]; labels?: unknown[] });
      const n = (rows.events ?? rows.labels ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: n, rejected: 0, results: Array.from({ length: n }, (_, index) => ({ index, status: 'accepted' })) }));
    }, delayMs));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const lb: Loopback = {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  servers.push(lb);
  return lb;
}

const ev = (i: number): ClientEvent => ({ model: 'm', version: '1', features: { x: i }, prediction: '1' });

describe('lookout/client audit 2', { timeout: 60_000 }, () => {
  after(() => Promise.all(servers.splice(0).map((s) => s.close())));

  test('an API key that cannot go into an HTTP header (an emoji, a line break) makes the constructor throw, without echoing the key', async () => {
    // Before, every request failed inside fetch ("Cannot convert argument to a ByteString") and was retried
    // maxRetries times with backoff before the rows counted as failed.
    for (const apiKey of ['lk_secret😀', 'lk_sec\nret', 'lk_\u0000secret', 'lk_secret\u2013']) {
      assert.throws(() => new LookoutClient({ url: 'http://127.0.0.1:1', apiKey }), (e: unknown) => {
        assert.ok(e instanceof TypeError, String(e));
        assert.match(e.message, /apiKey/);
        assert.doesNotMatch(e.message, /secret/, 'the key is not in the message');
        return true;
      }, JSON.stringify(apiKey));
    }
    // A Latin-1 character is sent as its byte (the server reads it back as the same character).
    const srv = await listen();
    const client = new LookoutClient({ url: srv.url, apiKey: 'lk_café', flushIntervalMs: 1 });
    client.log(ev(1));
    await client.close();
    assert.equal(client.stats().sent, 1);
    assert.equal(srv.seen[0]?.headers['authorization'], 'Bearer lk_café');
  });

  test('a url with a path prefix and a query string: the endpoints are under the prefix and keep the query', async () => {
    const srv = await listen();
    for (const [suffix, path] of [['/lookout/?tenant=a', '/lookout/v1/events?tenant=a'], ['/?x=1', '/v1/events?x=1'], ['/lookout', '/lookout/v1/events'], ['/base//#frag', '/base/v1/events']] as const) {
      const errors: LookoutClientError[] = [];
      const client = new LookoutClient({ url: `${srv.url}${suffix}`, flushIntervalMs: 1, maxRetries: 0, onError: (e) => errors.push(e) });
      client.log(ev(1));
      await client.close();
      assert.equal(srv.seen.at(-1)?.url, path, suffix);
      assert.deepEqual(errors, []);
    }
  });

  test('timer settings beyond what a Node.js timer can wait (2^31-1 ms) are refused at construction; a longer close deadline waits', async () => {
    // Before, Node fired such a timer after 1 ms (with a TimeoutOverflowWarning): every request timed out at once,
    // a partial batch went out at once, and close({ timeoutMs }) abandoned everything at once.
    const max = 2 ** 31 - 1;
    const options: Array<[string, Partial<ClientOptions>]> = [
      ['flushIntervalMs', { flushIntervalMs: max + 1 }], ['timeoutMs', { timeoutMs: 30 * 86_400_000 }],
      ['backoff.initialMs', { backoff: { initialMs: Number.MAX_SAFE_INTEGER } }], ['backoff.maxMs', { backoff: { maxMs: Infinity } }],
    ];
    for (const [name, opts] of options) {
      assert.throws(() => new LookoutClient({ url: 'http://127.0.0.1:1', ...opts }), (e: unknown) => e instanceof RangeError && e.message.includes(name) && e.message.includes(String(max)), name);
    }
    assert.doesNotThrow(() => new LookoutClient({ url: 'http://127.0.0.1:1', flushIntervalMs: max, timeoutMs: max, backoff: { initialMs: max, maxMs: max } }));

    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const srv = await listen(300); // answers after 300 ms
      const client = new LookoutClient({ url: srv.url, flushIntervalMs: 1 });
      client.log(ev(1));
      await client.close({ timeoutMs: 40 * 86_400_000 }); // "a long time": waits for the answer, not 1 ms
      const st = client.stats();
      assert.deepEqual([st.sent, st.failed], [1, 0]);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((w) => w.name === 'TimeoutOverflowWarning').map((w) => w.message), []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
