import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { access, mkdir, open, readdir, readFile, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDir } from '../io/sync-dir.js';

/**
 * The summary journal: an append-only log, on local disk, of what each ingest group added to the window
 * summaries. A group's record is written and fdatasync'ed before the group's events are committed to the
 * store, so the in-memory summaries can be persisted lazily (checkpoints) and rebuilt after a crash from
 * the last checkpoint plus the journal (the store records which groups committed and which checkpoint
 * holds what). Same idea as a database write-ahead log; Node has no library for this, hence by hand.
 *
 * Files: `journal-<first seq, 16 digits>.log`, a new one per checkpoint (so old ones are deleted whole).
 * Record: u32 body length, u32 CRC-32 of the body, body = u8 kind, f64 seq, payload. A torn or corrupt
 * record ends the file (what follows it was never acknowledged: records are synced in order).
 */
export const enum RecordKind {
  Group = 1,
  /** The group with this seq failed to commit: it must not be replayed. */
  Abort = 2,
}

export interface JournalRecord {
  kind: RecordKind;
  seq: number;
  payload: Buffer;
}

const HEADER = 8;
const BODY_HEADER = 9;
const NAME = /^journal-(\d{16})\.log$/;

export class Journal {
  private file: FileHandle | null = null;
  private fileName = '';

  private constructor(readonly dir: string, readonly id: string) {}

  /** Opens (creating) the journal directory; `id` names this journal's keys in the store's state. */
  static open(dir: string): Journal {
    mkdirSync(dir, { recursive: true });
    const idFile = join(dir, 'journal-id');
    if (!existsSync(idFile)) writeFileSync(idFile, randomUUID());
    return new Journal(dir, readFileSync(idFile, 'utf8').trim());
  }

  /** The first seq of the oldest segment file (its name), or 0 when there is none. */
  oldestSeq(): number {
    const first = this.files()[0];
    return first === undefined ? 0 : Number(NAME.exec(first)?.[1] ?? 0);
  }

  /** Segment file names in seq order. */
  files(): string[] {
    return readdirSync(this.dir).filter((f) => NAME.test(f)).sort();
  }

  /** Every intact record of every file, in order (a torn tail of a file is skipped). */
  readAll(): JournalRecord[] {
    const out: JournalRecord[] = [];
    for (const f of this.files()) out.push(...parseRecords(readFileSync(join(this.dir, f))));
    return out;
  }

  /**
   * Starts a new segment file for records from `firstSeq` on (the older files stay until removeBefore). A file of that
   * name left with a torn record (a write that failed, the disk full; a power loss before the record was synced) is
   * cut back to its intact records first: appended after a torn record, records would never be read.
   */
  async rotate(firstSeq: number): Promise<void> {
    await this.closeFile();
    this.fileName = `journal-${String(firstSeq).padStart(16, '0')}.log`;
    const path = join(this.dir, this.fileName);
    const file = await open(path, 'a').catch(async (e: unknown) => {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      // The directory was deleted while the server ran (by hand, a cleaner of old files): made again, with its id, so
      // the checkpoints go on (they write what memory holds of the records deleted with it, which then matter no more).
      await mkdir(this.dir, { recursive: true });
      await writeFile(join(this.dir, 'journal-id'), this.id);
      process.stderr.write(`lookout: the summary journal's directory ${this.dir} was deleted while the server ran: made again (what it held is in memory and in the next checkpoint; a crash before that loses it from the window summaries)\n`);
      return open(path, 'a');
    });
    try {
      const { size } = await file.stat();
      const intact = size > 0 ? intactLength(await readFile(path)) : 0;
      if (intact < size) {
        await file.truncate(intact);
        await file.datasync();
      }
      await syncDir(this.dir); // the new file's directory entry is durable before records in it are relied on
    } catch (e) {
      await file.close();
      throw e;
    }
    this.file = file;
  }

  /** Appends a record and syncs it to disk. */
  async append(kind: RecordKind, seq: number, payload: Buffer): Promise<void> {
    const file = this.file;
    if (!file) throw new Error('journal: rotate() before append()');
    const buf = frame(kind, seq, payload);
    for (let at = 0; at < buf.length;) at += (await file.write(buf, at, buf.length - at)).bytesWritten;
    await file.datasync();
    // Written to a file deleted since it was opened (its directory removed): no restart could read it, so the group
    // must not commit (until audit 14 it did: acknowledged, stored, and missing from the summaries after a crash).
    // (A file system that reports no links for live files is told apart by the path, looked at only then.)
    if ((await file.stat()).nlink === 0 && !(await access(join(this.dir, this.fileName)).then(() => true, () => false))) {
      throw new Error(`journal: ${join(this.dir, this.fileName)} was deleted while the server ran`);
    }
  }

  /** The current segment file (rotate's), to hand to removeBefore once a checkpoint covers every record before it. */
  get current(): string {
    return this.fileName;
  }

  /**
   * Deletes the segment files before `file` (a name `current` gave: their records are all in a committed checkpoint);
   * files rotated to since, and their records, stay. Asynchronous, as rotate's directory sync: both run at every
   * checkpoint, and a directory fsync can take milliseconds, which on the event loop every request (the gateway's
   * predictions) waits behind.
   */
  async removeBefore(file: string): Promise<void> {
    if (this.holds > 0) { // a snapshot is copying the files: removed when it releases them
      if (this.removeDeferred === null || file > this.removeDeferred) this.removeDeferred = file;
      return;
    }
    for (const f of (await readdir(this.dir)).filter((x) => NAME.test(x))) if (f < file) await unlink(join(this.dir, f));
  }

  private holds = 0;
  private removeDeferred: string | null = null;

  /**
   * Keeps every segment file until the returned release (a snapshot copies them after its store transaction began:
   * a checkpoint committing meanwhile must not delete the records that transaction's position still needs).
   */
  hold(): () => Promise<void> {
    this.holds++;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (--this.holds > 0 || this.removeDeferred === null) return;
      const file = this.removeDeferred;
      this.removeDeferred = null;
      await this.removeBefore(file);
    };
  }

  async close(): Promise<void> {
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const f = this.file;
    this.file = null;
    if (f) await f.close();
  }
}

export function frame(kind: RecordKind, seq: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + BODY_HEADER + payload.length);
  out.writeUInt32LE(BODY_HEADER + payload.length, 0);
  out.writeUInt8(kind, HEADER);
  out.writeDoubleLE(seq, HEADER + 1);
  payload.copy(out, HEADER + BODY_HEADER);
  out.writeUInt32LE(crc32(out.subarray(HEADER)), 4);
  return out;
}

/** The intact records of one file's bytes, stopping at the first short or corrupt one. */
export function parseRecords(buf: Buffer): JournalRecord[] {
  return scan(buf).records;
}

/** The length of the intact records at the start of one file's bytes. */
export function intactLength(buf: Buffer): number {
  return scan(buf).length;
}

function scan(buf: Buffer): { records: JournalRecord[]; length: number } {
  const out: JournalRecord[] = [];
  let at = 0;
  while (at + HEADER <= buf.length) {
    const len = buf.readUInt32LE(at);
    const end = at + HEADER + len;
    if (len < BODY_HEADER || end > buf.length) break;
    const body = buf.subarray(at + HEADER, end);
    if (crc32(body) !== buf.readUInt32LE(at + 4)) break;
    const kind = body.readUInt8(0);
    if (kind !== RecordKind.Group && kind !== RecordKind.Abort) break;
    out.push({ kind, seq: body.readDoubleLE(1), payload: body.subarray(BODY_HEADER) });
    at = end;
  }
  return { records: out, length: at };
}

/**
 * The records a recovery replays: groups past the checkpointed mark up to the committed mark, not aborted (a
 * group past the committed mark was written, never committed, never acknowledged); and the last seq used. `missing`:
 * seqs up to the committed mark with neither a group nor an abort record (every seq used has one of them, synced before
 * a later group commits), so groups that may have committed and whose summaries cannot be recovered: a journal file
 * removed or cut short by hand, or lost with a disk. Seqs before `oldestFile` (the first seq of the oldest file left) are
 * not counted: a checkpoint deletes the files it covers, which may hold failed groups past its mark (never committed).
 * `storeAborted`: the failed groups the store's state records (group-commit.ts: written by the next group that commits),
 * aborted even when the journal lost their abort records (a file cut between a failed group's record and its abort).
 */
export function replayable(records: readonly JournalRecord[], summarised: number, committed: number, oldestFile = 0, storeAborted: readonly number[] = []): { replay: JournalRecord[]; lastSeq: number; missing: number } {
  const aborted = new Set<number>(storeAborted);
  const seen = new Set<number>(storeAborted);
  let lastSeq = Math.max(summarised, committed);
  for (const r of records) {
    if (r.kind === RecordKind.Abort) aborted.add(r.seq);
    seen.add(r.seq);
    if (r.seq > lastSeq) lastSeq = r.seq;
  }
  const replay = records.filter((r) => r.kind === RecordKind.Group && r.seq > summarised && r.seq <= committed && !aborted.has(r.seq));
  let missing = 0;
  for (let seq = Math.max(summarised + 1, oldestFile); seq <= committed; seq++) if (!seen.has(seq)) missing++;
  return { replay, lastSeq, missing };
}
