import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/storage/open.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

/**
 * Audit 24: a monitor stored before audit 23 may have a level that can never be the verdict (a warning at 0.5 and a
 * page at 0.2 of an error rate: the warning never fires), which a declaration is refused for since (checkLevelOrder).
 * Such a stored monitor is still evaluated as stored, and nothing said so: GET /v1/monitors and /v1/monitors/:id now
 * answer it with `warnings`, and the server logs one line for it at start.
 */
type MonitorView = { id: string; problem: unknown; warnings: string[] };

function config(dir: string): string {
  const cfg = join(dir, 'lookout.yaml');
  writeFileSync(cfg, [
    'dataDir: ./data',
    'models:',
    '  - name: churn',
    '    outputKind: binary',
    '    classes: ["0", "1"]',
    '    inputSchema: { type: object, properties: { x: { type: number } } }',
    '    versions:',
    '      - version: "1"',
  ].join('\n'));
  return cfg;
}

describe('audit 24: a stored monitor with a level that can never be the verdict says so', { timeout: 120_000 }, () => {
  const dir = tempDir('lookout-audit24-levels-');
  let srv: RunningServer | null = null;
  after(async () => { await srv?.stop(); });

  test('GET /v1/monitors(/:id) answer its warning, the server logs it once at start; it is still evaluated; declared again in order, the warning goes', async () => {
    srv = await spawnServe(['--config', config(dir)]);
    const ok = (r: { status: number; body: unknown }): void => assert.ok(r.status < 300, JSON.stringify(r.body));
    const monitor = { id: 'errors', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 0.5 }] };
    ok(await call(srv.url, 'POST', '/v1/monitors', monitor));
    ok(await call(srv.url, 'POST', '/v1/monitors', { ...monitor, id: 'fine', levels: [{ severity: 'warning', threshold: 0.2 }, { severity: 'page', threshold: 0.5 }] }));
    // what the API refuses since audit 23
    const refused = await call(srv.url, 'POST', '/v1/monitors', { ...monitor, levels: [{ severity: 'warning', threshold: 0.5 }, { severity: 'page', threshold: 0.2 }] });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(await srv.stop(), 0);
    srv = null;

    // as a release before audit 23 stored it: the warning at 0.5 is never the verdict (the page at 0.2 is crossed first)
    const store = await openStore(`duckdb:${join(dir, 'data', 'lookout.duckdb')}`);
    await store.init();
    const stored = (await store.alertStore().listMonitors()).find((m) => m.id === 'errors');
    assert.ok(stored);
    await store.alertStore().putMonitor({ ...stored, definition: { ...stored.definition, levels: [{ severity: 'warning', threshold: 0.5 }, { severity: 'page', threshold: 0.2 }] } });
    await store.close();

    srv = await spawnServe(['--config', config(dir)]);
    const one = (await call(srv.url, 'GET', '/v1/monitors/errors')).body['monitor'] as MonitorView;
    assert.equal(one.problem, null, 'it is evaluated: no problem');
    assert.equal(one.warnings.length, 1, JSON.stringify(one));
    assert.match(one.warnings[0] ?? '', /^"levels": warning at 0\.5 would never be the verdict, since page at 0\.2 is crossed first .*stored before such levels were refused \(audit 23\) and is evaluated as stored: declare it again/);
    const list = new Map(((await call(srv.url, 'GET', '/v1/monitors')).body['monitors'] as MonitorView[]).map((m) => [m.id, m]));
    assert.deepEqual(list.get('errors')?.warnings, one.warnings);
    assert.deepEqual(list.get('fine')?.warnings, []);
    const err = srv.stderr();
    assert.equal(err.match(/monitor "errors" has a level that can never be the verdict: "levels": warning at 0\.5/g)?.length, 1, err);
    assert.doesNotMatch(err, /monitor "fine"/);
    // and lookout monitors list's note
    const cli = await lookoutAsync(['monitors', 'list', '--url', srv.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /errors .*warning: "levels": warning at 0\.5 would never be the verdict/);

    // evaluated as stored (as before audit 24): a round gives it an evaluation
    ok(await call(srv.url, 'POST', '/v1/monitors/run', {}));
    const evs = (await call(srv.url, 'GET', '/v1/monitors/errors/evaluations?from=0')).body['evaluations'] as unknown[];
    assert.ok(evs.length >= 1, 'evaluated');

    ok(await call(srv.url, 'POST', '/v1/monitors', { ...monitor, levels: [{ severity: 'warning', threshold: 0.2 }, { severity: 'page', threshold: 0.5 }] }));
    assert.deepEqual(((await call(srv.url, 'GET', '/v1/monitors/errors')).body['monitor'] as MonitorView).warnings, []);
  });
});
