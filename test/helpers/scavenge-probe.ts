/**
 * Run as a process of its own (test/audit15-scavenge): `node --expose-gc --no-incremental-marking scavenge-probe.js
 * with|without N` answers N requests on a real Fastify server, with or without the request timeout's hooks, then runs
 * three scavenges and prints, as JSON, how much the old generation grew meanwhile (what survives two scavenges is
 * promoted there) and how many major GCs ran (none expected: without incremental marking one starts only at the old
 * generation's limit). A WeakRef cannot tell what a scavenge keeps: V8's scavenger keeps WeakRef targets.
 */
import { request as httpRequest } from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import Fastify from 'fastify';
import { useRequestTimeout } from '../../src/http/request-timeout.js';

const gc = (globalThis as { gc?: (o?: { type: 'minor' | 'major' }) => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function post(port: number, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
const oldSpace = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? NaN;

const withTimeout = process.argv[2] === 'with';
const n = Number(process.argv[3] ?? 300);
const app = Fastify();
if (withTimeout) useRequestTimeout(app, 30_000);
app.post('/echo', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address !== 'object') throw new Error('no port');
for (let i = 0; i < 50; i++) await post(address.port, JSON.stringify({ i }));
await tick();
gc({ type: 'major' });
await tick();
let majors = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (((e as unknown as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
});
observer.observe({ entryTypes: ['gc'] });
const before = oldSpace();
for (let i = 0; i < n; i++) await post(address.port, JSON.stringify({ i, features: { a: i } }));
await tick();
for (let k = 0; k < 3; k++) {
  gc({ type: 'minor' });
  await tick();
}
const grew = oldSpace() - before;
observer.disconnect();
await app.close();
process.stdout.write(`${JSON.stringify({ grew, majors })}\n`);
