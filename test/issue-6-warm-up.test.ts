import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { warmUp } from '../src/monitoring/warm-up.js';
import type { Server } from '../src/server.js';
import type { StorageBackend } from '../src/storage/backend.js';
import { call, testServer } from './helpers/server.js';

/*
 * Issue 6 (pages in under 1 s): after start, the query caches of the dashboards' default range are filled
 * in the background. Here: once warmUp() ran, the dashboard's queries over the last 30 days read no window
 * summary and no labelled event from the store, and answer what was sent.
 */
const DAY = 86_400_000;
let s: Server;
const now = Date.now();
let raw: StorageBackend;
const reads = { summaries: 0, labelled: 0 };
/** The store reads that returned summary rows since the last reset, with their queries: said when the test fails. */
let summaryReads: string[] = [];

before(async () => {
  s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; } });
  assert.equal((await call(s.url, 'POST', '/v1/models', {
    name: 'w', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'],
    inputSchema: { type: 'object', properties: { a: { type: 'number' } } },
  })).status, 201);
  assert.equal((await call(s.url, 'POST', '/v1/models/w/versions', { version: '1' })).status, 201);
  const events = Array.from({ length: 300 }, (_, i) => ({
    id: `w${i}`, model: 'w', version: '1', timestamp: now - (i % 5) * DAY - 1000 - i, features: { a: i % 17 },
    prediction: String(i % 2), score: (i % 10) / 10, latencyMs: 5 + (i % 7), segment: { region: i % 3 ? 'eu' : 'us' },
  }));
  assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 300);
  assert.equal((await call(s.url, 'POST', '/v1/labels', { labels: events.slice(0, 200).map((e, i) => ({ id: e.id, label: String(i % 3 ? 1 : 0) })) })).body['accepted'], 200);
  await s.deps.pipeline.flush();
  // Count what reaches the store itself (deps.store is a view that syncs first and forwards to it).
  raw = (s.deps.performance as unknown as { store: StorageBackend }).store;
  assert.equal(raw.kind, 'duckdb');
  const target = raw as unknown as Record<string, (...a: unknown[]) => unknown>;
  // Summary rows read, not calls (a series with nothing cached is asked for its rows directly: none when it has
  // no windows); reads of labelled outcomes (what performance reads) by call.
  for (const [name, key] of [['querySummaries', 'summaries'], ['labelledOutcomes', 'labelled']] as const) {
    const orig = target[name]?.bind(raw);
    if (!orig) throw new Error(name);
    target[name] = async (...a: unknown[]) => {
      const rows = await orig(...a);
      reads[key] += key === 'summaries' ? (rows as unknown[]).length : 1;
      if (key === 'summaries' && (rows as unknown[]).length > 0) summaryReads.push(`${JSON.stringify(a[0])}: ${(rows as unknown[]).length} rows at ${Date.now()}`);
      return rows;
    };
  }
});
after(async () => s?.close());

test('issue 6: after warmUp(), the dashboard queries inside the last 30 days are answered without reading summaries or labels', async () => {
  // The ranges asked end when the warm-up starts: with the data's `now` (before the set-up), a minute that began during the
  // set-up made the last bucket another range than the warm-up's (a CI run under load: 1 bucket computed).
  const end = Date.now();
  const w = await warmUp(s.deps, { days: 30 });
  assert.equal(w.models, 1);
  assert.equal(w.drifts, 0, 'no reference: no drift to compute');
  assert.ok(reads.summaries > 0 && reads.labelled > 0, `the warm-up itself read the store (${JSON.stringify(reads)})`);
  reads.summaries = 0;
  reads.labelled = 0;
  summaryReads = [];
  const t0 = Date.now();
  // Count the results computed from here on (the performance cache's compute callbacks).
  let computed = 0;
  const perfCache = s.deps.performance;
  const result = perfCache.result.bind(perfCache);
  perfCache.result = (ctx, from, to, id, compute) => result(ctx, from, to, id, () => { computed++; return compute(); });
  // The model page's quality chart: 30 days in buckets of 2 days, the headline metric; all computed by the warm-up.
  const buckets = await call(s.url, 'GET', `/v1/models/w/performance/buckets?from=${end - 30 * DAY}&to=${end}&step=2d&metrics=accuracy`);
  assert.equal((buckets.body['buckets'] as Array<{ labelled: number }>).reduce((a, b) => a + b.labelled, 0), 200);
  assert.equal(computed, 0, 'every bucket came from the warm-up');
  const range = `from=${end - 29 * DAY}&to=${end}`; // inside the warmed range (which ends a little later)
  const health = await call(s.url, 'GET', `/v1/models/w/health?${range}`);
  assert.equal(health.body['events'], 300);
  const eu = await call(s.url, 'GET', `/v1/models/w/health?${range}&segment=region%3Deu`);
  assert.equal(eu.body['events'], 200);
  const series = await call(s.url, 'GET', `/v1/models/w/series?${range}&metrics=throughput,errorRate,latencyP95,estimatedAccuracy`);
  assert.equal((series.body['events'] as number[]).reduce((a, b) => a + b, 0), 300);
  // The dashboard's "7d" range, by hour (the warm-up computes it too), with drift share beside the head metrics.
  const week = await call(s.url, 'GET', `/v1/models/w/series?from=${end - 7 * DAY + 60_000}&to=${end}&granularity=hour&metrics=throughput,errorRate,latencyP95,driftShare,predictionDrift`);
  assert.equal(week.status, 200, JSON.stringify(week.body));
  assert.equal((week.body['events'] as number[]).reduce((a, b) => a + b, 0), 300);
  const perf = await call(s.url, 'GET', `/v1/models/w/performance?${range}&metrics=accuracy`);
  assert.equal(perf.body['labelled'], 200);
  assert.deepEqual(reads, { summaries: 0, labelled: 0 }, `everything came from the caches the warm-up filled (test data at ${now}, warm-up done at ${t0}; reads: ${summaryReads.join('; ')})`);
  assert.equal(computed, 1, 'only the /performance request over its own range was computed');
});

test('issue 6: monitors on labels read the labelled events through the same cache (a tick after the warm-up reads none from the store)', async () => {
  await warmUp(s.deps, { days: 30 });
  const res = await call(s.url, 'POST', '/v1/monitors', { id: 'acc', model: 'w', metric: 'accuracy', window: '1h', minSamples: 1, levels: [{ severity: 'warning', threshold: 0.01 }] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  reads.labelled = 0;
  const alerting = s.deps.alerting;
  if (!alerting) throw new Error('no alerting');
  await alerting.monitors.tick();
  assert.equal(reads.labelled, 0, 'the labels came from the performance cache the warm-up filled');
  // Each value is the realized accuracy of the window's labelled events, as GET /performance answers for the same window.
  const evs = ((await call(s.url, 'GET', `/v1/monitors/acc/evaluations?from=${now - 3 * DAY}&to=${now + DAY}`)).body['evaluations'] as Array<{ at: number; value: number | null; samples: number }>).filter((e) => e.samples > 0);
  assert.ok(evs.length >= 1, 'a window of the last 48 hours holds labelled events');
  for (const e of evs) {
    const perf = await call(s.url, 'GET', `/v1/models/w/performance?from=${e.at - 3_600_000}&to=${e.at}&metrics=accuracy&segments=false`);
    assert.equal(e.samples, perf.body['labelled']);
    assert.equal(e.value, (perf.body['realized'] as { metrics: { accuracy: { value: number } } }).metrics.accuracy.value);
  }
});

test('issue 6: requests for the same range at the same time share one merge of the windows (a dashboard asks /health and /drift together)', async () => {
  const cache = s.deps.reader.cache;
  const merges: string[] = [];
  const put = cache.putMergedRange.bind(cache);
  cache.putMergedRange = (...a: Parameters<typeof cache.putMergedRange>) => { merges.push(a[1]); return put(...a); };
  try {
    // A range not asked before, whose end is never on an hour (its start, older than the minute retention, is read from
    // whole hours): so it is merged as its whole hours and its end windows, whenever the test runs.
    const to = Math.floor(now / 3_600_000) * 3_600_000 - 29 * 60_000 - 7_777;
    const range = `from=${now - 3 * DAY - 12_345}&to=${to}`;
    const [health, drift, eu] = await Promise.all([
      call(s.url, 'GET', `/v1/models/w/health?${range}`),
      call(s.url, 'GET', `/v1/models/w/quality?${range}`),
      call(s.url, 'GET', `/v1/models/w/health?${range}&segment=region%3Deu`),
    ]);
    assert.equal(health.body['events'], drift.body['events']);
    assert.ok((eu.body['events'] as number) < (health.body['events'] as number));
    // One merge for the whole traffic (two requests), one for the segment; each merges its whole hours as a range of
    // their own (SummaryReader.merged), once too.
    assert.equal(merges.length, 4, merges.join(' | '));
    assert.equal(new Set(merges).size, 4, 'no range merged twice');
  } finally {
    cache.putMergedRange = put;
  }
});

test('issue 3: with a reference, the warm-up also computes the drift of the last 24 h and of its whole range (whole traffic)', async () => {
  const rows = ['a', ...Array.from({ length: 200 }, (_, i) => String(i % 17))];
  const up = await fetch(`${s.url}/v1/models/w/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: rows.join('\n') });
  assert.equal(up.status, 200, await up.text());
  const w = await warmUp(s.deps, { days: 30 });
  assert.equal(w.drifts, 2);
});
