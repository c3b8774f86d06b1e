import type { Ring } from './ring.js';
import { serialise } from './transport.js';

export interface QueuedRow {
  /** Position in this endpoint's stream (0, 1, 2, ...). */
  seq: number;
  /** The caller's object, read and serialised when its batch is formed (then released). */
  value: unknown;
  /** Values of `id` and `timestamp` filled in by log() (null: the event has its own). */
  id: string | null;
  ts: string | null;
  json: string | null;
  /** UTF-8 bytes of `json` counted in the sender's queued bytes (0 until then). */
  bytes: number;
  /** Labels: rows of the events sender below this sequence number must be settled first. */
  after: number;
}

export interface Batch {
  /** JSON of each row, in order. */
  batch: string[];
  seqs: number[];
  /** Rows taken off the queue because they cannot be sent (not serialisable, too large). */
  refused: number;
  firstRefusal: { message: string; cause: unknown } | null;
  /** The counted bytes (QueuedRow.bytes) of the rows taken off the queue. */
  bytes: number;
}

/**
 * Takes the next batch off the head of the queue: at most maxBatch rows and maxBatchChars characters of JSON,
 * stopping at the first row that is not ready. Rows are serialised here (once; a row left for the next batch
 * keeps its JSON) and the caller's object is released.
 */
export function takeBatch(queue: Ring<QueuedRow>, cfg: { maxBatch: number; maxBatchChars: number; ready?: (row: QueuedRow) => boolean }): Batch {
  const out: Batch = { batch: [], seqs: [], refused: 0, firstRefusal: null, bytes: 0 };
  let chars = 0;
  for (let row = queue.peek(); row && out.batch.length < cfg.maxBatch; row = queue.peek()) {
    if (cfg.ready && !cfg.ready(row)) break;
    if (row.json === null) {
      const s = serialise(row.value, row.id, row.ts, cfg.maxBatchChars);
      row.value = null;
      if (typeof s !== 'string') {
        out.bytes += row.bytes;
        queue.shift();
        out.refused++;
        out.firstRefusal ??= s;
        continue;
      }
      row.json = s;
    }
    if (out.batch.length > 0 && chars + row.json.length + 1 > cfg.maxBatchChars) break;
    queue.shift();
    out.bytes += row.bytes;
    chars += row.json.length + 1;
    out.batch.push(row.json);
    out.seqs.push(row.seq);
  }
  return out;
}
