import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { call, testServer } from './helpers/server.js';
import { tempDir } from './helpers/cli.js';
import { loadConfig, type LookoutConfig } from '../src/config.js';
import type { Server } from '../src/server.js';
import type { DuckDbStore } from '../src/storage/duckdb/store.js';

const filesOf = (s: Server): DuckDbStore['summaryFiles'] => (s.deps.store as unknown as DuckDbStore).summaryFiles;

/*
 * Issue 3: a cold range read (drift over 24 h with nothing decoded in memory) reads the window summaries of the DuckDB
 * store from files (src/storage/duckdb/summary-files.ts) once a read has kept them. Answers must be the same from files
 * as from the store, across restarts, and a server run with the files off must not leave files a later run trusts.
 */

const H = 3_600_000;
const model = { name: 'sf', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { a: { type: 'number' }, c: { type: 'string' } } } };

async function post(s: Server, n: number, from: number, seed: number): Promise<void> {
  let x = seed;
  const rnd = (): number => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const events = Array.from({ length: n }, () => ({
    model: 'sf', version: '1', timestamp: from + Math.floor(rnd() * 20 * H), segment: { region: ['eu', 'us'][Math.floor(rnd() * 2)] },
    features: { a: rnd() * 100 + seed, c: ['x', 'y', 'z'][Math.floor(rnd() * 3)] }, prediction: rnd(), latencyMs: 1 + rnd() * 50,
  }));
  const r = await call(s.url, 'POST', '/v1/events', { events });
  assert.equal(r.body['accepted'], n);
}

test('issue 3: drift over 24 h answers the same from summary files as from the store, across restarts and with the files off', async () => {
  const dataDir = tempDir('lookout-summary-files-');
  const windows = join(dataDir, 'lookout.duckdb.windows');
  const configure = (mb?: number) => (c: LookoutConfig): void => {
    c.dataDir = dataDir;
    c.server.warmUpDays = 0;
    c.server.windowValueFillSeconds = 0;
    if (mb !== undefined) c.summaryFilesMb = mb;
  };
  // 18:30 UTC yesterday, not the clock: a 24 h range then always reads the same windows (3 six-hour windows and hours
  // around them, 7 a segment with events). From the clock, in the first minute after UTC midnight the range, rounded to
  // minutes, covered a whole day: one day window and one minute a segment, and fewer than 10 files were kept.
  const now = Math.floor(Date.now() / (24 * H)) * 24 * H - 5.5 * H;
  const from = now - 24 * H;
  const t0 = now - 22 * H;
  const drift = async (s: Server): Promise<unknown[]> => {
    const out: unknown[] = [];
    for (const segment of ['', '&segment=region%3Dus']) {
      const r = await call(s.url, 'GET', `/v1/models/sf/drift?version=1&from=${from}&to=${now}${segment}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      out.push(r.body);
    }
    return out;
  };
  const events = (d: unknown[]): unknown => d.map((x) => (x as { currentEvents: unknown }).currentEvents);

  let s = await testServer({ configure: configure() });
  let first: unknown[];
  try {
    assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/sf/versions', { version: '1' })).status, 201);
    const ref = ['a,c,prediction', ...Array.from({ length: 400 }, (_, i) => `${(i * 37) % 100},${'xyz'[i % 3]},${(i % 10) / 10}`)];
    const up = await fetch(`${s.url}/v1/models/sf/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: ref.join('\n') });
    assert.equal(up.status, 200, await up.text());
    for (let b = 0; b < 6; b++) await post(s, 100, t0, b + 1);
    first = await drift(s);
    assert.deepEqual(events(first), [600, (first[1] as { currentEvents: number }).currentEvents]);
    assert.ok((first[1] as { currentEvents: number }).currentEvents > 200);
    await filesOf(s)?.settled();
    const kept = await readdir(windows);
    assert.ok(kept.length >= 10, `${kept.length} summary files kept`);
    // Nothing decoded in memory: the same range is read from the files, and answers the same.
    s.deps.reader.cache.clear();
    assert.deepEqual(await drift(s), first);
  } finally {
    await s.close();
  }

  // After a restart, from the files (kept: the store was closed cleanly).
  s = await testServer({ configure: configure() });
  try {
    assert.deepEqual(await drift(s), first);
  } finally {
    await s.close();
  }

  // A run with the files off writes windows the files hold; the next run with them on must not read those files.
  s = await testServer({ configure: configure(0) });
  let later: unknown[];
  try {
    assert.equal(filesOf(s), undefined);
    await post(s, 100, t0, 7);
    later = await drift(s);
    assert.equal((later[0] as { currentEvents: number }).currentEvents, 700);
  } finally {
    await s.close();
  }
  assert.ok((await readdir(windows)).length > 0, 'files off: the directory is left alone');
  s = await testServer({ configure: configure() });
  try {
    assert.deepEqual(await readdir(windows), [], 'emptied: written by a run that did not keep it');
    assert.deepEqual(await drift(s), later);
  } finally {
    await s.close();
  }
});

test('issue 3: summaryFilesMb in the config file: a whole number of MiB >= 0', async () => {
  const dir = tempDir('lookout-summary-files-config-');
  const file = join(dir, 'lookout.yaml');
  await writeFile(file, 'summaryFilesMb: 64\n');
  assert.equal(loadConfig(file).summaryFilesMb, 64);
  await writeFile(file, 'dataDir: x\n');
  assert.equal(loadConfig(file).summaryFilesMb, undefined);
  for (const bad of ['-1', '1.5', 'lots']) {
    await writeFile(file, `summaryFilesMb: ${bad}\n`);
    assert.throws(() => loadConfig(file), /invalid config .*summaryFilesMb/);
  }
});
