import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageBackend } from '../storage/backend.js';

/** Store state: the id of the store's summary journal, which names its directory under DATA_DIR/journal/. */
export const JOURNAL_ID_STATE = 'ingest.journal.id';
/** In DATA_DIR/journal/: the journal there (the layout before journals were per store) was claimed by a store. */
const LEGACY_CLAIM = 'journal-owner';

/**
 * The summary journal directory of `store` under `root` (DATA_DIR/journal): `root/<journal id>/`, the id kept in the
 * store's state. A journal is the store's own: two servers whose stores differ (two PostgreSQL schemas, two DuckDB
 * files) given the same data dir each replay and delete only their own records (with one shared directory, a restart
 * replayed the other's groups into its summaries and a start deleted the other's unreplayed files).
 * The store's writer lock (claimWriter, DuckDB's file lock) keeps a second server off the same store, so off its journal.
 *
 * Before, the journal was `root` itself (its `journal-id` file names the store keys of its marks). A store with marks
 * of that id takes it over as it is, once: the first one to claim it (a data dir shared before the change may have
 * marks of the same id in two stores); any other store gets a directory of its own.
 */
export async function storeJournalDir(root: string, store: Pick<StorageBackend, 'getState' | 'setState'>): Promise<string> {
  mkdirSync(root, { recursive: true });
  const legacyFile = join(root, 'journal-id');
  const legacy = existsSync(legacyFile) ? readFileSync(legacyFile, 'utf8').trim() : null;
  let id = await store.getState(JOURNAL_ID_STATE);
  if (id === null) {
    const ownsLegacy = legacy !== null && (await store.getState(`ingest.journal.${legacy}.committed`)) !== null;
    id = ownsLegacy && claim(join(root, LEGACY_CLAIM)) ? legacy : randomUUID();
    await store.setState(JOURNAL_ID_STATE, id);
  }
  if (id === legacy) return root;
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'journal-id'))) writeFileSync(join(dir, 'journal-id'), id);
  return dir;
}

/** Creates `file`; false when it exists (claimed by another store). */
function claim(file: string): boolean {
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return false;
    throw e;
  }
}
