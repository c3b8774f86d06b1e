import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { warmUp } from '../src/monitoring/warm-up.js';
import type { Server } from '../src/server.js';
import type { StorageBackend } from '../src/storage/backend.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/*
 * Audit 16, many models: GET /v1/models in pages (key-set cursor by name), the CLI reading every page.
 * A real server (DuckDB file), real HTTP, the real CLI binary.
 */
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

async function declare(url: string, name: string): Promise<void> {
  const r = await call(url, 'POST', '/v1/models', { name, outputKind: 'regression', inputSchema: SCHEMA });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

type Page = { models: Array<{ name: string }>; next: string | null };
const page = async (url: string, q: string): Promise<Page> => {
  const r = await call(url, 'GET', `/v1/models?${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as unknown as Page;
};

describe('GET /v1/models in pages', () => {
  let s: Server;
  const names = Array.from({ length: 23 }, (_, i) => `m${String(i * 2).padStart(3, '0')}`); // m000, m002, ..., m044
  before(async () => {
    s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; } });
    for (const n of names) await declare(s.url, n);
    await declare(s.url, 'other.a');
    await declare(s.url, 'other.b');
  });
  after(async () => s?.close());

  test('without limit: every model at once, next null (as before paging)', async () => {
    const all = await page(s.url, '');
    assert.deepEqual(all.models.map((m) => m.name), [...names, 'other.a', 'other.b']);
    assert.equal(all.next, null);
  });

  test('limit and next: pages of at most limit, following next gives every model once, in order', async () => {
    const seen: string[] = [];
    let q = 'limit=7';
    let pages = 0;
    for (;;) {
      const p = await page(s.url, q);
      pages++;
      assert.ok(p.models.length <= 7 && p.models.length > 0, `page of ${p.models.length}`);
      seen.push(...p.models.map((m) => m.name));
      if (p.next === null) break;
      assert.equal(typeof p.next, 'string');
      q = `limit=7&after=${encodeURIComponent(p.next)}`;
    }
    assert.equal(pages, 4); // 25 models: 7 + 7 + 7 + 4
    assert.deepEqual(seen, (await page(s.url, '')).models.map((m) => m.name));
    // a last page that ends exactly at the last model says there is no more
    const exact = await page(s.url, 'limit=25');
    assert.equal(exact.models.length, 25);
    assert.equal(exact.next, null);
  });

  test('stable under declarations between pages: nothing repeats or is skipped (key-set, not offset)', async () => {
    const first = await page(s.url, 'limit=5');
    assert.deepEqual(first.models.map((m) => m.name), names.slice(0, 5));
    // declared meanwhile: one before the cursor (an offset would repeat m008), one after it (must be listed)
    await declare(s.url, 'm001');
    await declare(s.url, 'm009');
    const second = await page(s.url, `limit=5&after=${encodeURIComponent(first.next ?? '')}`);
    assert.deepEqual(second.models.map((m) => m.name), ['m009', 'm010', 'm012', 'm014', 'm016']);
  });

  test('prefix: only the models whose name starts with it, paged the same way', async () => {
    const p1 = await page(s.url, 'prefix=other.&limit=1');
    assert.deepEqual(p1.models.map((m) => m.name), ['other.a']);
    const p2 = await page(s.url, `prefix=other.&limit=1&after=${encodeURIComponent(p1.next ?? '')}`);
    assert.deepEqual(p2.models.map((m) => m.name), ['other.b']);
    assert.equal(p2.next, null);
    assert.deepEqual((await page(s.url, 'prefix=m04')).models.map((m) => m.name), ['m040', 'm042', 'm044']);
    assert.deepEqual((await page(s.url, 'prefix=zzz')).models, []);
  });

  test('bad values: a 400 bad_request (validation_failed until audit 26, unlike every other query parameter) naming the parameter', async () => {
    for (const [q, code, re] of [
      ['limit=0', 'bad_request', /querystring\/limit must be a whole number from 1 to 1000 \(got "0"\)/],
      ['limit=1001', 'bad_request', /limit must be a whole number from 1 to 1000/],
      ['limit=abc', 'bad_request', /limit must be a whole number/],
      ['limit=2.5', 'bad_request', /limit must be a whole number/],
      ['limit=1&limit=2', 'bad_request', /^limit must be given once \(got 2 values\)/], // audit 27: every route alike (was: querystring/limit must be string (got an array))
      ['prefix=a%2Fb', 'bad_request', /prefix must be at most 128 letters/],
      ['after=not-a-cursor!', 'bad_request', /after must be the "next" of a previous answer/],
      [`after=${Buffer.from('a/b').toString('base64url')}`, 'bad_request', /after must be the "next"/],
    ] as const) {
      const r = await call(s.url, 'GET', `/v1/models?${q}`);
      assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
      const e = r.body['error'] as { code: string; message: string; details: unknown };
      assert.equal(e.code, code, q);
      assert.match(e.message, re, q);
    }
  });

  test('lookout models list reads every page (and the versions of each model)', async () => {
    const all = (await page(s.url, '')).models.map((m) => m.name);
    const r = await lookoutAsync(['models', 'list', '--url', s.url, '--page-size', '4', '--json'], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const answer = JSON.parse(r.stdout) as Page;
    assert.deepEqual(Object.keys(answer), ['models'], '--json prints {models} as before paging');
    const listed = answer.models.map((m) => m.name);
    assert.deepEqual(listed, all);
    const text = await lookoutAsync(['models', 'list', '--url', s.url, '--page-size', '4'], 60_000);
    assert.equal(text.code, 0, text.stderr);
    for (const n of all) assert.match(text.stdout, new RegExp(`^${n.replace('.', '\\.')}\\s+regression\\s+0\\s+-`, 'm'));
    const bad = await lookoutAsync(['models', 'list', '--url', s.url, '--page-size', '0']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /"0" is not a page size: 1 to 1000 models/);
  });
});

describe('start-up warm-up with many idle models', () => {
  let s: Server;
  const idle = Array.from({ length: 40 }, (_, i) => `idle${String(i).padStart(2, '0')}`);
  const now = Date.now();
  before(async () => {
    s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; c.server.windowValueFillSeconds = 0; } });
    for (const n of ['active', ...idle]) {
      await declare(s.url, n);
      assert.equal((await call(s.url, 'POST', `/v1/models/${n}/versions`, { version: '1' })).status, 201);
    }
    const events = Array.from({ length: 50 }, (_, i) => ({ model: 'active', version: '1', timestamp: now - 3_600_000 - i * 60_000, features: { x: i % 7 }, prediction: i, latencyMs: 3 + (i % 5) }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 50);
    await s.deps.pipeline.flush();
  });
  after(async () => s?.close());

  test('visits only the versions with stored windows: an idle model costs no store reads', async () => {
    // Count the reads that reach the store itself (deps.store is a view that syncs first and forwards to it).
    const raw = (s.deps.performance as unknown as { store: StorageBackend }).store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const calls: string[] = [];
    const restore: Array<() => void> = [];
    for (const name of ['querySummaries', 'querySummaryKeys', 'queryWindowValues', 'labelledOutcomes', 'labelledEvents']) {
      const orig = raw[name] as (...a: unknown[]) => Promise<unknown>;
      raw[name] = async (...a: unknown[]) => {
        calls.push(`${name} ${(a[0] as { model?: string }).model ?? ''}`);
        return orig.apply(raw, a);
      };
      restore.push(() => { raw[name] = orig; });
    }
    try {
      const w = await warmUp(s.deps, { days: 30 });
      assert.equal(w.models, 1, 'only the model with events is warmed');
      const ofIdle = calls.filter((c) => / idle\d+$/.test(c));
      assert.deepEqual(ofIdle, [], `${ofIdle.length} store reads for idle models`);
      assert.ok(calls.some((c) => c.endsWith(' active')), 'the active model is warmed');
    } finally {
      for (const r of restore) r();
    }
    // and what it warmed answers as before: the active model's health over the warmed range
    const h = await call(s.url, 'GET', `/v1/models/active/health?from=${now - 29 * 86_400_000}&to=${now}`);
    assert.equal(h.body['events'], 50);
    const quiet = await call(s.url, 'GET', `/v1/models/idle00/health?from=${now - 29 * 86_400_000}&to=${now}`);
    assert.equal(quiet.body['events'], 0);
  });
});

describe('audit 16: an unknown model\'s 404 with many models declared', () => {
  test('lists the first 50 known names and how many more, not every one (monitoring and registry routes)', async () => {
    const s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; } });
    try {
      const names = Array.from({ length: 57 }, (_, i) => `k${String(i).padStart(2, '0')}`);
      for (const n of names) await declare(s.url, n);
      for (const path of ['/v1/models/nope', '/v1/models/nope/drift', '/v1/models/nope/aliases']) {
        const r = await call(s.url, 'GET', path);
        assert.equal(r.status, 404, `${path}: ${JSON.stringify(r.body)}`);
        const message = String((r.body['error'] as Record<string, unknown>)['message']);
        assert.ok(message.includes(`known: ${names.slice(0, 50).join(', ')}, ... (7 more`), `${path}: ${message}`);
        assert.ok(!message.includes('k50'), `${path}: ${message}`);
      }
    } finally {
      await s.close();
    }
  });
});
