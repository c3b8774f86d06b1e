import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { idlePriorityUnavailable, idleThreads, ownThread, poolSize, poolThreads, processThreads, SCHED_IDLE, schedPolicy } from './thread-priority.js';

const skip = idlePriorityUnavailable() ?? false;

test('issue 5: the thread pool is found by its own readlinks, and a worker thread is put under SCHED_IDLE', { skip }, async () => {
  const pool = await poolThreads();
  const all = processThreads();
  assert.equal(pool.length, poolSize());
  assert.ok(!pool.includes(process.pid));
  for (const t of pool) assert.ok(all.includes(t), `pool thread ${t} is a thread of this process`);
  assert.equal(ownThread(), process.pid); // the main thread's id is the process id
  assert.equal(schedPolicy(process.pid, process.pid), 0);

  const w = new Worker(`const { readlinkSync } = require('node:fs'); const { parentPort } = require('node:worker_threads');
    parentPort.postMessage(Number(/task\\/(\\d+)$/.exec(readlinkSync('/proc/thread-self'))[1])); setInterval(() => {}, 1000);`, { eval: true });
  try {
    const tid = await new Promise<number>((resolve) => w.once('message', resolve));
    assert.equal(schedPolicy(process.pid, tid), 0);
    assert.deepEqual(await idleThreads([tid, process.pid]), [tid]); // never the main thread
    assert.equal(schedPolicy(process.pid, tid), SCHED_IDLE);
    assert.equal(schedPolicy(process.pid, process.pid), 0);
  } finally {
    await w.terminate();
  }
});

test('issue 5: schedPolicy of a thread that does not exist is null', () => {
  assert.equal(schedPolicy(process.pid, 2 ** 30), null);
});

test('idleThreads: many threads in one shell; one that ended meanwhile is skipped; without chrt the reason says so', { skip }, async () => {
  const workers = Array.from({ length: 3 }, () => new Worker(`const { readlinkSync } = require('node:fs'); const { parentPort } = require('node:worker_threads');
    parentPort.postMessage(Number(/task\\/(\\d+)$/.exec(readlinkSync('/proc/thread-self'))[1])); setInterval(() => {}, 1000);`, { eval: true }));
  try {
    const tids = await Promise.all(workers.map((w) => new Promise<number>((resolve) => w.once('message', resolve))));
    const gone = 2 ** 30; // no such thread: as one that ended between the listing and chrt
    assert.deepEqual(await idleThreads([tids[0] as number, gone, tids[1] as number, tids[1] as number]), [tids[0], tids[1]]);
    for (const t of tids.slice(0, 2)) assert.equal(schedPolicy(process.pid, t), SCHED_IDLE);
    assert.equal(schedPolicy(process.pid, tids[2] as number), 0);
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await assert.rejects(idleThreads([tids[2] as number]), /^Error: chrt \(util-linux\) is not installed$/);
    } finally {
      process.env['PATH'] = path;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
