import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 24: an SLO's 3d burn window is read from hour windows (the minute windows are kept 2 days), so it starts on the
 * hour at or before its nominal start: up to 59 minutes more (audit 23 computed 2.1794 by hand where the server said
 * 2.1703). GET /v1/slos now says the range each burn rate counted (burnWindows) and the error budget's (budgetWindow):
 * computed by hand from the events sent over those ranges, the burn rates are the server's.
 */
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 30);
const OBJECTIVE = 0.99;

type Range = { from: number; to: number };
type SloView = { id: string; burnRates: Record<string, number | null>; events: Record<string, number>; burnWindows: Record<string, Range>; budgetWindow: Range; errorBudgetRemaining: number | null };

describe('audit 24: an SLO says the range each burn window counted', { timeout: 60_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);
  const sent: Array<{ ts: number; error: boolean }> = [];
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/m/versions', { version: '1' });
    await post('/v1/slos', { id: 'avail', model: 'm', kind: 'availability', objective: OBJECTIVE });
    // failures 3 days and 20 minutes ago: before the 3d window's nominal start (3 days ago, 12:30), after the hour it is
    // read from (12:00); successes within the last 2 hours, and 5 failures 10 minutes ago
    for (let i = 0; i < 20; i++) sent.push({ ts: NOW - 3 * DAY - 20 * MIN + i * 1000, error: true });
    for (let i = 0; i < 100; i++) sent.push({ ts: NOW - 2 * HOUR + i * MIN, error: false });
    for (let i = 0; i < 5; i++) sent.push({ ts: NOW - 10 * MIN + i * 1000, error: true });
    const events = sent.map((e, i) => ({
      id: `e${i}`, model: 'm', version: '1', timestamp: e.ts, features: { x: i }, ...(e.error ? { error: 'upstream timeout' } : { prediction: 1 }),
    }));
    const r = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
    assert.ok((r.body['results'] as Array<{ status: string }>).every((x) => x.status === 'accepted'), JSON.stringify(r.body).slice(0, 500));
  });
  after(() => s?.close());

  test('each burn rate is the one of the events of its stated range; the 3d range starts on the hour, the 1d one on its minute', async () => {
    const slo = ((await call(s.url, 'GET', '/v1/slos')).body['slos'] as SloView[]).find((x) => x.id === 'avail');
    assert.ok(slo, 'listed');
    const byHand = (r: Range): { total: number; rate: number | null } => {
      const inside = sent.filter((e) => e.ts >= r.from && e.ts < r.to);
      const errors = inside.filter((e) => e.error).length;
      return { total: inside.length, rate: inside.length === 0 ? null : errors / inside.length / (1 - OBJECTIVE) };
    };
    for (const [w, r] of Object.entries(slo.burnWindows)) {
      assert.ok(r.from <= r.to && r.to >= NOW, `${w}: ${JSON.stringify(r)}`);
      const hand = byHand(r);
      assert.equal(slo.events[w], hand.total, `${w}: events over ${new Date(r.from).toISOString()} to ${new Date(r.to).toISOString()}`);
      if (hand.rate === null) assert.equal(slo.burnRates[w], null, w);
      else assert.ok(Math.abs((slo.burnRates[w] as number) - hand.rate) < 1e-9, `${w}: ${slo.burnRates[w]} vs ${hand.rate} by hand`);
    }
    // the 3d window: read from 12:00 three days ago, 30 minutes before its nominal start; its burn counts the 20 failures
    const d3 = slo.burnWindows['3d'] as Range;
    assert.equal(d3.from, NOW - 3 * DAY - 30 * MIN);
    assert.ok(NOW - 3 * DAY - d3.from < HOUR, 'less than an hour more');
    const nominal = byHand({ from: NOW - 3 * DAY, to: d3.to });
    assert.notEqual(nominal.total, slo.events['3d'], 'the nominal 3 days hold fewer events than counted');
    // the 1d window, within the minute windows' retention: its nominal start
    assert.equal((slo.burnWindows['1d'] as Range).from, NOW - DAY);
    assert.equal((slo.burnWindows['5m'] as Range).from, NOW - 5 * MIN);
    // the error budget's 30 days, read as the 3d window is
    assert.equal(slo.budgetWindow.from, NOW - 30 * DAY - 30 * MIN);
  });
});
