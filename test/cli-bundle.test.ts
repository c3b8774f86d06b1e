import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freshBundle } from '../src/cli/bundle-fresh.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';

const HOUR = 3_600_000;

/** The scripts (file URLs under the package) a CPU profile's functions come from, relative to the package root. */
function scriptsOf(profile: string): Set<string> {
  const p = JSON.parse(readFileSync(profile, 'utf8')) as { nodes: Array<{ callFrame: { url: string } }> };
  const root = `file://${process.cwd()}/`;
  return new Set(p.nodes.map((n) => n.callFrame.url).filter((u) => u.startsWith(root) && !u.includes('/node_modules/')).map((u) => u.slice(root.length)));
}

/**
 * `lookout serve` with a CPU profile of each thread (the main one and the delta worker's): declares a model, ingests
 * events (summarised by the delta worker), asks for the dashboard's page and /health, and stops; the scripts each
 * thread ran, read from the profiles.
 */
async function serveAndIngest(env: NodeJS.ProcessEnv): Promise<{ main: Set<string>; worker: Set<string>; stderr: string }> {
  const dir = tempDir('lookout-bundle-');
  const profiles = join(dir, 'profiles');
  const prev = process.env['LOOKOUT_TEST_SERVER_NODE_ARGS'];
  process.env['LOOKOUT_TEST_SERVER_NODE_ARGS'] = `--cpu-prof --cpu-prof-dir=${profiles}`;
  try {
    const srv = await spawnServe(['--data-dir', join(dir, 'data')], 120_000, { ...process.env, ...env });
    try {
      const m = await call(srv.url, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      assert.equal(m.status, 201, JSON.stringify(m.body));
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const now = Date.now();
      const events = Array.from({ length: 200 }, (_, i) => ({ model: 'm', version: '1', timestamp: new Date(now - i * 1000).toISOString(), features: { x: i }, prediction: String(i % 2), latencyMs: 5 }));
      const r = await call(srv.url, 'POST', '/v1/events', { events });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const health = await call(srv.url, 'GET', `/v1/models/m/health?from=${now - HOUR}&to=${now + 60_000}`);
      assert.equal(health.body['events'], 200, JSON.stringify(health.body));
      const ui = await fetch(`${srv.url}/ui/`);
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /<html/i, 'the dashboard page, from web/dist');
      assert.equal(await srv.stop(), 0);
      const found = readdirSync(profiles).map((f) => scriptsOf(join(profiles, f)));
      const worker = found.find((s) => [...s].some((u) => u.endsWith('delta-worker.js')));
      const main = found.find((s) => [...s].some((u) => /(^|\/)(lookout|main)\.js$/.test(u)));
      assert.ok(worker && main, `a profile of the main thread and one of the delta worker: ${found.map((s) => [...s].slice(0, 5).join(' ')).join(' | ')}`);
      return { main, worker, stderr: srv.stderr() };
    } finally {
      await srv.stop('SIGKILL').catch(() => undefined);
    }
  } finally {
    if (prev === undefined) delete process.env['LOOKOUT_TEST_SERVER_NODE_ARGS'];
    else process.env['LOOKOUT_TEST_SERVER_NODE_ARGS'] = prev;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the CLI bundle is up to date with dist/src after the build (the test runner builds it again after a tsc alone)', () => {
  assert.notEqual(freshBundle(join(process.cwd(), 'dist/bundle')), null, 'dist/bundle is missing or older than dist/src: npm run build, or node scripts/bundle.mjs');
});

test('lookout serve runs from the bundle: its delta worker is the bundle\'s, the dashboard is served, events are summarised', async () => {
  const r = await serveAndIngest({});
  assert.ok([...r.main].every((u) => u.startsWith('dist/bundle/') || u === 'bin/lookout.js' || u.startsWith('dist/src/cli/duckdb-allocator') || u.startsWith('dist/src/cli/bundle-fresh')), `main thread: ${[...r.main].join(', ')}`);
  assert.ok(r.main.has('dist/bundle/lookout.js'));
  assert.deepEqual([...r.worker].filter((u) => !u.startsWith('dist/bundle/')), [], 'the worker ran the bundle\'s code only');
  assert.ok(r.worker.has('dist/bundle/delta-worker.js'));
  assert.doesNotMatch(r.stderr, /delta worker/, 'the worker did not stop');
});

test('LOOKOUT_NO_BUNDLE=1 runs dist/src as tsc wrote it, its delta worker too', async () => {
  const r = await serveAndIngest({ LOOKOUT_NO_BUNDLE: '1' });
  assert.deepEqual([...r.main].filter((u) => u.startsWith('dist/bundle/')), []);
  assert.ok(r.main.has('dist/src/cli/main.js'));
  assert.ok(r.worker.has('dist/src/ingest/delta-worker.js'));
  assert.doesNotMatch(r.stderr, /delta worker/, 'the worker did not stop');
});
