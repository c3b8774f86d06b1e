import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/**
 * Audit 24: GET /v1/alerts?activeFrom=&activeTo= lists the alerts active at some moment of a range: started before its
 * end, and open, acknowledged, or ended (resolved, or marked a false positive) at or after its start. from/to ("started
 * in the range") drop an alert that started before the range and was still firing in it, so the dashboard's Alerts
 * view, which listed every alert whatever the page's range, could not use them.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D = Date.UTC(2026, 10, 1);
const iso = (t: number): string => new Date(t).toISOString();

describe('audit 24 (range): GET /v1/alerts?activeFrom=&activeTo= and lookout alerts list --active-from/--active-to', { timeout: 60_000 }, () => {
  let s: Server;
  let now = D;
  const id: Record<string, string> = {};
  const ok = succeeding(() => s.url);
  const raise = async (name: string, at: number, model = 'churn'): Promise<void> => {
    now = at;
    const body = await ok('POST', '/v1/alerts', { source: `audit24-${name}`, model, severity: 'page', summary: `alert ${name}` });
    id[name] = (body['alert'] as AlertRecord).id;
  };
  const change = async (name: string, verb: 'ack' | 'resolve' | 'false-positive', at: number): Promise<void> => {
    now = at;
    await ok('POST', `/v1/alerts/${id[name]}/${verb}`, { by: 'ann' });
  };
  const names = (alerts: AlertRecord[]): string[] => alerts.map((a) => Object.keys(id).find((k) => id[k] === a.id) ?? a.id);
  const list = async (query: string): Promise<string[]> => names((await ok('GET', `/v1/alerts?${query}`))['alerts'] as AlertRecord[]);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    for (const model of ['churn', 'eta']) await ok('POST', '/v1/models', { name: model, outputKind: 'regression', inputSchema: { type: 'object' } });
    await raise('a', D);
    await raise('g', D, 'eta');
    await raise('b', D + HOUR);
    await change('a', 'resolve', D + 2 * HOUR);
    await raise('c', D + 3 * HOUR);
    await raise('e', D + 4 * HOUR);
    await change('e', 'ack', D + 4.5 * HOUR);
    await change('b', 'false-positive', D + 5 * HOUR);
    await raise('f', D + 10 * HOUR);
    await change('f', 'resolve', D + 11 * HOUR);
    now = D + 12 * HOUR;
  });
  after(() => s?.close());

  test('the alerts active in the range: those that started before it and were still firing in it too, whatever their state now', async () => {
    const range = (f: number, t: number): string => `activeFrom=${f}&activeTo=${t}`;
    // from/to: only those that started in the range (a, resolved exactly at its start, and b, still firing, dropped)
    assert.deepStrictEqual(await list(`model=churn&from=${D + 2 * HOUR}&to=${D + 6 * HOUR}`), ['e', 'c']);
    assert.deepStrictEqual(await list(`model=churn&${range(D + 2 * HOUR, D + 6 * HOUR)}`), ['e', 'c', 'b', 'a'], 'a ended exactly at the start: in');
    assert.deepStrictEqual((await list(range(D + 2 * HOUR, D + 6 * HOUR))).sort(), ['a', 'b', 'c', 'e', 'g'], 'every model');
    // ISO times, as the dashboard's links carry them
    assert.deepStrictEqual(await list(`model=churn&activeFrom=${iso(D + 6 * HOUR)}&activeTo=${iso(D + 12 * HOUR)}`), ['f', 'e', 'c'], 'a and b ended before; c and e still firing');
    // b, a false positive, ended at D + 5 h: in a range starting then, out of one starting a millisecond later
    assert.deepStrictEqual(await list(`model=churn&${range(D + 5 * HOUR, D + 5 * HOUR + 1)}`), ['e', 'c', 'b']);
    assert.deepStrictEqual(await list(`model=churn&${range(D + 5 * HOUR + 1, D + 6 * HOUR)}`), ['e', 'c']);
    // started exactly at the end: out
    assert.deepStrictEqual(await list(`${range(D - HOUR, D)}`), []);
    assert.deepStrictEqual((await list(`${range(D - HOUR, D + 1)}`)).sort(), ['a', 'g']);
    // the state filter: of the alerts active in the range, those in that state now
    assert.deepStrictEqual(await list(`model=churn&state=open&${range(D + 2 * HOUR, D + 6 * HOUR)}`), ['c']);
    assert.deepStrictEqual(await list(`model=churn&state=acknowledged&${range(D + 2 * HOUR, D + 6 * HOUR)}`), ['e']);
    assert.deepStrictEqual(await list(`model=churn&state=resolved&${range(D + 2 * HOUR, D + 6 * HOUR)}`), ['b', 'a']);
    // one bound alone: the other is no bound (not now, 7 days before, as of from/to)
    assert.deepStrictEqual(await list(`model=churn&activeFrom=${D + 6 * HOUR}`), ['f', 'e', 'c']);
    assert.deepStrictEqual(await list(`model=churn&activeTo=${D + HOUR}`), ['a']);
    assert.deepStrictEqual(await list(`model=churn&activeTo=${D + 8 * DAY}`), ['f', 'e', 'c', 'b', 'a'], 'not the 7 days before');
    // a start after the server's now (a dashboard whose clock is ahead): the alerts still firing, not a refusal
    assert.deepStrictEqual(await list(`model=churn&activeFrom=${now + 40 * DAY}`), ['e', 'c']);
  });

  test('pages of the filtered list: limit, next and before walk it once', async () => {
    const q = `model=churn&activeFrom=${D + 2 * HOUR}&activeTo=${D + 6 * HOUR}`;
    for (const limit of [1, 2, 3]) {
      const got: string[] = [];
      let next: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page = await ok('GET', `/v1/alerts?${q}&limit=${limit}${next === null ? '' : `&before=${next}`}`);
        got.push(...names(page['alerts'] as AlertRecord[]));
        next = page['next'] as string | null;
        if (next === null) break;
      }
      assert.deepStrictEqual(got, ['e', 'c', 'b', 'a'], `pages of ${limit}`);
    }
  });

  test('refusals: both ranges at once, a start not before the end, a bad time', async () => {
    const both = await call(s.url, 'GET', `/v1/alerts?from=${D}&activeTo=${D + HOUR}`);
    assert.equal(both.status, 400, JSON.stringify(both.body));
    const e = both.body['error'] as { code: string; message: string; details: Record<string, unknown> };
    assert.equal(e.code, 'bad_request');
    assert.match(e.message, /either from\/to \(the alerts that started in the range\) or activeFrom\/activeTo \(the alerts active at some moment of it\), not both \(got from, activeTo\)/);
    assert.deepStrictEqual(e.details, { given: ['from', 'activeTo'] });
    const order = await call(s.url, 'GET', `/v1/alerts?activeFrom=${D + HOUR}&activeTo=${D + HOUR}`);
    assert.equal(order.status, 400);
    const o = order.body['error'] as { message: string; details: Record<string, unknown> };
    assert.equal(o.message, `"activeFrom" must be before "activeTo" (activeFrom ${iso(D + HOUR)}, activeTo ${iso(D + HOUR)})`);
    assert.deepStrictEqual(o.details, { activeFrom: D + HOUR, activeTo: D + HOUR });
    const bad = await call(s.url, 'GET', '/v1/alerts?activeFrom=yesterday');
    assert.equal(bad.status, 400);
    assert.match((bad.body['error'] as { message: string }).message, /^activeFrom must be epoch milliseconds or an ISO-8601 time/);
  });

  test('lookout alerts list --active-from/--active-to: the same alerts, its "more:" line keeping the range', async () => {
    const args = ['alerts', 'list', '--url', s.url, '--state', 'all', '--model', 'churn', '--active-from', iso(D + 2 * HOUR), '--active-to', iso(D + 6 * HOUR)];
    const all = await lookoutAsync([...args, '--json']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepStrictEqual(names(JSON.parse(all.stdout) as AlertRecord[]), ['e', 'c', 'b', 'a']);
    const page = await lookoutAsync([...args, '--limit', '1']);
    assert.equal(page.code, 0, page.stderr);
    assert.match(page.stdout, new RegExp(id['e'] as string));
    assert.match(page.stdout, new RegExp(`more: lookout alerts list --state all --model churn --active-from ${iso(D + 2 * HOUR)} --active-to ${iso(D + 6 * HOUR)} --limit 1 --before ${id['e']}`));
    const none = await lookoutAsync(['alerts', 'list', '--url', s.url, '--state', 'open', '--active-from', iso(D - 2 * HOUR), '--active-to', iso(D - HOUR)]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, new RegExp(`no open alerts active from ${iso(D - 2 * HOUR)} until ${iso(D - HOUR)}`));
  });
});
