import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { frame, Journal, RecordKind } from './journal.js';

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
