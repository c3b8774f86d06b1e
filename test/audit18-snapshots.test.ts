import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

interface Listed { name: string; dir: string; bytes: number; createdAt: number; completedAt: number }

/**
 * Audit 18: snapshots were never pruned (an operator's nightly `lookout snapshot` filled the disk unless they deleted
 * old ones by hand on the server's machine), could not be listed or deleted through the API, and a snapshot
 * interrupted by a crash left its `.NAME.partial` directory for ever.
 */
describe('audit 18: listing, deleting and keeping the newest snapshots (lookout snapshot list|delete|--keep)', { timeout: 300_000 }, () => {
  let data: string;
  let srv: RunningServer;
  const snapshotsDir = (): string => join(data, 'snapshots');
  const cli = (...args: string[]) => lookoutAsync(['snapshot', ...args, '--url', srv.url], 120_000);
  before(async () => {
    data = join(tempDir('lookout-audit18-snap-'), 'data');
    srv = await spawnServe(['--data-dir', data]);
    const decl = await call(srv.url, 'POST', '/v1/models', {
      name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } },
    });
    assert.ok(decl.status < 300, JSON.stringify(decl.body));
    const ev = await call(srv.url, 'POST', '/v1/events', { events: [{ model: 'm', version: '1', features: { x: 1 }, prediction: 2 }] });
    assert.equal(ev.status, 200, JSON.stringify(ev.body));
  });
  after(async () => {
    await srv?.stop();
  });

  test('--keep N keeps the N newest (the new one always among them), removes the rest, leaves other entries alone', async () => {
    // An interrupted snapshot's leftovers and an operator's own directory beside the snapshots.
    mkdirSync(join(snapshotsDir(), '.20200101T000000Z-abcdef.partial', 'journal'), { recursive: true });
    writeFileSync(join(snapshotsDir(), '.20200101T000000Z-abcdef.partial', 'lookout.duckdb'), 'half a copy');
    mkdirSync(join(snapshotsDir(), 'keep-me'), { recursive: true });
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await cli('create', '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { name: string; removed: string[] };
      assert.match(out.name, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      assert.deepEqual(out.removed, []);
      made.push(out.name);
    }
    assert.ok(!existsSync(join(snapshotsDir(), '.20200101T000000Z-abcdef.partial')), 'the interrupted snapshot\'s leftovers are removed by the next one');
    const listed = await call(srv.url, 'GET', '/v1/admin/snapshots');
    assert.equal(listed.status, 200);
    const names = (listed.body as { snapshots: Listed[] }).snapshots.map((s) => s.name);
    assert.deepEqual(names, [...made].reverse(), 'newest first, in the order they were made (even within one second)');
    // The default subcommand is create; --keep 2: the new one and the newest before it stay.
    const kept = await cli('--keep', '2');
    assert.equal(kept.code, 0, kept.stderr);
    const newest = /^snapshot (\S+):/.exec(kept.stdout)?.[1];
    assert.ok(newest, kept.stdout);
    assert.match(kept.stdout, new RegExp(`removed 3 older snapshots \\(--keep 2\\): ${made[2]}, ${made[1]}, ${made[0]}`));
    const left = readdirSync(snapshotsDir()).sort();
    assert.deepEqual(left, [made[3], newest, 'keep-me'].sort());
    // The one just made is kept even with --keep 1, whatever the order of names within a second.
    const one = await call(srv.url, 'POST', '/v1/admin/snapshots?keep=1');
    assert.equal(one.status, 201, JSON.stringify(one.body));
    const b = one.body as { name: string; removed: string[] };
    assert.deepEqual(b.removed.sort(), [made[3], newest].sort());
    assert.deepEqual(readdirSync(snapshotsDir()).sort(), [b.name, 'keep-me'].sort());
    assert.ok(existsSync(join(snapshotsDir(), b.name, 'lookout.duckdb')));
  });

  test('list and delete through the CLI; unknown names and path tricks are 404 and delete nothing', async () => {
    const made = await cli('create', '--json');
    assert.equal(made.code, 0, made.stderr);
    const { name } = JSON.parse(made.stdout) as { name: string };
    const list = await cli('list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${name}\\s+\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\s+[\\d.]+ MiB\\s+${join(data, 'snapshots', name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    for (const bad of ['20991231T000000Z-000000', 'keep-me', '..', '%2E%2E', '%2E%2E%2Fjournal', `${name}%2F..`]) {
      const r = await call(srv.url, 'DELETE', `/v1/admin/snapshots/${bad}`);
      assert.equal(r.status, 404, `${bad}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body as { error: { code: string } }).error.code, 'not_found');
    }
    assert.ok(existsSync(join(snapshotsDir(), 'keep-me')) && existsSync(join(data, 'journal')) && existsSync(join(snapshotsDir(), name)));
    const del = await cli('delete', name);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `snapshot ${name} deleted\n`);
    assert.ok(!existsSync(join(snapshotsDir(), name)));
    const again = await cli('delete', name);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /HTTP 404 not_found: no snapshot "\d{8}T\d{6}Z-[0-9a-f]{6}": GET \/v1\/admin\/snapshots lists them/);
  });

  test('a bad keep is refused before anything is made', async () => {
    const before = readdirSync(snapshotsDir()).sort();
    for (const keep of ['0', '-1', 'two', '1.5', '']) {
      const r = await call(srv.url, 'POST', `/v1/admin/snapshots?keep=${keep}`);
      assert.equal(r.status, 400, `${keep}: ${JSON.stringify(r.body)}`);
      // an empty keep: refused as every empty query parameter is (audit 25)
      assert.match((r.body as { error: { message: string } }).error.message, keep === '' ? /query parameter "keep" is empty/ : /keep must be a whole number of snapshots to keep, at least 1/);
    }
    const cliBad = await cli('--keep', '0');
    assert.equal(cliBad.code, 2);
    assert.match(cliBad.stderr, /--keep <n>' argument '0' is invalid/);
    assert.deepEqual(readdirSync(snapshotsDir()).sort(), before);
  });
});
