import { RecordKind, type Journal } from './journal.js';

/**
 * Abort records of groups whose commit failed. A group's record is in the journal before its COMMIT; when the COMMIT
 * fails, an abort record must follow, or a replay would count the group. It goes in the current file, or in a fresh
 * one if the group's own append failed (the file may end in a torn record, after which nothing is read) or this one
 * fails. When neither can be written (the journal's disk full), the group stays pending: no group may commit until
 * every pending abort is recorded (a later committed mark would make the failed group replayable), tried again at
 * each commit, so ingest resumes by itself once the disk has space.
 */
export class JournalAborts {
  private unrecorded: number[] = [];
  /** Why the journal could not take the pending aborts (the last error), while some are pending. */
  private why = '';

  /** Some failed group's abort could not be written yet: flush() before committing anything. */
  get pending(): boolean {
    return this.unrecorded.length > 0;
  }

  /** While aborts are pending: why ingest refuses (one line, for its 503s and /healthz); null otherwise. */
  get refusal(): string | null {
    return this.pending ? `ingest: the summary journal cannot be written (${this.why}); ingest answers 503 until it can (tried again at each request and each /healthz probe)` : null;
  }

  /** Records that group `seq` did not commit (see the class comment); never throws. */
  async mark(j: Journal, seq: number, appendFailed: boolean): Promise<void> {
    try {
      if (appendFailed) throw new Error('the group\'s record could not be written');
      await j.append(RecordKind.Abort, seq, Buffer.alloc(0));
    } catch {
      try {
        await j.rotate(seq + 1);
        await j.append(RecordKind.Abort, seq, Buffer.alloc(0));
      } catch (err) {
        if (!this.pending) {
          process.stderr.write(`lookout: the summary journal cannot be written (${String(err)}); ingest answers 503 until it can (tried again at each request and each /healthz probe)\n`);
        }
        this.why = String(err);
        this.unrecorded.push(seq);
      }
    }
  }

  /** Writes the pending aborts in a fresh file starting at `nextSeq`; throws (nothing may commit) while it cannot. */
  async flush(j: Journal, nextSeq: number): Promise<void> {
    try {
      await j.rotate(nextSeq);
      for (const seq of this.unrecorded) await j.append(RecordKind.Abort, seq, Buffer.alloc(0));
    } catch (err) {
      this.why = String(err);
      throw new Error(`ingest: the summary journal cannot be written (${String(err)})`, { cause: err });
    }
    this.unrecorded = [];
    process.stderr.write('lookout: the summary journal can be written again: ingest resumed\n');
  }
}
