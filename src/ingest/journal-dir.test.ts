import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDbStore } from '../storage/duckdb/store.js';
import { JOURNAL_ID_STATE, storeJournalDir } from './journal-dir.js';

async function store(): Promise<DuckDbStore> {
  const s = await DuckDbStore.open(':memory:');
  await s.init();
  return s;
}

test('each store gets a journal directory of its own under DATA_DIR/journal, the same at every start', async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'lookout-journal-dir-')), 'journal');
  const [a, b] = [await store(), await store()];
  try {
    const da = await storeJournalDir(root, a);
    const db = await storeJournalDir(root, b);
    assert.notEqual(da, db);
    assert.equal(await storeJournalDir(root, a), da);
    assert.equal(readFileSync(join(da, 'journal-id'), 'utf8'), await a.getState(JOURNAL_ID_STATE));
  } finally {
    await a.close();
    await b.close();
  }
});

test('a journal of the layout before (DATA_DIR/journal itself) is kept by the one store with its marks, not by another', async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'lookout-journal-dir-')), 'journal');
  mkdirSync(root);
  writeFileSync(join(root, 'journal-id'), 'old-id');
  const [owner, other, alsoMarked] = [await store(), await store(), await store()];
  try {
    await owner.setState('ingest.journal.old-id.committed', '7');
    await alsoMarked.setState('ingest.journal.old-id.committed', '3');
    assert.equal(await storeJournalDir(root, owner), root);
    assert.equal(await storeJournalDir(root, owner), root, 'at the next start too');
    assert.notEqual(await storeJournalDir(root, other), root);
    assert.notEqual(await storeJournalDir(root, alsoMarked), root, 'claimed once only');
  } finally {
    for (const s of [owner, other, alsoMarked]) await s.close();
  }
});
