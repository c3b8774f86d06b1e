import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';

const MIN = 60_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };

async function churn(s: Server): Promise<void> {
  const post = poster(() => s.url);
  await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
  await post('/v1/models/churn/versions', { version: '1' });
}

/** `n` events over [from, from + span): the first `slow` take 800 ms, the others 50 ms; the first `errors` failed. */
function events(tag: string, from: number, span: number, n: number, opts: { slow?: number; errors?: number } = {}): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}${i}`, model: 'churn', version: '1', timestamp: from + Math.floor(((i + 0.5) * span) / n), features: { x: 1, c: 'a' }, prediction: '1', score: 0.7,
    latencyMs: i < (opts.slow ?? 0) ? 800 : 50, ...(i < (opts.errors ?? 0) && { error: 'boom' }),
  }));
}

describe('audit 23 (monitors): a latency SLO counts every request slower than latencyMs', { timeout: 60_000 }, () => {
  test('1 slow request of 20 is a 5% bad share (burn 5 at 0.99: a 7-day SLO pages); 5 of 25 is burn 4 at 0.95', async () => {
    const LIVE = Date.UTC(2026, 1, 16, 0);
    const now = LIVE + 10 * MIN + 30_000;
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      await churn(s);
      await post('/v1/slos', { id: 'lat', model: 'churn', kind: 'latency', latencyMs: 300, objective: 0.99, windowDays: 7 });
      await post('/v1/slos', { id: 'lat95', model: 'churn', kind: 'latency', latencyMs: 300, objective: 0.95, windowDays: 30, minEvents: 5 });
      // the last 5 minutes hold every event: each burn window counts the same 20 requests, one of them slow
      await post('/v1/events', { events: events('a', LIVE + 6 * MIN, 4 * MIN, 20, { slow: 1 }) });
      const slos = (await call(s.url, 'GET', '/v1/slos')).body['slos'] as Array<{ id: string; burnRates: Record<string, number> }>;
      const lat = slos.find((x) => x.id === 'lat');
      assert.equal(lat?.burnRates['5m']?.toFixed(6), '5.000000', JSON.stringify(lat?.burnRates));
      assert.equal(lat?.burnRates['1h']?.toFixed(6), '5.000000');
      // 1 of 20 against a 5% budget: burn 1, exactly at no factor (a 30-day SLO's 1x needs more than 1)
      assert.equal(slos.find((x) => x.id === 'lat95')?.burnRates['1h']?.toFixed(6), '1.000000');
      await post('/v1/monitors/run', {});
      const alerts = ((await call(s.url, 'GET', '/v1/alerts?state=all')).body['alerts'] as AlertRecord[]).filter((a) => a.monitorId === 'lat');
      assert.deepEqual(alerts.map((a) => [a.severity, a.context['threshold']]), [['page', 3.36]], '5x over 1h and 5m of a 7-day SLO pages (3.36x)');
    } finally {
      await s.close();
    }
  });
});

describe('audit 23 (monitors): a pending monitor\'s firesAt is when it can fire', { timeout: 60_000 }, () => {
  test('for: 30m and 90m on 1h windows with delay 5m: firesAt is the next window\'s (and the third\'s) end plus the delay, and it fires then', async () => {
    const HOUR = 3_600_000;
    const LIVE = Date.UTC(2026, 1, 2, 0);
    let now = LIVE;
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      await churn(s);
      for (const [id, f] of [['f30', '30m'], ['f90', '90m']]) {
        await post('/v1/monitors', { id, model: 'churn', metric: 'errorRate', window: '1h', delay: '5m', minSamples: 10, for: f, levels: [{ severity: 'page', threshold: 0.2 }] });
      }
      const last = async (id: string): Promise<Record<string, unknown>> => ((await call(s.url, 'GET', `/v1/monitors/${id}`)).body['monitor'] as { last: Record<string, unknown> }).last;
      const seen: Record<string, Array<[string, unknown]>> = { f30: [], f90: [] };
      for (let h = 0; h < 3; h++) {
        await post('/v1/events', { events: events(`h${h}-`, LIVE + h * HOUR, HOUR, 20, { errors: 10 }) });
        now = LIVE + (h + 1) * HOUR + 5 * MIN;
        await post('/v1/monitors/run', {});
        for (const id of ['f30', 'f90']) {
          const l = await last(id);
          seen[id]?.push([l['state'] as string, typeof l['firesAt'] === 'number' ? new Date(l['firesAt']).toISOString() : null]);
        }
      }
      assert.deepEqual(seen['f30'], [['pending', '2026-02-02T02:05:00.000Z'], ['firing', null], ['firing', null]]);
      assert.deepEqual(seen['f90'], [['pending', '2026-02-02T03:05:00.000Z'], ['pending', '2026-02-02T03:05:00.000Z'], ['firing', null]]);
    } finally {
      await s.close();
    }
  });
});

describe('audit 23 (monitors): levels that could never be the verdict are refused', { timeout: 60_000 }, () => {
  test('warning above page on an error rate, warning below page on accuracy, two pages (the second\'s action never ran), a baseline kind\'s change levels: 400 naming them; the right order is taken', async () => {
    const s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      await churn(s);
      const declare = (extra: Record<string, unknown>, levels: unknown[]): Promise<{ status: number; body: Record<string, unknown> }> =>
        call(s.url, 'POST', '/v1/monitors', { id: 'lv', model: 'churn', metric: 'errorRate', window: '1h', ...extra, levels });
      const refused = async (extra: Record<string, unknown>, levels: unknown[], message: RegExp): Promise<void> => {
        const r = await declare(extra, levels);
        assert.equal(r.status, 400, JSON.stringify(r.body));
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'validation_failed');
        assert.match(err.message, message);
      };
      await refused({}, [{ severity: 'warning', threshold: 0.5 }, { severity: 'page', threshold: 0.2 }], /warning at 0\.5 would never be the verdict, since page at 0\.2 is crossed first \(the bad side is above/);
      await refused({ metric: 'accuracy' }, [{ severity: 'warning', threshold: 0.8 }, { severity: 'page', threshold: 0.9 }], /warning at 0\.8 would never be the verdict, since page at 0\.9 .*further below/);
      await refused({}, [{ severity: 'page', threshold: 0.2 }, { severity: 'page', threshold: 0.5, action: 'rollback' }], /two levels of severity page \(thresholds 0\.2 and 0\.5\)/);
      await refused({ metric: 'accuracy', kind: 'baseline' }, [{ severity: 'warning', threshold: 0.2 }, { severity: 'page', threshold: 0.05 }], /warning at 0\.2 would never be the verdict.*for kind baseline/);
      assert.equal((await declare({}, [{ severity: 'page', threshold: 0.5 }, { severity: 'warning', threshold: 0.2 }])).status, 201);
      assert.equal((await declare({ metric: 'accuracy' }, [{ severity: 'warning', threshold: 0.9 }, { severity: 'critical', threshold: 0.7 }, { severity: 'page', threshold: 0.8 }])).status, 200);
      assert.equal((await declare({ metric: 'accuracy', kind: 'baseline' }, [{ severity: 'warning', threshold: 0.05 }, { severity: 'page', threshold: 0.2 }])).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe('audit 23 (monitors): a rolling monitor without a baseline says which past windows it lacks', { timeout: 60_000 }, () => {
  test('the default weekly seasonality on a day of traffic: the note names the previous 4 weeks and minSamples; seasonality none compares with the hour before', async () => {
    const LIVE = Date.UTC(2026, 1, 2, 0);
    const now = LIVE + 2 * 3_600_000 + MIN;
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      await churn(s);
      await post('/v1/events', { events: [...events('a', LIVE, 3_600_000, 20, { errors: 2 }), ...events('b', LIVE + 3_600_000, 3_600_000, 20, { errors: 4 })] });
      await post('/v1/monitors', { id: 'weekly', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, kind: 'rolling', levels: [{ severity: 'page', threshold: 1 }] });
      await post('/v1/monitors', { id: 'prev', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, kind: 'rolling', baseline: { periods: 1, seasonality: 'none' }, levels: [{ severity: 'page', threshold: 1 }] });
      await post('/v1/monitors/run', {});
      const w = await lastEvaluation(s.url, 'weekly', LIVE, now + 1);
      assert.equal(w.status, 'insufficient_data');
      assert.equal(w.detail?.['note'], 'no baseline value to compare with: 0 of the same weekday/hour of the previous 4 weeks have 10 samples (minSamples), 1 needed (baseline.minPeriods)');
      const p = await lastEvaluation(s.url, 'prev', LIVE, now + 1);
      assert.deepEqual([p.status, p.value, p.baseline, p.change], ['page', 0.2, 0.1, 1], 'the hour before: 10% errors, now 20%: a relative rise of 1');
    } finally {
      await s.close();
    }
  });
});
