import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BatchedWriter, writeAll, type VectorWriter } from './batched-writer.js';

describe('BatchedWriter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-batched-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes every chunk in order, across batch boundaries and with a last partial batch', async () => {
    const file = join(dir, 'out.bin');
    const chunks = Array.from({ length: 37 }, (_, k) => Buffer.from(Array.from({ length: 1 + ((k * 7) % 13) }, (_, i) => (k * 31 + i) % 256)));
    const fh = await open(file, 'wx');
    const writer = new BatchedWriter(fh, 20); // a batch every few chunks
    for (const c of chunks) await writer.add(c);
    await writer.end();
    await fh.close();
    assert.deepStrictEqual(readFileSync(file), Buffer.concat(chunks));
  });

  test('nothing added: an empty file', async () => {
    const file = join(dir, 'empty.bin');
    const fh = await open(file, 'wx');
    const writer = new BatchedWriter(fh);
    await writer.end();
    await fh.close();
    assert.equal(readFileSync(file).length, 0);
  });

  test('a failed write is thrown by the next call, and settled() does not throw', async () => {
    const file = join(dir, 'readonly.bin');
    writeFileSync(file, '');
    const fh = await open(file, 'r'); // writes fail: EBADF
    const writer = new BatchedWriter(fh, 4);
    await writer.add(Buffer.from('abcd')); // its write starts in the background
    await assert.rejects(async () => {
      await writer.add(Buffer.from('efgh'));
      await writer.end();
    }, (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    await writer.settled();
    await fh.close();
  });

  test('writeAll: a write cut short (a nearly full disk) is continued where it stopped, then its error is thrown', async () => {
    // A file handle whose disk takes at most 5 bytes per call and has room for `room` bytes: what libuv's writev
    // answers on a nearly full disk (a short count, no error), then ENOSPC.
    const disk = (room: number): { fh: VectorWriter; bytes: number[] } => {
      const bytes: number[] = [];
      return {
        bytes,
        fh: {
          writev(b) {
            const all = Buffer.concat(b);
            if (bytes.length >= room) return Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
            const n = Math.min(5, all.length, room - bytes.length);
            bytes.push(...all.subarray(0, n));
            return Promise.resolve({ bytesWritten: n });
          },
        },
      };
    };
    const input = [Buffer.from('abc'), Buffer.from(''), Buffer.from('defghij'), Buffer.from('klmnopqrstu')];
    const roomy = disk(1000);
    await writeAll(roomy.fh, input);
    assert.equal(Buffer.from(roomy.bytes).toString(), 'abcdefghijklmnopqrstu');
    const full = disk(12);
    await assert.rejects(writeAll(full.fh, input), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
    assert.equal(Buffer.from(full.bytes).toString(), 'abcdefghijkl');
  });
});
