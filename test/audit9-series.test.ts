import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { call, poster, testServer } from './helpers/server.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Not aligned to a day or an hour: a 30-day range ending now starts in the middle of a day. */
const NOW = Date.UTC(2026, 10, 20, 12, 37, 0);
const FROM = NOW - 30 * DAY;
const unavailable = browserUnavailable();

type Estimate = { accuracy: number; n: number } | null;
type Bucket = { from: number; to: number; labelled: number; realized: { metrics: Record<string, { value: number | null }> } | null; estimated: Estimate };

/**
 * One event an hour over 30 days (the half hour of each hour) of a binary model: on even UTC days its scores are
 * uncertain (0.55 / 0.45: an estimated accuracy near 55%), on odd days confident (0.95 / 0.05: near 95%), so a day
 * series and the 2-day buckets differ by day. Every event is labelled.
 */
function traffic(): Array<{ id: string; ts: number; score: number; prediction: string; label: string }> {
  const out = [];
  for (let t = Math.floor(FROM / HOUR) * HOUR + 30 * MIN, i = 0; t < NOW; t += HOUR, i++) {
    const confident = Math.floor(t / DAY) % 2 === 1;
    const positive = i % 2 === 0;
    const score = confident ? (positive ? 0.95 : 0.05) : positive ? 0.55 : 0.45;
    out.push({ id: `e${i}`, ts: t, score, prediction: positive ? '1' : '0', label: i % 5 === 0 ? (positive ? '0' : '1') : positive ? '1' : '0' });
  }
  return out;
}

describe('audit 9 (series): quality buckets and their CBPE estimate over a 30-day range', { timeout: 180_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);
  const sent = traffic();

  before(async () => {
    s = await testServer({ clock: () => NOW });
    await post('/v1/models', { name: 'c', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/c/versions', { version: '1' });
    // A reference whose scores are calibrated (a row of score p is labelled 1 in p of the cases).
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const p = ((i % 10) + 0.5) / 10;
      return `${i % 100},${p >= 0.5 ? 1 : 0},${p},${Math.floor(i / 10) % 10 < p * 10 ? 1 : 0}`;
    });
    const up = await fetch(`${s.url}/v1/models/c/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: `x,prediction,score,label\n${rows.join('\n')}\n` });
    assert.equal(up.status, 200, await up.text());
    for (let i = 0; i < sent.length; i += 500) {
      const res = await post('/v1/events', { events: sent.slice(i, i + 500).map((e) => ({ id: e.id, model: 'c', version: '1', timestamp: e.ts, features: { x: 1 }, prediction: e.prediction, score: e.score })) });
      assert.equal(res['accepted'], Math.min(500, sent.length - i), JSON.stringify(res));
    }
    await post('/v1/labels', { labels: sent.map((e) => ({ id: e.id, label: e.label })) });
    await s.deps.pipeline.flush();
  });
  after(async () => s?.close());

  test('issue 3: /performance/buckets clips its first and last bucket to the range and gives each bucket its CBPE estimate', async () => {
    // The first bucket started at the 2-day boundary before `from` and counted the labelled events before the range;
    // the buckets had no estimate, so the chart sampled a day series at the bucket starts (every other day).
    const res = await call(s.url, 'GET', `/v1/models/c/performance/buckets?from=${FROM}&to=${NOW}&step=2d&metrics=accuracy&ci=false`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const from = res.body['from'] as number;
    const to = res.body['to'] as number;
    const buckets = res.body['buckets'] as Bucket[];
    assert.equal(from, Math.floor(FROM / HOUR) * HOUR, 'before the minute retention: whole hours');
    assert.equal(buckets[0]?.from, from, 'the first bucket starts at the range start');
    assert.equal(buckets.at(-1)?.to, to, 'the last bucket ends at the range end');
    for (const [i, b] of buckets.entries()) {
      if (i > 0) assert.equal(b.from, buckets[i - 1]?.to, 'contiguous');
      if (i > 0 && i < buckets.length - 1) assert.equal(b.from % (2 * DAY), 0, 'inner buckets aligned to the step');
      const inside = sent.filter((e) => e.ts >= b.from && e.ts < b.to);
      assert.equal(b.labelled, inside.length, `bucket ${i}: its labelled events are those of its (clipped) range`);
      const acc = inside.filter((e) => e.label === e.prediction).length / inside.length;
      assert.ok(Math.abs((b.realized?.metrics['accuracy']?.value ?? NaN) - acc) < 1e-12, `bucket ${i} realized accuracy`);
      // The same estimate /performance gives for the bucket's range.
      const one = (await call(s.url, 'GET', `/v1/models/c/performance?from=${b.from}&to=${b.to}&segments=false&metrics=accuracy&ci=false`)).body;
      assert.deepEqual(b.estimated, one['estimated'], `bucket ${i}: /performance's estimate of its range`);
      assert.equal(b.estimated?.n, inside.length);
    }
    assert.equal(buckets.reduce((a, b) => a + b.labelled, 0), sent.filter((e) => e.ts >= from && e.ts < to).length);
    // Independently: estimated accuracy is the mean of the expected correctness over the events, so a 2-day bucket's
    // is the events-weighted mean of its two days' values in the day series (which differ by far here).
    const days = (await call(s.url, 'GET', `/v1/models/c/timeseries?metric=estimatedAccuracy&from=${FROM}&to=${NOW}&granularity=day`)).body['points'] as Array<{ t: number; value: number | null; events: number }>;
    const inner = buckets.slice(1, -1);
    assert.ok(inner.length >= 13);
    for (const b of inner) {
      const ds = days.filter((p) => p.t >= b.from && p.t < b.to);
      assert.equal(ds.length, 2);
      const [d0, d1] = ds as unknown as [{ value: number; events: number }, { value: number; events: number }];
      assert.ok(Math.abs(d0.value - d1.value) > 0.2, `the days differ: ${d0.value} ${d1.value}`);
      const mean = (d0.value * d0.events + d1.value * d1.events) / (d0.events + d1.events);
      assert.ok(Math.abs((b.estimated?.accuracy ?? NaN) - mean) < 1e-9, `bucket ${new Date(b.from).toISOString()}: ${b.estimated?.accuracy} vs ${mean}`);
    }
  });

  describe('issue 6: the model page\'s quality chart', { skip: unavailable ?? false }, () => {
    let browser: Browser;
    let page: Page;
    let errors: string[];
    before(async () => {
      browser = await launch();
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      errors = watchErrors(page);
    });
    after(async () => browser?.close());

    /** The legend's values with the cursor on the chart's point at each time of `ts` (uPlot ranges x from the first point to the last). */
    async function legendAt(ts: number[]): Promise<Array<Record<string, string>>> {
      const t0 = ts[0] as number;
      const span = (ts.at(-1) as number) - t0;
      const chart = page.locator('[data-testid="quality-chart"]');
      const over = chart.locator('.u-over');
      const box = await over.boundingBox();
      if (!box) throw new Error('no plot');
      const out: Array<Record<string, string>> = [];
      for (const t of ts) {
        await page.mouse.move(box.x + 1 + ((box.width - 2) * (t - t0)) / span, box.y + box.height / 2);
        const rows = await chart.locator('.u-legend .u-series').evaluateAll((els) => els.map((el) => [el.querySelector('.u-label')?.textContent ?? '', el.querySelector('.u-value')?.textContent ?? '']));
        out.push(Object.fromEntries(rows));
      }
      return out;
    }

    test('plots each 2-day bucket\'s CBPE estimate (not every other day\'s) and starts at the range start', async () => {
      // Before: the estimate of a bucket was the day series' value at the bucket's start, so the purple line followed
      // only the even (or only the odd) days; and the first point was at the 2-day boundary before the range.
      await openView(page, `${s.url}/ui/#/model/c?from=${FROM}&to=${NOW}`, { complete: true });
      const api = (await call(s.url, 'GET', `/v1/models/c/performance/buckets?from=${FROM}&to=${NOW}&step=2d&metrics=accuracy`)).body;
      const buckets = api['buckets'] as Bucket[];
      const chart = page.locator('[data-testid="quality-chart"]');
      assert.match((await chart.locator('figcaption').textContent()) ?? '', /realized \(95% CI\) vs estimated \(CBPE\)/);
      await page.waitForSelector('[data-testid="quality-chart"] .u-over');
      const shown = await legendAt(buckets.map((b) => b.from));
      const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
      for (const [i, b] of buckets.entries()) {
        const row = shown[i] ?? {};
        const label = Object.keys(row).find((k) => k.includes('estimated')) ?? '';
        assert.equal(row[label], pct(b.estimated?.accuracy ?? NaN), `point ${i} (${new Date(b.from).toISOString()}): ${JSON.stringify(row)}`);
        assert.equal(row['realized accuracy'], pct(b.realized?.metrics['accuracy']?.value ?? NaN), `point ${i}`);
      }
      const first = shown[0] ?? {};
      assert.equal(Object.values(first)[0], new Date(api['from'] as number).toISOString().slice(0, 16).replace('T', ' ') + 'Z', 'the first point is at the range start');
      assert.deepEqual(errors, []);
    });
  });
});
