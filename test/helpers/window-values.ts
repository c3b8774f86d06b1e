import assert from 'node:assert/strict';
import { seededRandom } from '../../src/core/random/rng.js';
import { call } from './server.js';

/*
 * The model of the window-value tests: version 1 of `model` with a numerical feature `a` and a categorical `c`,
 * a regression output.
 */

/** Uploads a 600-row reference for version 1 of `model`: `a` uniform on [shift, shift + 10), `c` one of x, y, z. */
export async function uploadReference(base: string, model: string, shift: number): Promise<void> {
  const r = seededRandom(7 + shift);
  const lines = ['a,c,prediction'];
  for (let i = 0; i < 600; i++) lines.push([(r.next() * 10 + shift).toFixed(3), ['x', 'y', 'z'][Math.floor(r.next() * 3)], r.next().toFixed(3)].join(','));
  const res = await fetch(`${base}/v1/models/${model}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: lines.join('\n') });
  assert.equal(res.status, 200, await res.text());
}

/** Sends `n` events of version 1 at `timestamp(i)` (`a` shifted by `shift`; every ninth without `a`), all accepted. */
export async function sendEvents(base: string, model: string, n: number, shift: number, seed: number, timestamp: (i: number) => number): Promise<void> {
  const r = seededRandom(seed);
  const events = Array.from({ length: n }, (_, i) => ({
    model, version: '1', timestamp: timestamp(i),
    features: i % 9 === 0 ? { c: 'x' } : { a: r.next() * 10 + shift, c: ['x', 'y', 'z'][i % 3] }, prediction: r.next(),
  }));
  assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], n);
}

/** Declares the model and its version 1 with the reference of shift 0. */
export async function declareModel(base: string, model: string): Promise<void> {
  assert.equal((await call(base, 'POST', '/v1/models', {
    name: model, outputKind: 'regression', inputSchema: { type: 'object', properties: { a: { type: 'number' }, c: { type: 'string' } } },
  })).status, 201);
  assert.equal((await call(base, 'POST', `/v1/models/${model}/versions`, { version: '1' })).status, 201);
  await uploadReference(base, model, 0);
}
