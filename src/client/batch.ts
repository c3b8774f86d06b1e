import type { Ring } from './ring.js';
import { serialise } from './transport.js';

/**
 * Most bytes of body the server takes in one request (DEFAULT_BODY_LIMIT of src/http/app.ts, not imported: the client
 * does not load the server). A larger body is answered 413, or its connection closed while it is being written (EPIPE).
 */
export const SERVER_MAX_BODY_BYTES = 16 * 1024 * 1024;

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
  /**
   * Labels: the prediction id. A batch holds one row of an id: a later label() of it goes in a later request, where it
   * replaces the label (the server keeps the first of an id in one request and refuses a different later one).
   */
  key: string | null;
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

/** `{"events":[` and `]}`: the bytes of a body beside its rows and their commas. */
const ENVELOPE_BYTES = 16;

/**
 * Takes the next batch off the head of the queue: at most maxBatch rows, maxBatchChars characters of JSON and
 * SERVER_MAX_BODY_BYTES bytes of UTF-8 body (a non-ASCII character is up to 3 bytes: maxBatchChars alone let a batch
 * outgrow the server's limit), stopping at the first row that is not ready or whose key is already in the batch. Rows are serialised here (once; a row left
 * for the next batch keeps its JSON) and the caller's object is released. A row too large for a body on its own is refused.
 */
export function takeBatch(queue: Ring<QueuedRow>, cfg: { maxBatch: number; maxBatchChars: number; maxBodyBytes?: number; ready?: (row: QueuedRow) => boolean }): Batch {
  // a batch is cut at maxBodyBytes (BodyLimit: what a 413 taught); a row alone is refused only above the server's limit
  const maxBody = Math.min(cfg.maxBodyBytes ?? SERVER_MAX_BODY_BYTES, SERVER_MAX_BODY_BYTES);
  const out: Batch = { batch: [], seqs: [], refused: 0, firstRefusal: null, bytes: 0 };
  let chars = 0;
  let size = ENVELOPE_BYTES;
  const keys = new Set<string>();
  const refuse = (row: QueuedRow, why: { message: string; cause: unknown }): void => {
    out.bytes += row.bytes;
    queue.shift();
    out.refused++;
    out.firstRefusal ??= why;
  };
  for (let row = queue.peek(); row && out.batch.length < cfg.maxBatch; row = queue.peek()) {
    if (cfg.ready && !cfg.ready(row)) break;
    if (row.key !== null && keys.has(row.key)) break; // the next request: the last label() of an id counts
    if (row.json === null) {
      const s = serialise(row.value, row.id, row.ts, cfg.maxBatchChars);
      row.value = null;
      if (typeof s !== 'string') {
        refuse(row, s);
        continue;
      }
      row.json = s;
    }
    // row.bytes: counted by QueueBytes (0 when the row was serialised above, before it got there).
    const rowBytes = row.bytes > 0 ? row.bytes : Buffer.byteLength(row.json, 'utf8');
    if (rowBytes + ENVELOPE_BYTES > SERVER_MAX_BODY_BYTES) {
      refuse(row, { message: `row too large (${rowBytes.toLocaleString('en-US')} bytes of UTF-8 JSON; the server takes at most ${SERVER_MAX_BODY_BYTES.toLocaleString('en-US')} bytes per request)`, cause: undefined });
      row.json = null;
      continue;
    }
    if (out.batch.length > 0 && (chars + row.json.length + 1 > cfg.maxBatchChars || size + rowBytes + 1 > maxBody)) break;
    queue.shift();
    if (row.key !== null) keys.add(row.key);
    out.bytes += row.bytes;
    chars += row.json.length + 1;
    size += rowBytes + 1;
    out.batch.push(row.json);
    out.seqs.push(row.seq);
  }
  return out;
}

/**
 * The body size a proxy in front of the server takes, learned from its 413s (audit 25: it was used only to split the
 * batch answered 413, so every later full batch was answered 413 and split again). The limit does not change while
 * the client runs: once a 413 was answered, batches are cut at the largest body that got through (below the smallest
 * answered 413), about half the proxy's limit at worst (a batch is split in halves); never above SERVER_MAX_BODY_BYTES.
 */
export class BodyLimit {
  /** Bytes of the smallest body answered 413. */
  private tooLarge = Infinity;
  /** Bytes of the largest body accepted below `tooLarge`. */
  private fits = 0;

  passed(bytes: number): void {
    if (bytes < this.tooLarge) this.fits = Math.max(this.fits, bytes);
  }

  refused(bytes: number): void {
    if (bytes >= this.tooLarge) return;
    this.tooLarge = bytes;
    if (this.fits >= bytes) this.fits = 0;
  }

  /** Most bytes of body of a batch of several rows. */
  get maxBytes(): number {
    if (this.tooLarge === Infinity) return SERVER_MAX_BODY_BYTES;
    return Math.min(SERVER_MAX_BODY_BYTES, this.fits > 0 ? this.fits : this.tooLarge - 1);
  }
}
