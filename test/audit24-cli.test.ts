import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { displayWidth } from '../src/cli/width.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 24, the CLI against a real `lookout serve` (DuckDB file store):
 * - `lookout status` said nothing of a feature its version's reference has no column of (drift never measures it);
 * - `lookout alerts list` had no summary column: what fired, in words;
 * - a mistyped id in a list filter answered an empty list with exit 0: `notifications list --notifier typo`,
 *   `alerts|actions|monitors list --model chrun` ("no open alerts of model chrun" read as "that model is fine"), and
 *   the API answered 200 with nothing for GET /v1/alerts, /v1/actions, /v1/monitors, /v1/slos, /v1/monitors/stats
 *   ?model=nosuch; `monitors list` with nothing to list printed a header alone.
 */
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12, 5, 0);
const HOUR_START = Date.UTC(2026, 11, 7, 11, 0, 0);
const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, amount: { type: 'number' } } };
const LONG = 'feature store lagging: the nightly join of labels stalled at 09:00 UTC, every drift panel of the model reads data three hours old';

describe('audit 24: the CLI says what is not measured, what fired, and refuses a mistyped id', { timeout: 90_000 }, () => {
  let s: Server;
  let base = '';
  const ok = succeeding(() => base);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => lookoutAsync([...args, '--url', base], 30_000, { ...process.env, COLUMNS: '', ...env });

  before(async () => {
    s = await testServer({
      clock: () => NOW,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0,
          notifiers: [{ id: 'ops', kind: 'webhook', url: 'http://127.0.0.1:9/hook', retries: 0 }, { id: 'pager', kind: 'webhook', url: 'http://127.0.0.1:9/page', retries: 0 }],
        };
        // a monitor of lookout.yaml may name a model not declared yet: listed by ?model= all the same
        c.monitors = [{ id: 'ghost-rate', model: 'ghost', metric: 'throughput', window: '1h', levels: [{ severity: 'page', threshold: 1 }] }];
      },
    });
    base = s.url;
    const rows = (cols: string[], n = 60): string => `${cols.join(',')}\n${Array.from({ length: n }, (_, i) => cols.map((c) => (c === 'x' ? i % 10 : 100 + i)).join(',')).join('\n')}\n`;
    for (const [model, cols] of [['m', ['x']], ['full', ['x', 'amount']]] as const) {
      await ok('POST', '/v1/models', { name: model, outputKind: 'regression', inputSchema: SCHEMA });
      await ok('POST', `/v1/models/${model}/versions`, { version: '1' });
      const up = await call(base, 'PUT', `/v1/models/${model}/versions/1/reference`, rows([...cols]), { 'content-type': 'text/csv' });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      // 40 events in the last hour, 10 of them failed: an error rate of 0.25
      const events = Array.from({ length: 40 }, (_, i) => ({
        id: `${model}-${i}`, model, version: '1', timestamp: new Date(HOUR_START + i * 60_000).toISOString(), features: { x: i % 10, amount: 100 + i }, prediction: 1,
        ...(i % 4 === 0 && { error: 'upstream timeout' }),
      }));
      assert.equal((await ok('POST', '/v1/events', { events }))['accepted'], 40);
    }
    // a model declared without versions yet
    await ok('POST', '/v1/models', { name: 'bare', outputKind: 'regression', inputSchema: SCHEMA });
    await ok('POST', '/v1/monitors', { id: 'm-errors', name: 'm errors', model: 'm', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.1 }] });
    await ok('POST', '/v1/monitors/run', {});
    await ok('POST', '/v1/alerts', { source: 'feed', model: 'm', severity: 'page', summary: LONG });
  });
  after(() => s?.close());

  test('status: the drift column says a feature is not measured, and the lines under the table name it and why', async () => {
    const r = await cli(['status']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const row = (model: string): string => lines.find((l) => l.startsWith(`${model} `)) ?? '';
    assert.match(row('m'), /\s0\/1 \(0%\), 1 not measured\s/, r.stdout);
    assert.match(row('full'), /\s\d\/2 \(\d+%\)( drift!)?\s/, r.stdout);
    assert.doesNotMatch(row('full'), /not measured/);
    assert.match(r.stdout, /\nnot measured \(.*\):\n {2}m 1: amount \(missing in reference\)\n/, r.stdout);
    assert.doesNotMatch(r.stdout, /full 1:/);
    // the table stays narrow: an 80-column terminal holds it
    for (const l of lines.slice(1, 5)) assert.ok(displayWidth(l) <= 80, `${displayWidth(l)} columns: ${l}`);
    // --json: the overview's rows, with what /drift skips
    const json = JSON.parse((await cli(['status', '--json'])).stdout) as { rows: Array<{ model: string; drift: { skipped?: unknown } }> };
    const drift = (await ok('GET', `/v1/models/m/drift?from=${NOW - 24 * HOUR}&to=${NOW}`)) as { skipped: unknown };
    assert.deepEqual(json.rows.find((x) => x.model === 'm')?.drift.skipped, [{ name: 'amount', reason: 'missing in reference' }]);
    assert.deepEqual(json.rows.find((x) => x.model === 'm')?.drift.skipped, drift.skipped);
    assert.deepEqual(json.rows.find((x) => x.model === 'full')?.drift.skipped, []);
  });

  test('alerts list: a summary column, cut to the terminal width (whole when piped); --json as before', async () => {
    const piped = await cli(['alerts', 'list']);
    assert.equal(piped.code, 0, piped.stderr);
    const lines = piped.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /\sflags\s+summary$/);
    const feed = lines.find((l) => l.includes('external:feed')) ?? '';
    assert.ok(feed.endsWith(`  ${LONG}`), feed);
    // the monitor's alert says what fired: the value against the threshold crossed, over its window
    const errors = lines.find((l) => l.includes(' m-errors ')) ?? '';
    assert.match(errors, / {2}m errors: 0\.25 >= 0\.1 \(1h window\)$/, piped.stdout);

    for (const columns of [200, 100]) {
      const r = await cli(['alerts', 'list'], { COLUMNS: String(columns) });
      assert.equal(r.code, 0, r.stderr);
      const out = r.stdout.trimEnd().split('\n');
      const row = out.find((l) => l.includes('external:feed')) ?? '';
      const summary = row.slice(row.lastIndexOf('  ') + 2);
      assert.ok(summary.endsWith('…') && LONG.startsWith(summary.slice(0, -1)), summary);
      // the other columns take 152 here: 48 columns are left of 200; of 100, none: the summary keeps 40
      if (columns === 200) for (const l of out) assert.ok(displayWidth(l) <= 200, `${displayWidth(l)} > 200: ${l}`);
      else assert.equal(displayWidth(summary), 40, summary);
    }
    const json = JSON.parse((await cli(['alerts', 'list', '--json'], { COLUMNS: '80' })).stdout) as AlertRecord[];
    assert.deepEqual(json, (await ok('GET', '/v1/alerts?state=open'))['alerts']);
  });

  test('notifications list --notifier: an id neither configured nor in the log is refused (exit 2) naming the notifiers', async () => {
    const r = await cli(['notifications', 'list', '--notifier', 'typo']);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown notifier "typo": the notifiers \(alerting\.notifiers\) are ops, pager/);
    const api = await call(base, 'GET', '/v1/notifications?notifier=typo');
    assert.equal(api.status, 404, JSON.stringify(api.body));
    assert.deepEqual((api.body['error'] as { details: unknown }).details, { notifiers: ['ops', 'pager'] });
    // a configured notifier: its notifications of the range, or none said so, exit 0
    const ops = await cli(['notifications', 'list', '--notifier', 'ops', '--status', 'sent']);
    assert.equal(ops.code, 0, ops.stderr);
    assert.equal(ops.stdout, 'no notifications sent of notifier ops in the range\n');
    // a notifier since removed from the configuration: its notifications of the range are still listed
    await s.deps.store.alertStore().appendNotifications([{ id: 'n-old', at: NOW - HOUR, notifier: 'old-hook', groupKey: 'g', alertIds: [], firing: 1, resolved: 0, status: 'sent', attempts: 1 }]);
    const old = await cli(['notifications', 'list', '--notifier', 'old-hook', '--json']);
    assert.equal(old.code, 0, old.stderr);
    assert.deepEqual((JSON.parse(old.stdout) as Array<{ id: string }>).map((n) => n.id), ['n-old']);
    const api2 = (await ok('GET', '/v1/notifications?notifier=old-hook'))['notifications'] as Array<{ id: string }>;
    assert.deepEqual(api2.map((n) => n.id), ['n-old']);
  });

  test('a mistyped model in a list filter is refused: the API\'s 404 unknown_model naming the known models, the CLI\'s exit 2', async () => {
    for (const path of ['/v1/alerts', '/v1/actions', '/v1/monitors', '/v1/slos', '/v1/monitors/stats']) {
      const r = await call(base, 'GET', `${path}?model=nosuch`);
      assert.equal(r.status, 404, `${path}: ${JSON.stringify(r.body)}`);
      const err = r.body['error'] as { code: string; message: string };
      assert.equal(err.code, 'unknown_model');
      assert.equal(err.message, 'unknown model "nosuch"; known: bare, full, ghost, m');
    }
    for (const args of [['alerts', 'list'], ['actions', 'list'], ['monitors', 'list']]) {
      const r = await cli([...args, '--model', 'nosuch']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /HTTP 404 unknown_model: unknown model "nosuch"; known: bare, full, ghost, m/);
    }
    // the monitor of a model not declared yet is listed by its model
    assert.deepEqual(((await ok('GET', '/v1/monitors?model=ghost'))['monitors'] as Array<{ id: string }>).map((x) => x.id), ['ghost-rate']);
    // a known model without any: said in a line, exit 0
    const none = await cli(['monitors', 'list', '--model', 'full']);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'no monitors of model full\n');
    const alerts = await cli(['alerts', 'list', '--model', 'full']);
    assert.deepEqual([alerts.code, alerts.stdout], [0, 'no open alerts of model full\n']);
  });

  test('an empty --model is refused (the API reads it as none: every model\'s); empty lists say so in a line', async () => {
    for (const args of [['alerts', 'list'], ['actions', 'list'], ['monitors', 'list']]) {
      const r = await cli([...args, '--model', '']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /an empty model name: give the model's name, or leave --model out/);
    }
    const said = async (args: string[]): Promise<string> => {
      const r = await cli(args);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    assert.equal(await said(['monitors', 'evaluations', 'm-errors', '--from', '2026-01-01T00:00Z', '--to', '2026-01-02T00:00Z']), 'no evaluations of m-errors in the range\n');
    assert.equal(await said(['models', 'history', 'm', '--from', '2026-01-01T00:00Z', '--to', '2026-01-02T00:00Z']), 'no deployments of model m in the range\n');
    assert.equal(await said(['models', 'aliases', 'm']), 'model m has no aliases\n');
    assert.equal(await said(['versions', 'list', 'bare']), 'model bare has no versions\n');
    // --json as before: the server's answer
    assert.deepEqual(JSON.parse(await said(['versions', 'list', 'bare', '--json'])), { versions: [] });
  });
});
