import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowSummary } from '../core/summary/window.js';
import { ModelCatalog, summarySeed } from '../monitoring/catalog.js';
import { DuckDbStore } from '../storage/duckdb/store.js';
import type { CommitBatch } from '../storage/types.js';
import { CheckpointedWindows, type GroupDeltas } from './checkpointed-windows.js';
import { deltaTargets, packedDeltas, type SpecOf } from './deltas.js';
import type { ValidEvent } from './event-input.js';
import { groupInput } from './group.js';
import { Journal } from './journal.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real DuckDB store (in memory); only its commit is wrapped, to hold or fail a checkpoint's transaction.

const T = 1_700_000_000_000;

async function setup(cacheWindows = 2_000): Promise<{ store: DuckDbStore; catalog: ModelCatalog; windows: CheckpointedWindows; specOf: SpecOf }> {
  const store = await DuckDbStore.open(':memory:');
  await store.init();
  const catalog = new ModelCatalog(store);
  await catalog.putModel({ name: 'm', outputKind: 'regression', segmentKeys: [], createdAt: 0, updatedAt: 0, inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  await catalog.putVersion({ model: 'm', version: '1', createdAt: 0 });
  const windows = new CheckpointedWindows(store, catalog, { cacheWindows, clock: () => T + 60_000 });
  return { store, catalog, windows, specOf: (model, version) => catalog.version(model, version)?.spec };
}

/**
 * A group of n events, in the minute at T or spread over `minutes` minutes from T, prepared as the pipeline prepares one
 * (its store copies loaded now).
 */
async function group(s: Awaited<ReturnType<typeof setup>>, n: number, minutes = 1): Promise<GroupDeltas> {
  const events: ValidEvent[] = Array.from({ length: n }, (_, i) => ({
    id: `e${i}`, model: 'm', version: '1', ts: T + (i % minutes) * 60_000, features: { x: i }, prediction: String(i), score: null, scores: null,
    latencyMs: 1, error: null, segment: {}, costUsd: null,
  }));
  const targets = await deltaTargets(await packedDeltas(groupInput(events, [], 0), s.specOf), s.specOf);
  return { targets, ...(await s.windows.storeCopies(targets)) };
}

/** Events in the stored day window. */
async function storedDay(s: Awaited<ReturnType<typeof setup>>): Promise<number> {
  const rows = await s.store.querySummaries({ model: 'm', version: '1', segment: '', granularity: 'day', from: 0, to: 2 * T });
  const spec = s.catalog.version('m', '1')?.spec;
  assert.ok(spec);
  return rows.reduce((n, r) => n + WindowSummary.fromBytes(r.data, spec, summarySeed('m', '1', '', 'day', r.windowStart)).events, 0);
}

test('a window merged into while a checkpoint\'s transaction runs stays dirty; the next checkpoint writes it', async () => {
  const s = await setup();
  const first = await group(s, 3);
  const windowsOfGroup = new Set(first.targets.map((t) => t.k)).size; // minute, hour, day, ... of the whole traffic
  assert.ok(windowsOfGroup >= 3);
  await s.windows.merge(first, 1);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const commit = s.store.commit.bind(s.store);
  s.store.commit = async (b: CommitBatch) => {
    await gate;
    return commit(b);
  };
  const { done } = await s.windows.checkpoint(1, null);
  await s.windows.merge(await group(s, 2), 2);
  release();
  assert.deepEqual(await done, { written: true });
  assert.equal(await storedDay(s), 3, 'the checkpoint wrote the windows as they were when it began');
  assert.equal(s.windows.dirtyCount, windowsOfGroup, 'every window changed since: still dirty');
  assert.deepEqual(await (await s.windows.checkpoint(2, null)).done, { written: true });
  assert.equal(await storedDay(s), 5);
  assert.equal(s.windows.dirtyCount, 0);
  assert.equal(s.windows.checkpointed, 2);
  await s.store.close();
});

test('a failed checkpoint reports its error and leaves the windows dirty', async () => {
  const s = await setup();
  const g = await group(s, 4);
  await s.windows.merge(g, 1);
  const commit = s.store.commit.bind(s.store);
  s.store.commit = async () => Promise.reject(new Error('disk full'));
  const r = await (await s.windows.checkpoint(1, null)).done;
  assert.equal(r.written, false);
  assert.match(String(!r.written && r.error), /disk full/);
  assert.equal(s.windows.dirtyCount, new Set(g.targets.map((t) => t.k)).size);
  assert.equal(s.windows.checkpointed, 0);
  s.store.commit = commit;
  assert.deepEqual(await (await s.windows.checkpoint(1, null)).done, { written: true });
  assert.equal(await storedDay(s), 4);
  await s.store.close();
});

test('a store copy loaded before a checkpoint that wrote the window is reloaded when merged (nothing counted twice or lost)', async () => {
  // No window stays in memory once clean (capacity 0), so every merge starts from a store copy.
  const s = await setup(0);
  const early = await group(s, 5); // its store copies are empty windows (nothing stored yet)
  await s.windows.merge(await group(s, 7), 1);
  assert.deepEqual(await (await s.windows.checkpoint(1, null)).done, { written: true });
  assert.equal(s.windows.size, 0, 'written and evicted');
  await s.windows.merge(early, 2); // its copies are stale: the checkpoint above wrote those windows since
  assert.deepEqual(await (await s.windows.checkpoint(2, null)).done, { written: true });
  assert.equal(await storedDay(s), 12);
  await s.store.close();
});

test('merging a large group lets the event loop in, and a checkpoint that ends meanwhile loses nothing (regression: issue 5, gateway tail)', async () => {
  const s = await setup();
  await s.windows.merge(await group(s, 3), 1);
  // The checkpoint's transaction commits at once; its end (marking windows clean, evicting) waits for the gate, which
  // the first turn of the event loop during the merge below opens.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let committed: () => void = () => undefined;
  const stored = new Promise<void>((r) => (committed = r));
  const commit = s.store.commit.bind(s.store);
  s.store.commit = async (b: CommitBatch) => {
    await commit(b);
    committed();
    await gate;
  };
  const { done } = await s.windows.checkpoint(1, null);
  await stored;
  // 1,440 minute deltas, each merged into 5 windows (7,200 merges): many slices of the event loop on any machine.
  const big = await group(s, 14_400, 1_440);
  let appliedWhenEnded = -1;
  void done.then(() => (appliedWhenEnded = s.windows.applied));
  setImmediate(release);
  await s.windows.merge(big, 2);
  assert.equal(appliedWhenEnded, 1, 'the checkpoint ended while the group was being merged (the merge let the event loop in)');
  assert.deepEqual(await done, { written: true });
  assert.equal(await storedDay(s), 3, 'the checkpoint wrote the windows as they were when it began');
  assert.ok(s.windows.dirtyCount > 0, 'the windows merged into stay dirty');
  assert.deepEqual(await (await s.windows.checkpoint(2, null)).done, { written: true });
  assert.equal(await storedDay(s), 14_403, 'nothing lost, nothing counted twice');
  assert.equal(s.windows.dirtyCount, 0);
  await s.store.close();
});

test('a checkpoint\'s windows stay dirty until the readers\' cache was told they were written (onSummaries): a reader\'s sync() that found nothing dirty could otherwise read a cached result from before it (audit 13)', async () => {
  const s = await setup();
  let invalidated = false;
  let cleanBeforeInvalidated = false;
  const windows = new CheckpointedWindows(s.store, s.catalog, { clock: () => T + 60_000, onSummaries: () => (invalidated = true) });
  const dir = mkdtempSync(join(tmpdir(), 'lookout-cw-'));
  const journal = Journal.open(dir);
  try {
    await journal.rotate(1);
    const g = await group(s, 3);
    await windows.merge(g, 1);
    // Every turn of the event loop while the checkpoint runs, as a reader's sync() would look.
    let polling = true;
    const poll = (): void => {
      if (windows.dirtyCount === 0 && !invalidated) cleanBeforeInvalidated = true;
      if (polling) setImmediate(poll);
    };
    poll();
    const { done } = await windows.checkpoint(1, { journal, summarisedKey: 'k' });
    assert.deepEqual(await done, { written: true });
    polling = false;
    assert.ok(invalidated);
    assert.equal(windows.dirtyCount, 0);
    assert.equal(cleanBeforeInvalidated, false, 'no window was clean before onSummaries');
  } finally {
    await journal.close();
    await s.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
