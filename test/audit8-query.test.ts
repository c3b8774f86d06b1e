import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
const MIN = 60_000;
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('audit 8 (query): ranges at the 2-day minute retention', { timeout: 60_000 }, () => {
  // now 12:30, so the minute retention's cutoff is 12:30 two days ago, in the middle of an hour
  const now = Date.UTC(2026, 1, 5, 12, 30);
  const cutoff = now - 2 * 86_400_000;
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1' });
    // backfilled: already older than the retention when sent (12:10 and 12:20, two days ago), so in hour windows only
    await post('/v1/events', { events: [cutoff - 20 * MIN, cutoff - 10 * MIN].map((ts, i) => ({ id: `old${i}`, model: 'm', version: '1', timestamp: ts, features: { x: i, c: 'a' }, prediction: '1', score: 0.8 })) });
  });
  after(() => s.close());

  test('a range from before the cutoff to a minute after it counts the backfilled events of the cutoff\'s hour, as one ending before it does', async () => {
    const from = iso(cutoff - 6 * HOUR);
    for (const to of [cutoff - 5 * MIN, cutoff + MIN, cutoff + 15 * MIN]) {
      for (const endpoint of ['health', 'quality']) {
        const r = await call(s.url, 'GET', `/v1/models/m/${endpoint}?from=${from}&to=${iso(to)}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body['events'], 2, `${endpoint} to ${iso(to)}: ${JSON.stringify(r.body).slice(0, 300)}`);
        // the range answered holds both events: it ends at the end of the cutoff's hour
        assert.equal(r.body['to'], Math.ceil(cutoff / HOUR) * HOUR, `${endpoint} to ${iso(to)}`);
      }
    }
  });

  test('a range of recent minutes keeps its minute ends', async () => {
    const r = await call(s.url, 'GET', `/v1/models/m/health?from=${iso(cutoff + 2 * MIN + 5000)}&to=${iso(cutoff + 7 * MIN + 5000)}`);
    assert.equal(r.status, 200);
    assert.deepEqual([r.body['from'], r.body['to'], r.body['events']], [cutoff + 2 * MIN, cutoff + 8 * MIN, 0]);
  });
});
