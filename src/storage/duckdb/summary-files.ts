import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SummaryQuery, SummaryRecord } from '../types.js';
import { syncDir } from '../../io/sync-dir.js';

/*
 * Window summaries of the DuckDB store also kept as files, one per window (DATA_DIR/lookout.duckdb.windows/): a cache
 * of what keyed reads (window-row-key.ts) return, filled by those reads, so that the next read of the same windows
 * (a range merged again after the reader's memory cache dropped it, or after a restart) reads files instead of blobs.
 *
 * Why: DuckDB (1.5) reads summary blobs slowly and unevenly: the 24 windows (1 MB) of a 24 h drift take 9.5-10.5 ms at
 * the median and 20-21 ms at the 90th percentile in a fresh process, and ~27 ms in the process that wrote them; the same
 * bytes as 24 files take 3.4-3.5 ms (p90 5.1-5.2 ms). Asking DuckDB which versions the files should hold (a keys-only read,
 * 5.5-6 ms) costs as much as it saves, so the files are kept right by the only writer instead: DuckDB lets one process
 * open the file for writing, and every summary write of that process goes through DuckDbStore.commit.
 *
 * Consistency, within the process: a commit of summaries calls beginWrite with its windows before its transaction
 * starts and endWrite after it ended, which removes their files. From beginWrite until that removal is done a window is
 * busy: its file is neither read (the store is read instead) nor written. A read that found no file reads the store and
 * writes the file back only if no commit of summaries began since it started (`seq`) and the window was not busy then:
 * so a file only ever holds what the store holds. File operations on one window run one after another (`chain`), so a
 * removal queued after a write-back runs after it.
 *
 * Across processes and crashes: the directory is trusted only when its VALID file says what the store says now: the
 * token the store's state holds (SUMMARY_FILES_TOKEN, renewed at every clean close) and the size and modification time
 * of the store's file (and of its WAL) as they were right after that close (`storeStamp`). Opening removes VALID (durably)
 * before anything else; a clean close writes a new token into the store, closes it, and then writes VALID. A process that
 * died, a store file replaced, restored or written by anything else since (another tool, an older Lookout), a run with
 * the files off, a directory of another store: no match, and the directory is emptied (of the files named as this class
 * names them; anything else there is left alone and never read). Every file carries a CRC-32 and its window's key: a
 * torn or foreign file is ignored (read from the store and written again).
 *
 * Size: the files take at most `maxBytes` (DEFAULT_SUMMARY_FILES_BYTES); beyond, the least recently used are removed
 * (the window-value filler reads every closed hour once, so without a bound the directory would grow into a second copy
 * of the summaries).
 */

/** What the files of one store take at most, by default. */
export const DEFAULT_SUMMARY_FILES_BYTES = 512 * 1024 * 1024;

/** The store state entry holding the token of the files directory's last clean close. */
export const SUMMARY_FILES_TOKEN = 'summaries.files.token';
/** Bump to discard every directory written by earlier versions (a change of the file layout or of what a file holds). */
const FORMAT = 1;
const VALID = 'VALID';
const MAGIC_WINDOW = 0x4c4b5731; // "LKW1"
const MAGIC_ABSENT = 0x4c4b5730; // "LKW0": no such window in the store
/** magic, crc32 of the rest, events (NaN: unknown), key length; then key (UTF-8) and data. */
const HEADER = 4 + 4 + 8 + 4;

/** A window as a file gives it: null when the store has no such window, 'busy' or undefined when the store must be read. */
export type FileHit = { events: number | undefined; data: Uint8Array } | null | 'busy' | undefined;

export class SummaryFiles {
  /** Commits of summaries begun so far (see the header). */
  private seq = 0;
  private readonly busy = new Map<string, number>();
  /** Per file name: operations on it run one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  /** The files there, least recently used first, and what each takes on disk (track). */
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  /**
   * The directory could not be set up, or a removal failed (a file may be stale): no file is used again, and the
   * directory is not marked valid, so the next open empties it.
   */
  private broken = false;
  /** Why open() could not set the directory up (the files are then unused), or null: the server says it at start. */
  openError: unknown = null;

  private constructor(readonly dir: string, readonly maxBytes: number) {}

  /**
   * Opens the directory: its files kept if its VALID file says `expected` (see the header; null: never), and counted
   * against `maxBytes`, oldest first by modification time; else emptied. Never fails: a directory that cannot be set
   * up leaves the files unused (`broken`).
   */
  static async open(dir: string, expected: string | null, maxBytes = DEFAULT_SUMMARY_FILES_BYTES): Promise<SummaryFiles> {
    const files = new SummaryFiles(dir, maxBytes);
    try {
      await files.load(expected !== null && (await readFile(join(dir, VALID), 'utf8').catch(() => null)) === `${FORMAT} ${expected}`);
    } catch (e) {
      files.broken = true; // the directory cannot be set up (permissions, a full disk...): the store alone is read
      files.openError = e;
    }
    return files;
  }

  /** Empties the directory (`valid` false) or counts the files in it. */
  private async load(valid: boolean): Promise<void> {
    const dir = this.dir;
    await mkdir(dir, { recursive: true });
    // Only names this class writes are touched: anything else someone put there stays (and is never read).
    const names = (await readdir(dir)).filter((n) => n === VALID || /^[0-9a-f]{64}(\.tmp)?$/.test(n));
    if (!valid) {
      await Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true })));
      await syncDir(dir);
      return;
    }
    await unlink(join(dir, VALID));
    await syncDir(dir);
    const found = await Promise.all(names.filter((n) => n !== VALID).map(async (name) => {
      const st = await stat(join(dir, name));
      if (name.endsWith('.tmp') || !st.isFile()) { // a write-back's temporary file, or not a file at all
        await rm(join(dir, name), { recursive: true, force: true });
        return null;
      }
      return { name, size: st.size, at: st.mtimeMs };
    }));
    for (const f of found.filter((x) => x !== null).sort((a, b) => a.at - b.at)) this.track(f.name, f.size);
    this.evict();
  }

  /** The file cache's name of a window: its granularity and its row key (windowRowKey). */
  static id(granularity: string, rowKey: string): string {
    return `${granularity}\n${rowKey}`;
  }

  /**
   * A keyed read (`keys`: the row keys of every window of `q`, in time order) through the files: windows with a file
   * from it, the rest from `readStore` (given their keys), which are then written back. Same rows, in the same order, as
   * the store's own read.
   */
  async readThrough(q: SummaryQuery, keys: readonly string[], readStore: (keys: string[]) => Promise<SummaryRecord[]>): Promise<SummaryRecord[]> {
    const ids = keys.map((k) => SummaryFiles.id(q.granularity, k));
    const { hits, seq } = await this.read(ids);
    const unread = keys.filter((_, i) => hits[i] === undefined || hits[i] === 'busy');
    const rows = unread.length > 0 ? await readStore(unread) : [];
    const byStart = new Map(rows.map((r) => [r.windowStart, r]));
    const out: SummaryRecord[] = [];
    const back: Array<{ id: string; row: SummaryRecord | null }> = [];
    keys.forEach((k, i) => {
      const h = hits[i];
      if (h === null) return;
      const [model, version, segment, windowStart] = JSON.parse(k) as [string, string, string, number];
      if (h === undefined || h === 'busy') {
        const r = byStart.get(windowStart);
        if (h === undefined) back.push({ id: ids[i] as string, row: r ?? null });
        if (r !== undefined) out.push(r);
        return;
      }
      const r: SummaryRecord = { model, version, segment, granularity: q.granularity, windowStart, data: h.data };
      if (h.events !== undefined) r.events = h.events;
      out.push(r);
    });
    this.writeBack(seq, back);
    return out;
  }

  /** A commit of these windows begins (call before its transaction). */
  beginWrite(ids: readonly string[]): void {
    this.seq++;
    for (const id of ids) this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
  }

  /** The commit begun with beginWrite ended, committed or not: the files of its windows are removed. */
  endWrite(ids: readonly string[]): Promise<void> {
    return Promise.all(ids.map((id) => fileName(id)).map((name, i) => this.chain(name, async () => {
      try {
        await this.remove(name);
      } finally {
        const id = ids[i] as string;
        const n = (this.busy.get(id) ?? 1) - 1;
        if (n > 0) this.busy.set(id, n);
        else this.busy.delete(id);
      }
    }))).then(() => undefined);
  }

  /** The files of these windows, in order, and the position to hand to writeBack. */
  private async read(ids: readonly string[]): Promise<{ hits: FileHit[]; seq: number }> {
    const seq = this.seq;
    const hits = await Promise.all(ids.map(async (id): Promise<FileHit> => {
      if (this.broken) return undefined;
      if (this.busy.has(id)) return 'busy';
      const name = fileName(id);
      const b = await readFile(join(this.dir, name)).catch(() => null);
      const hit = b === null ? undefined : decode(b, id);
      if (hit !== undefined && b !== null && this.sizes.has(name)) this.track(name, b.length); // the most recently used now
      return hit;
    }));
    return { hits, seq };
  }

  /**
   * Keeps what a read of the store (begun when `read` returned `seq`) gave for windows it found no file of and that were
   * not busy: a row, or null where the store has no such window. Written in the background; skipped if any commit of
   * summaries began since. The bytes are copied before this returns.
   */
  private writeBack(seq: number, entries: ReadonlyArray<{ id: string; row: { events?: number | undefined; data: Uint8Array } | null }>): void {
    if (seq !== this.seq || this.broken) return;
    for (const { id, row } of entries) {
      const bytes = encode(id, row);
      const name = fileName(id);
      void this.chain(name, async () => {
        if (seq !== this.seq || this.broken) return;
        const path = join(this.dir, name);
        const tmp = `${path}.tmp`;
        try {
          await writeFile(tmp, bytes);
          await rename(tmp, path);
          this.track(name, bytes.length);
          this.evict();
        } catch {
          await unlink(tmp).catch(() => undefined);
        }
      });
    }
  }

  /** Resolves once every file operation queued so far (and any queued meanwhile) is done. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Waits for every file operation (also those queued meanwhile); false when the files cannot be marked valid (broken). */
  async close(): Promise<boolean> {
    await this.settled();
    return !this.broken;
  }

  /** Marks the directory valid for `expected` (after close(); see the header): the next open with it keeps the files. */
  async markValid(expected: string): Promise<void> {
    await syncDir(this.dir);
    const f = await open(join(this.dir, VALID), 'w');
    try {
      await f.writeFile(`${FORMAT} ${expected}`);
      await f.sync();
    } finally {
      await f.close();
    }
    await syncDir(this.dir);
  }

  /** What the files take now on disk (bytes, in whole 4 KiB blocks). */
  get size(): number {
    return this.bytes;
  }

  /** Counts a file (of `size` bytes) as the most recently used one. */
  private track(name: string, size: number): void {
    // What it takes on disk: whole 4 KiB blocks (so that many tiny "absent" files cannot pile up under the bound).
    const blocks = Math.max(1, Math.ceil(size / 4096)) * 4096;
    this.bytes += blocks - (this.sizes.get(name) ?? 0);
    this.sizes.delete(name);
    this.sizes.set(name, blocks);
  }

  /** Removes the least recently used files while they take more than maxBytes. */
  private evict(): void {
    for (const [name, size] of this.sizes) {
      if (this.bytes <= this.maxBytes) return;
      this.sizes.delete(name);
      this.bytes -= size;
      void this.chain(name, () => this.remove(name));
    }
  }

  /** Removes a file (gone already is fine; any other failure: the files are not used again). */
  private async remove(name: string): Promise<void> {
    const size = this.sizes.get(name);
    if (size !== undefined) {
      this.sizes.delete(name);
      this.bytes -= size;
    }
    try {
      await unlink(join(this.dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.broken = true;
    }
  }

  /** Runs `op` after every earlier operation on the same file. */
  private chain(name: string, op: () => Promise<void>): Promise<void> {
    const p = (this.chains.get(name) ?? Promise.resolve()).then(op).catch(() => undefined);
    this.chains.set(name, p);
    void p.then(() => {
      if (this.chains.get(name) === p) this.chains.delete(name);
    });
    return p;
  }
}

/** The file of a window (by SummaryFiles.id). */
export function fileName(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** A window's file (exported for tests). */
export function encode(id: string, row: { events?: number | undefined; data: Uint8Array } | null): Buffer {
  const key = Buffer.from(id, 'utf8');
  const data = row?.data ?? new Uint8Array(0);
  const out = Buffer.allocUnsafe(HEADER + key.length + data.length);
  out.writeUInt32LE(row === null ? MAGIC_ABSENT : MAGIC_WINDOW, 0);
  out.writeDoubleLE(row?.events ?? NaN, 8);
  out.writeUInt32LE(key.length, 16);
  key.copy(out, HEADER);
  out.set(data, HEADER + key.length);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

/** A file's window, or undefined when the file is not a whole file of this window (torn, foreign, of an older layout). */
export function decode(b: Buffer, id: string): FileHit {
  if (b.length < HEADER) return undefined;
  const magic = b.readUInt32LE(0);
  if ((magic !== MAGIC_WINDOW && magic !== MAGIC_ABSENT) || crc32(b.subarray(8)) !== b.readUInt32LE(4)) return undefined;
  const keyEnd = HEADER + b.readUInt32LE(16);
  if (keyEnd > b.length || b.toString('utf8', HEADER, keyEnd) !== id) return undefined;
  if (magic === MAGIC_ABSENT) return null;
  const events = b.readDoubleLE(8);
  return { events: Number.isNaN(events) ? undefined : events, data: b.subarray(keyEnd) };
}

/** The size and modification time of a store file and of its WAL, as VALID records them ("none" when absent). */
export function storeStamp(path: string): string {
  const one = (p: string): string => {
    try {
      const st = statSync(p, { bigint: true });
      return `${st.size}:${st.mtimeNs}`;
    } catch {
      return 'none';
    }
  };
  return `${one(path)} ${one(`${path}.wal`)}`;
}
