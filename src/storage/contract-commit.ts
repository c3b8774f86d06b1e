import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { StorageBackend } from './backend.js';
import { ev, rej } from './contract-events.js';
import { T0, plain, sum } from './contract-summaries.js';

/*
 * The commit part of the storage contract (contract.ts): commit() stores all its parts or none, a `beside` commit does
 * not wait for a held one, concurrent commits, and throughput. Registered inside the contract's describe, on its store.
 */

/** `minEventsPerSecond`: when set, the throughput test fails below this many event rows per CPU-second of this process through commit(). */
export function commitContract(name: string, s: () => StorageBackend, minEventsPerSecond?: number): void {
  test('commit: all parts stored together, and a failure half way stores nothing', async () => {
    const m = 'cmt';
    const kept = sum(m, { data: new Uint8Array([1]) });
    await s().commit({ events: [ev('c0', m)], rejects: [rej(m)], summaries: [kept], labels: [{ id: 'c0', model: m, label: 'a', receivedAt: T0, ts: T0 }], state: [['cmt-mark', '1']] });
    const snapshot = async (): Promise<unknown> => [
      await s().countEvents(m), await s().countRejects(m), (await s().querySummaries({ model: m, granularity: 'hour', from: 0, to: T0 * 2 })).map(plain),
      (await s().labelledEvents({ model: m, from: 0, to: T0 * 2 })).map((x) => [x.event.id, x.label]),
      await s().getState('cmt-mark'),
    ];
    const before = await snapshot();
    assert.deepStrictEqual(before, [1, 1, [plain(kept)], [['c0', 'a']], '1']);
    const batch = {
      events: [ev('c1', m), ev('c2', m)], rejects: [rej(m)],
      summaries: [sum(m, { data: new Uint8Array([2]) }), sum(m, { windowStart: T0 + 3_600_000 })],
      labels: [{ id: 'c0', model: m, label: 'b', receivedAt: T0 + 1, ts: T0 }],
      state: [['cmt-mark', '2']] as Array<[string, string]>,
    };
    await assert.rejects(s().commit({ ...batch, events: [...batch.events, ev('c0', m)] }));
    assert.deepStrictEqual(await snapshot(), before);
    // fail after events, rejects and summaries were written: an invalid (null) label comes last
    const badLabel = { id: 'c1', model: m, label: null as unknown as string, receivedAt: T0, ts: T0 };
    await assert.rejects(s().commit({ ...batch, labels: [...batch.labels, badLabel] }));
    assert.deepStrictEqual(await snapshot(), before);
    assert.deepStrictEqual(await s().getEvents(['c1', 'c2']), []);
    await s().commit(batch);
    assert.equal(await s().countEvents(m), 3);
    assert.equal(await s().getState('cmt-mark'), '2', 'state entries commit with the rest');
    await s().commit({});
    // beforeCommit: awaited before COMMIT; its rejection rolls everything back
    await assert.rejects(s().commit({ events: [ev('c9', m)], state: [['cmt-mark', '9']], beforeCommit: () => Promise.reject(new Error('journal failed')) }), /journal failed/);
    assert.deepStrictEqual(await s().getEvents(['c9']), []);
    assert.equal(await s().getState('cmt-mark'), '2');
    let released = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const done = s().commit({ events: [ev('c9', m)], beforeCommit: () => gate }).then(() => assert.ok(released, 'commit resolved only after beforeCommit'));
    await new Promise((r) => setTimeout(r, 20));
    released = true;
    release();
    await done;
    assert.equal((await s().getEvents(['c9'])).length, 1);
  });

  test('commit: a `beside` commit (window summaries, its own state key) completes while another commit is held open', async () => {
    const m = 'beside-m';
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    // Held open after its writes, before COMMIT (as the ingest path holds a group commit for its journal sync).
    const held = s().commit({ events: [ev('bs0', m)], state: [['bs-committed', '1']], beforeCommit: () => gate });
    try {
      const beside = s().commit({ summaries: [sum(m, { data: new Uint8Array([7]) })], state: [['bs-summarised', '1']], beside: true });
      const outcome = await Promise.race([beside.then(() => 'committed'), new Promise((r) => setTimeout(() => r('waited 5 s for the held commit'), 5_000).unref())]);
      assert.equal(outcome, 'committed');
      assert.equal(await s().getState('bs-summarised'), '1');
      assert.equal(await s().getState('bs-committed'), null, 'the held commit is not visible yet');
    } finally {
      release();
    }
    await held;
    assert.equal(await s().getState('bs-committed'), '1');
    assert.deepStrictEqual((await s().getEvents(['bs0'])).map((e) => e.id), ['bs0']);
    const rows = await s().querySummaries({ model: m, granularity: 'hour', from: 0, to: T0 * 2 });
    assert.deepStrictEqual(rows.map((r) => [...r.data]), [[7]]);
  });

  test('concurrency: 50 concurrent commit() calls all succeed and counts add up', async () => {
    const m = 'conc';
    await Promise.all(Array.from({ length: 50 }, (_, i) => s().commit({
      events: Array.from({ length: 20 }, (_, j) => ev(`k${i}-${j}`, m, { ts: T0 + j })),
      rejects: [rej(m)],
      summaries: [sum(m, { windowStart: T0 + i * 60_000, granularity: 'minute' }), sum(m, { segment: `s${i}` })],
    })));
    assert.equal(await s().countEvents(m), 1000);
    assert.equal(await s().countRejects(m), 50);
    assert.equal((await s().querySummaries({ model: m, granularity: 'minute', from: 0, to: T0 * 2 })).length, 50);
    assert.equal((await s().querySummaries({ model: m, granularity: 'hour', from: 0, to: T0 * 2 })).length, 50);
  });

  test('throughput: commit() of narrow events (1% with features) plus 10-50 KB summary upserts', async (t) => {
    const m = 'tput';
    const commits = 20;
    const perCommit = 5000;
    const blobs = Array.from({ length: 8 }, (_, i) => new Uint8Array(randomBytes(10_000 + i * 5_000)));
    const batches = Array.from({ length: commits }, (_, c) => ({
      events: Array.from({ length: perCommit }, (_, j) => ev(`tp${c}-${j}`, m, {
        ts: T0 + c * perCommit + j, segment: `tier=${j % 3}`, score: j / perCommit,
        features: j % 100 === 0 ? { x: j, y: 'abc', z: [1, 2, 3] } : null,
      })),
      summaries: Array.from({ length: 20 }, (_, k) => sum(m, { segment: `tier=${k}`, data: blobs[k % blobs.length]! })),
    }));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const b of batches) await s().commit(b);
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // CPU time of this process (DuckDB's threads included): what the floor is checked on. The wall-clock rate fell
    // below it with other jobs on the machine (CI time, 2026-12-07: 14,992 events/s at load 10), not for the store.
    // A PostgreSQL store works in its own server's processes: only its wall-clock rate is printed.
    const cpuSecs = (cpu.user + cpu.system) / 1e6;
    const rate = Math.round((commits * perCommit) / secs);
    const cpuRate = Math.round((commits * perCommit) / cpuSecs);
    t.diagnostic(`${name}: ${rate} events/s and ${Math.round((commits * 20) / secs)} summary upserts/s `
      + `(${commits} commits of ${perCommit} events + 20 summaries in ${secs.toFixed(2)} s; ${cpuRate} events per CPU-second of this process)`);
    assert.equal(await s().countEvents(m), commits * perCommit);
    if (minEventsPerSecond !== undefined) assert.ok(cpuRate >= minEventsPerSecond, `${cpuRate} events per CPU-second of this process (${rate} events/s)`);
  });
}
