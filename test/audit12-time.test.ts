import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';
import { parseAlertingSettings } from '../src/alerting/settings.js';
import { tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

// Audit 12 (time and windows at their edges), through a real server on a DuckDB file with an injected clock.
const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const W = 7 * D;
const regression = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

async function declare(url: string): Promise<void> {
  assert.equal((await call(url, 'POST', '/v1/models', regression)).status, 201);
  assert.equal((await call(url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
}

async function send(url: string, rows: Array<Record<string, unknown>>): Promise<void> {
  const events = rows.map((r, i) => ({ model: 'm', version: '1', features: { x: i }, prediction: i, ...r }));
  const r = await call(url, 'POST', '/v1/events', { events });
  assert.equal(r.body['accepted'], events.length, JSON.stringify(r.body).slice(0, 400));
}

describe('audit12: time and windows at their edges', () => {
  test('a rolling weekly throughput monitor with a 15m window: the past weeks, older than the minute windows, are rates over the hour they read, not 4x', async () => {
    // Steady traffic, one event every 10 s, in the hour holding the window this week and the 4 weeks before.
    const hour = Date.UTC(2026, 11, 5, 10);
    const now = hour + 16 * M;
    const srv = await testServer({ clock: () => now });
    try {
      await declare(srv.url);
      for (let w = 0; w <= 4; w++) {
        const times = Array.from({ length: 360 }, (_, i) => hour - w * W + i * 10_000).filter((t) => t < now);
        await send(srv.url, times.map((timestamp) => ({ timestamp })));
      }
      const mon = { id: 'tp', model: 'm', metric: 'throughput', window: '15m', kind: 'rolling', baseline: { periods: 4, seasonality: 'weekly' }, minSamples: 1, levels: [{ severity: 'warning', threshold: 0.5 }] };
      assert.equal((await call(srv.url, 'POST', '/v1/monitors', mon)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/monitors/run', {})).status, 200);
      const evs = (await call(srv.url, 'GET', `/v1/monitors/tp/evaluations?from=${hour}&to=${now}`)).body['evaluations'] as Array<Record<string, unknown>>;
      const last = evs.find((e) => e['at'] === hour + 15 * M);
      assert.ok(last, JSON.stringify(evs).slice(0, 500));
      // this week's window [10:00, 10:15): 90 events in 900 s; each past week's hour: 360 events in 3600 s
      assert.equal(last['value'], 90 / 900);
      assert.ok(Math.abs((last['baseline'] as number) - 360 / 3600) < 1e-12, `baseline ${String(last['baseline'])} (0.4 before: 360 events of the hour over the 900 s of the window)`);
      assert.equal(last['status'], 'ok', JSON.stringify(last));
      assert.equal(((await call(srv.url, 'GET', '/v1/alerts')).body['alerts'] as unknown[]).length, 0);
    } finally {
      await srv.close();
    }
  });
  test('a fraction of a millisecond never moves an event into the next window: RFC 3339 digits past the millisecond and a fractional epoch are truncated, as Date.parse, Java and Python do', async () => {
    const now = Date.UTC(2026, 11, 5, 12, 30);
    const srv = await testServer({ clock: () => now, configure: (c) => (c.ingest.sampleRate = 1) });
    try {
      await declare(srv.url);
      const eleven = Date.UTC(2026, 11, 5, 11);
      // Python's isoformat() writes microseconds; each of these is before 11:00
      await send(srv.url, [
        { id: 'a', timestamp: '2026-12-05T10:59:59.9996Z' },
        { id: 'b', timestamp: '2026-12-05T10:59:59.999600+00:00' },
        { id: 'c', timestamp: '2026-12-05T11:59:59.999999999+01:00' },
        { id: 'd', timestamp: eleven - 0.4 },
        { id: 'e', timestamp: '2026-12-05T11:00:00.0004Z' },
      ]);
      const events = async (from: number, to: number): Promise<number> => (await call(srv.url, 'GET', `/v1/models/m/health?from=${from}&to=${to}`)).body['events'] as number;
      assert.equal(await events(eleven - H, eleven), 4, 'the four events before 11:00 are in the 10:00 hour (0 before: each was at 11:00:00.000)');
      assert.equal(await events(eleven, eleven + H), 1);
      const raw = (await call(srv.url, 'GET', `/v1/models/m/events?from=${eleven - H}&to=${eleven + H}`)).body['events'] as Array<{ id: string; ts: number }>;
      assert.deepEqual(Object.fromEntries(raw.map((e) => [e.id, e.ts])), { a: eleven - 1, b: eleven - 1, c: eleven - 1, d: eleven - 1, e: eleven });
    } finally {
      await srv.close();
    }
  });

  test('a series of more windows than any chart shows (minute windows to a `to` a year ahead) is a 400 naming the count, not 574,620 points', async () => {
    const now = Date.UTC(2026, 11, 5, 12, 30);
    const srv = await testServer({ clock: () => now });
    try {
      await declare(srv.url);
      await send(srv.url, [{ timestamp: now - M }]);
      for (const path of ['timeseries?metric=events', 'series?metrics=events,throughput']) {
        const far = await call(srv.url, 'GET', `/v1/models/m/${path}&granularity=minute&from=${now - H}&to=${now + 399 * D}`);
        assert.equal(far.status, 400, `${path}: ${far.status} ${JSON.stringify(far.body).slice(0, 200)}`);
        const err = far.body['error'] as { code: string; message: string; details: Record<string, unknown> };
        assert.equal(err.code, 'bad_request');
        const windows = 60 + 399 * 24 * 60; // the hour before now, then 399 days of minutes
        assert.match(err.message, new RegExp(`${windows} minute windows`));
        assert.equal(err.details['windows'], windows);
        // the widest ranges a chart asks for still answer: minutes from the retention to a day ahead, hours over 400 days
        const minutes = await call(srv.url, 'GET', `/v1/models/m/${path}&granularity=minute&from=${now - 2 * D + M}&to=${now + D}`);
        assert.equal(minutes.status, 200, JSON.stringify(minutes.body).slice(0, 200));
        const hours = await call(srv.url, 'GET', `/v1/models/m/${path}&granularity=hour&from=${now - 399 * D}&to=${now + D}`);
        assert.equal(hours.status, 200, JSON.stringify(hours.body).slice(0, 200));
      }
    } finally {
      await srv.close();
    }
  });

  test('from/to in epoch seconds (date +%s) are refused naming the milliseconds, as an event timestamp is, not read as January 1970', async () => {
    const now = Date.UTC(2026, 11, 5, 12, 30);
    const srv = await testServer({ clock: () => now });
    try {
      await declare(srv.url);
      await send(srv.url, [{ timestamp: now - M }]);
      const s = Math.floor(now / 1000);
      const r = await call(srv.url, 'GET', `/v1/models/m/health?from=${s - 3600}`);
      assert.equal(r.status, 400, `${r.status}: ${JSON.stringify(r.body).slice(0, 300)} (200 with 0 events before: January 1970)`);
      const err = r.body['error'] as { code: string; message: string };
      assert.equal(err.code, 'bad_request');
      assert.match(err.message, new RegExp(`from ${s - 3600} is epoch seconds \\(2026-12-05T11:30:00.000Z\\).*send epoch milliseconds \\(${(s - 3600) * 1000}\\)`));
      const both = await call(srv.url, 'GET', `/v1/models/m/health?from=${s - 3600}&to=${s}`);
      assert.equal(both.status, 400, JSON.stringify(both.body).slice(0, 300));
      const micro = await call(srv.url, 'GET', `/v1/models/m/health?to=${now * 1000}`); // microseconds: past year 9999
      assert.equal(micro.status, 400);
      assert.match((micro.body['error'] as { message: string }).message, /to \d+ is epoch microseconds/);
      // milliseconds, and small ones (the epoch itself), still answer
      assert.equal((await call(srv.url, 'GET', `/v1/models/m/health?from=${(s - 3600) * 1000}&to=${s * 1000}`)).body['events'], 1);
      assert.equal((await call(srv.url, 'GET', '/v1/models/m/health?from=0&to=1000')).status, 200);
      const end = 253_402_300_799_999; // the last millisecond of year 9999, a query's "for ever"
      assert.equal((await call(srv.url, 'GET', `/v1/models/m/health?from=${end - D}&to=${end}`)).status, 200);
    } finally {
      await srv.close();
    }
  });

  test('alerting.timeWindows startsAt/endsAt are read as ISO-8601 (no zone: UTC) or epoch ms whatever the server time zone, and a time that is not one is refused naming it', () => {
    const dir = tempDir('lookout-a12tw-');
    const file = join(dir, 'lookout.yaml');
    const tz = process.env['TZ'];
    try {
      process.env['TZ'] = 'America/New_York';
      writeFileSync(file, 'alerting:\n  timeWindows:\n    - { name: migration, startsAt: "2026-02-01T10:00:00", endsAt: "2026-02-01 12:30" }\n    - { name: ms, startsAt: 1769940000000, endsAt: "2026-02-01T12:00:00+01:00" }\n');
      const [a, b] = parseAlertingSettings(loadConfig(file).alerting).pipeline.timeWindows;
      assert.equal(a?.startsAt, Date.UTC(2026, 1, 1, 10), `startsAt ${new Date(a?.startsAt ?? NaN).toISOString()} (15:00Z before: read in the server's time zone)`);
      assert.equal(a?.endsAt, Date.UTC(2026, 1, 1, 12, 30));
      assert.equal(b?.startsAt, 1769940000000);
      assert.equal(b?.endsAt, Date.UTC(2026, 1, 1, 11));
      for (const bad of ['Feb 1 2026 10:00', '2026-02-30T10:00:00Z']) {
        writeFileSync(file, `alerting:\n  timeWindows:\n    - { name: x, startsAt: "${bad}", endsAt: "2026-03-02T00:00:00Z" }\n`);
        assert.throws(() => parseAlertingSettings(loadConfig(file).alerting), (e: Error) => e.message.includes('alerting.timeWindows[0].startsAt') && e.message.includes(bad), bad);
      }
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });
});
