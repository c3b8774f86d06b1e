import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { syncDir } from '../io/sync-dir.js';
import type { StorageBackend } from './backend.js';
import { pruneSnapshots, removePartials } from './snapshot-list.js';

/** What POST /v1/admin/snapshots answers: where the copy is, how large, how long it took. */
export interface SnapshotResult {
  name: string;
  dir: string;
  bytes: number;
  ms: number;
  /** Older snapshots removed after it (`keep`), oldest last. */
  removed: string[];
}

/** Data dir entries copied besides the database and the journal (immutable files: hard links where the disk allows). */
const FILE_DIRS = ['artifacts', 'references'];

/** A UTC stamp for names: 20261206T055012Z. */
const stamp = (t: number): string => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** `from` into `to`, files hard-linked (copied across disks), names starting with "." (a write in progress) left out. */
async function linkTree(from: string, to: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return 0;
    throw e;
  }
  await mkdir(to, { recursive: true });
  let bytes = 0;
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const [a, b] = [join(from, e.name), join(to, e.name)];
    if (e.isDirectory()) bytes += await linkTree(a, b);
    else if (e.isFile()) {
      await link(a, b).catch(async (err: unknown) => {
        if (!['EXDEV', 'EPERM', 'EMLINK'].includes((err as { code?: string }).code ?? '')) throw err;
        await copyFile(a, b);
      });
      bytes += (await stat(b)).size;
    }
  }
  return bytes;
}

/** `from`'s files copied into `to` (the summary journal: its current file is being appended to, so not linked). */
async function copyTree(from: string, to: string): Promise<number> {
  await mkdir(to, { recursive: true });
  let bytes = 0;
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (!e.isFile()) continue;
    await copyFile(join(from, e.name), join(to, e.name));
    bytes += (await stat(join(to, e.name))).size;
  }
  await syncDir(to);
  return bytes;
}

/**
 * Snapshots of the embedded store's data dir, one at a time, into DATA_DIR/snapshots/NAME while the server runs: the
 * database as one consistent transaction saw it (DuckDbStore.snapshotTo), the summary journal's files copied once
 * that transaction began (held meanwhile: Journal.hold), so that a server started on the copy replays exactly the
 * groups that transaction saw committed past its last checkpoint; then artifacts and reference files. Made in a
 * ".NAME.partial" directory renamed at the end: a failed or interrupted snapshot never looks like a whole one.
 */
export class Snapshots {
  private busy = false;

  constructor(private readonly dataDir: string, private readonly store: StorageBackend, private readonly pipeline: IngestPipeline) {}

  /** Null when the store cannot be snapshotted (PostgreSQL: its reason); else makes one (throws "busy" if one runs). */
  unsupported(): string | null {
    return this.store.snapshotTo ? null : `snapshots copy the embedded DuckDB store; this server's store is ${this.store.kind}: back it up with pg_dump (README, Backup) and copy the data dir's artifacts and references`;
  }

  get running(): boolean {
    return this.busy;
  }

  /** DATA_DIR/snapshots. */
  get root(): string {
    return join(this.dataDir, 'snapshots');
  }

  /**
   * Makes one named after `now` and `suffix`; then, with `keep`, removes all but the `keep` newest (the new one
   * included). What interrupted snapshots left (`.NAME.partial`) is removed first.
   */
  async make(now: number, suffix: string, keep?: number): Promise<SnapshotResult> {
    const snapshotTo = this.store.snapshotTo?.bind(this.store);
    if (!snapshotTo) throw new Error(this.unsupported() ?? 'no snapshots');
    if (this.busy) throw new Error('a snapshot is being made');
    this.busy = true;
    const t0 = performance.now();
    const name = `${stamp(now)}-${suffix}`;
    const root = this.root;
    const partial = join(root, `.${name}.partial`);
    try {
      await removePartials(root);
      await mkdir(partial, { recursive: true });
      const held = this.pipeline.holdJournal();
      let bytes = 0;
      try {
        await snapshotTo(join(partial, 'lookout.duckdb'), async () => {
          if (held) bytes += await copyTree(held.dir, join(partial, relative(this.dataDir, held.dir)));
          await held?.release();
        });
      } finally {
        await held?.release();
      }
      bytes += (await stat(join(partial, 'lookout.duckdb'))).size;
      for (const d of FILE_DIRS) bytes += await linkTree(join(this.dataDir, d), join(partial, d));
      const dir = join(root, name);
      await rename(partial, dir);
      await syncDir(root);
      const removed = keep === undefined ? [] : await pruneSnapshots(root, keep, name).catch((e: unknown) => {
        throw new Error(`snapshot ${name} was made (${dir}), but removing the snapshots older than the ${keep} newest failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      });
      return { name, dir, bytes, ms: Math.round(performance.now() - t0), removed };
    } catch (e) {
      await rm(partial, { recursive: true, force: true });
      throw e;
    } finally {
      this.busy = false;
    }
  }
}
