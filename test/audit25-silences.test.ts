import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { SilenceRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/**
 * Audit 25: GET /v1/silences?activeFrom=&activeTo= lists the silences muting at some moment of a range (a silence mutes
 * from startsAt until endsAt, excluded): started before activeTo and expiring after activeFrom. GET /v1/silences had
 * no range, so the dashboard's chart markers read one page (the 1,000 of the latest expiry) and filtered it: among a
 * deploy script's daily silences a past range had none. `lookout silences list --active-from/--active-to` likewise.
 * A real server whose clock is set (silences made ahead, then the clock moved past them), real HTTP, the real CLI.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D = Date.UTC(2026, 0, 1);
/** A deploy script's daily silences: more than a page (1,000). */
const DAYS = 1100;
const iso = (t: number): string => new Date(t).toISOString();
/** The daily silence of day i: 02:00 to 02:30. */
const startOf = (i: number): number => D + i * DAY + 2 * HOUR;
const endOf = (i: number): number => startOf(i) + 30 * 60_000;

describe('audit 25 (silences): GET /v1/silences?activeFrom=&activeTo= and lookout silences list --active-from/--active-to', { timeout: 120_000 }, () => {
  let s: Server;
  let now = D - HOUR;
  const ok = succeeding(() => s.url);
  const id = new Map<string, string>();
  const name = (x: SilenceRecord): string => [...id].find(([, v]) => v === x.id)?.[0] ?? x.id;
  const list = async (query: string): Promise<string[]> => ((await ok('GET', `/v1/silences?${query}`))['silences'] as SilenceRecord[]).map(name);
  const range = (f: number, t: number): string => `state=all&activeFrom=${f}&activeTo=${t}`;

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'regression', inputSchema: { type: 'object' } });
    for (let b = 0; b < DAYS; b += 50) {
      await Promise.all(Array.from({ length: Math.min(50, DAYS - b) }, async (_, k) => {
        const i = b + k;
        const body = await ok('POST', '/v1/silences', { matchers: [{ name: 'model', value: 'churn' }], startsAt: startOf(i), endsAt: endOf(i), createdBy: 'deploy', comment: `deploy ${i}` });
        id.set(`day${i}`, (body['silence'] as SilenceRecord).id);
      }));
    }
    // a pending silence expired before it started (DELETE: startsAt = endsAt = then): it never muted
    const p = await ok('POST', '/v1/silences', { matchers: [{ name: 'model', value: 'churn' }], startsAt: D + 5 * DAY, endsAt: D + 5 * DAY + HOUR, createdBy: 'ann', comment: 'not needed' });
    id.set('never', (p['silence'] as SilenceRecord).id);
    now = D + 3 * DAY + 12 * HOUR;
    await ok('DELETE', `/v1/silences/${id.get('never')}`);
    now = D + (DAYS + 10) * DAY;
  });
  after(() => s?.close());

  test('a past day among more than 1,000 newer silences: its silence, edges as the silence mutes', async () => {
    // without a range: the first page (1,000, latest expiry first) has none of the first 100 days
    const page = await list('state=all');
    assert.equal(page.length, 1000);
    assert.ok(!page.includes('day10'));
    const day = (i: number): [number, number] => [D + i * DAY, D + (i + 1) * DAY];
    assert.deepStrictEqual(await list(range(...day(10))), ['day10']);
    assert.deepStrictEqual(await list(`state=all&activeFrom=${iso(D + 10 * DAY)}&activeTo=${iso(D + 11 * DAY)}`), ['day10'], 'ISO times');
    // the edges: [activeFrom, activeTo) against [startsAt, endsAt)
    assert.deepStrictEqual(await list(range(endOf(10), endOf(10) + HOUR)), [], 'expired at activeFrom: not muting in the range');
    assert.deepStrictEqual(await list(range(endOf(10) - 1, endOf(10) + HOUR)), ['day10'], 'muting at activeFrom');
    assert.deepStrictEqual(await list(range(startOf(10) - HOUR, startOf(10))), [], 'starting at activeTo: out');
    assert.deepStrictEqual(await list(range(startOf(10) - HOUR, startOf(10) + 1)), ['day10'], 'starting just before activeTo');
    // one bound alone
    assert.deepStrictEqual(await list(`state=all&activeTo=${startOf(1)}`), ['day0']);
    assert.deepStrictEqual(await list(`state=all&activeFrom=${endOf(DAYS - 3)}`), [`day${DAYS - 1}`, `day${DAYS - 2}`]);
    // the silence expired before it started is in no range
    assert.deepStrictEqual(await list(range(D + 3 * DAY, D + 4 * DAY)), ['day3']);
    // the state is the silence's now: the range's silences have expired since
    assert.deepStrictEqual(await list(`state=active,pending&activeFrom=${D + 10 * DAY}&activeTo=${D + 11 * DAY}`), []);
    assert.deepStrictEqual(await list(`state=expired&activeFrom=${D + 10 * DAY}&activeTo=${D + 11 * DAY}`), ['day10']);
  });

  test('pages of a range: each page after the previous one\'s last silence, the range kept', async () => {
    const want = Array.from({ length: 25 }, (_, i) => `day${34 - i}`);
    const got: string[] = [];
    let before: string | null = null;
    for (let i = 0; i < 10; i++) {
      const body = await ok('GET', `/v1/silences?${range(D + 10 * DAY, D + 35 * DAY)}&limit=10${before === null ? '' : `&before=${before}`}`);
      got.push(...(body['silences'] as SilenceRecord[]).map(name));
      before = body['next'] as string | null;
      if (before === null) break;
    }
    assert.deepStrictEqual(got, want);
  });

  test('a range not in order, a time that does not parse: 400 naming them', async () => {
    const order = await call(s.url, 'GET', `/v1/silences?activeFrom=${D + HOUR}&activeTo=${D}`);
    assert.equal(order.status, 400);
    const o = order.body['error'] as { code: string; message: string; details: Record<string, unknown> };
    assert.equal(o.code, 'bad_request');
    assert.equal(o.message, `"activeFrom" must be before "activeTo" (activeFrom ${iso(D + HOUR)}, activeTo ${iso(D)})`);
    assert.deepStrictEqual(o.details, { activeFrom: D + HOUR, activeTo: D });
    const bad = await call(s.url, 'GET', '/v1/silences?activeTo=tomorrow');
    assert.equal(bad.status, 400);
    assert.match((bad.body['error'] as { message: string }).message, /^activeTo must be epoch milliseconds or an ISO-8601 time/);
  });

  test('lookout silences list --active-from/--active-to: the range\'s silences whatever their state now, its "more:" line keeping the range', async () => {
    const args = ['silences', 'list', '--url', s.url, '--active-from', iso(D + 10 * DAY), '--active-to', iso(D + 12 * DAY)];
    const all = await lookoutAsync([...args, '--json']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepStrictEqual((JSON.parse(all.stdout) as SilenceRecord[]).map(name), ['day11', 'day10'], 'expired now: listed without --state');
    const page = await lookoutAsync([...args, '--limit', '1']);
    assert.equal(page.code, 0, page.stderr);
    assert.match(page.stdout, new RegExp(`${id.get('day11')} +expired +model=churn`));
    assert.match(page.stdout, new RegExp(`more: lookout silences list --active-from ${iso(D + 10 * DAY)} --active-to ${iso(D + 12 * DAY)} --limit 1 --before ${id.get('day11')}`));
    const now = await lookoutAsync([...args, '--state', 'active,pending']);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, new RegExp(`no silences in state active,pending muting from ${iso(D + 10 * DAY)} until ${iso(D + 12 * DAY)}`));
    // without a range, as before: the silences that mute now or will
    const plain = await lookoutAsync(['silences', 'list', '--url', s.url]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /no silences in state active,pending\n/);
  });
});
