import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LookoutClient } from '../src/client/index.js';
import type { LookoutClientError } from '../src/client/types.js';
import type { Server } from '../src/server.js';
import { poster, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 23 (labels): the client\'s label() called again for an id (real server, DuckDB file)', () => {
  let s: Server;
  const post = poster(() => s.url);
  const stored = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await s.deps.store.labelledEvents({ model: 'bin', from: 0, to: Date.now() + HOUR })).map((e) => [e.event.id, e.label]));

  before(async () => {
    s = await testServer();
    await post('/v1/models', { name: 'bin', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/bin/versions', { version: '1' });
  });
  after(() => s.close());

  test('a label corrected before the first was sent: the last label() counts, as when they go in two requests (was: one batch, the first stored, the correction rejected duplicate_in_batch)', async () => {
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: s.url, onError: (e) => errors.push(e) });
    const a = c.log({ model: 'bin', version: '1', features: { x: 1 }, prediction: '1', score: 0.9 });
    const b = c.log({ model: 'bin', version: '1', features: { x: 2 }, prediction: '0', score: 0.2 });
    c.label(a, '0');
    c.label(b, '0');
    c.label(a, '1'); // corrected at once: all three in one flush interval
    c.label(b, 0); // the same label again
    await c.flush();
    // the same calls, each flushed: the later request replaces the label
    const d = c.log({ model: 'bin', version: '1', features: { x: 3 }, prediction: '1', score: 0.8 });
    c.label(d, '0');
    await c.flush();
    c.label(d, '1');
    await c.close();
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual(c.stats().labels, { queued: 0, inFlight: 0, sent: 6, rejected: 0, dropped: 0, failed: 0, retries: 0 });
    const got = await stored();
    assert.deepEqual([got[a], got[b], got[d]], ['1', '0', '1'], 'the last label() of each id is stored');
  });
});
