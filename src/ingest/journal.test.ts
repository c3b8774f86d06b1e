import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { frame, Journal, RecordKind, replayable } from './journal.js';

test('rotating to a file that ends in a torn record (a failed write, a power loss) cuts it back: records appended after are read', async () => {
  const j = Journal.open(mkdtempSync(join(tmpdir(), 'lookout-journal-')));
  const intact = frame(RecordKind.Group, 4, Buffer.from('four'));
  const torn = frame(RecordKind.Group, 5, Buffer.from('five')).subarray(0, 11);
  writeFileSync(join(j.dir, 'journal-0000000000000004.log'), Buffer.concat([intact, torn]));
  writeFileSync(join(j.dir, 'journal-0000000000000006.log'), torn);
  await j.rotate(4);
  await j.append(RecordKind.Abort, 5, Buffer.alloc(0));
  await j.rotate(6);
  await j.append(RecordKind.Group, 6, Buffer.from('six'));
  await j.close();
  assert.deepEqual(j.readAll().map((r) => [r.kind, r.seq, r.payload.toString()]), [[RecordKind.Group, 4, 'four'], [RecordKind.Abort, 5, ''], [RecordKind.Group, 6, 'six']]);
});

test('replayable counts committed seqs with no record as missing (a file cut short by hand), not failed groups a checkpoint deleted before the oldest file', () => {
  const g = (seq: number): { kind: RecordKind; seq: number; payload: Buffer } => ({ kind: RecordKind.Group, seq, payload: Buffer.alloc(0) });
  const a = (seq: number): { kind: RecordKind; seq: number; payload: Buffer } => ({ kind: RecordKind.Abort, seq, payload: Buffer.alloc(0) });
  // Every seq has a record: nothing missing; an aborted group is not replayed.
  assert.deepEqual(replayable([g(3), g(4), a(4), g(5)], 2, 5, 3).missing, 0);
  assert.deepEqual(replayable([g(3), g(4), a(4), g(5)], 2, 5, 3).replay.map((r) => r.seq), [3, 5]);
  // The file of seqs 3..5 cut after seq 3's record: 4 and 5 missing.
  assert.equal(replayable([g(3)], 2, 5, 3).missing, 2);
  // Every file removed: every seq past the checkpoint up to the committed mark.
  assert.equal(replayable([], 2, 5).missing, 3);
  // Seq 3 failed after the checkpoint's mark 2 and its file was deleted by that checkpoint (the oldest file starts at 4).
  assert.equal(replayable([g(4)], 2, 4, 4).missing, 0);
});

test('audit 14: a failed group the store records as aborted is not replayed, though the journal lost its abort record (cut after the group\'s)', () => {
  const g = (seq: number): { kind: RecordKind; seq: number; payload: Buffer } => ({ kind: RecordKind.Group, seq, payload: Buffer.alloc(0) });
  // [3 committed, 4 failed, abort 4, 5 committed], cut after 4's record: 4 is not replayed (the store says it failed), 5 is missing.
  const cut = replayable([g(3), g(4)], 2, 5, 3, [4]);
  assert.deepEqual(cut.replay.map((r) => r.seq), [3]);
  assert.equal(cut.missing, 1);
  // The store's list may hold seqs at or below the summarised mark (written before a checkpoint): they change nothing.
  assert.deepEqual(replayable([g(3), g(4)], 2, 4, 3, [1, 2]).replay.map((r) => r.seq), [3, 4]);
});
