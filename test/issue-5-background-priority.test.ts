import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { idlePriorityUnavailable, SCHED_IDLE, schedPolicy } from '../src/cli/thread-priority.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';

const skip = idlePriorityUnavailable() ?? false;

const policies = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map((t) => schedPolicy(pid, Number(t)) ?? -1);

async function json(url: string, method: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { status: res.status, body: await res.json() };
}

describe('issue 5: lookout serve runs its storage threads at idle CPU priority', { skip }, () => {
  const servers: RunningServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });

  test('by default: the pool, DuckDB and delta worker threads under SCHED_IDLE, the main thread and V8 helpers not; ingest works', async () => {
    const srv = await spawnServe(['--data-dir', tempDir('lookout-prio-')]);
    servers.push(srv);
    const m = /(\d+) storage threads run at idle CPU priority/.exec(srv.stderr());
    assert.ok(m, srv.stderr());
    const pid = srv.proc.pid as number;
    const p = policies(pid);
    const idle = p.filter((x) => x === SCHED_IDLE).length;
    assert.equal(idle, Number(m[1]));
    assert.ok(idle >= 5, `4 pool threads and the delta worker at least: ${idle}`);
    assert.equal(schedPolicy(pid, pid), 0, 'the main thread');
    assert.ok(p.filter((x) => x === 0).length >= 2, `the main thread and V8's helpers stay normal: ${p.join(',')}`);
    // Idle threads still do their work: events are stored and summarised.
    assert.equal((await json(`${srv.url}/v1/models`, 'POST', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await json(`${srv.url}/v1/models/m/versions`, 'POST', { version: '1' })).status, 201);
    const now = Date.now();
    const events = Array.from({ length: 200 }, (_, i) => ({ model: 'm', version: '1', timestamp: new Date(now - i * 100).toISOString(), features: { x: i }, prediction: i / 2 }));
    const r = await json(`${srv.url}/v1/events`, 'POST', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const health = await json(`${srv.url}/v1/models/m/health?from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}`, 'GET');
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.match(JSON.stringify(health.body), /"events":200\b/);
  });

  test('server.backgroundPriority: normal leaves every thread as it is', async () => {
    const dir = tempDir('lookout-prio-');
    const cfg = join(dir, 'lookout.yaml');
    writeFileSync(cfg, `server: { host: 127.0.0.1, port: 0, backgroundPriority: normal }\ndataDir: ${JSON.stringify(dir)}\n`);
    const srv = await spawnServe(['--config', cfg]);
    servers.push(srv);
    assert.match(srv.stderr(), /storage threads run at normal CPU priority/);
    assert.deepEqual(policies(srv.proc.pid as number).filter((x) => x !== 0), []);
  });
});
