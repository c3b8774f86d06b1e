import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one write: a request body arrives in chunks of 16-64 KiB. */
export const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Writes a stream's chunks to a file in batches of WRITE_BATCH_BYTES, one batch on the disk while the next is gathered.
 * An upload awaited each chunk's write before reading the next one: a 512 MiB artifact took ~5 s over loopback (about
 * 100 MB/s, the two processes each half idle, waiting for the other). At most two batches are held (8 MiB).
 * A failed write is reported by the next add(), end() or settled(); settled() never throws (for `finally`).
 */
export class BatchedWriter {
  private batch: Uint8Array[] = [];
  private bytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(private readonly fh: FileHandle, private readonly batchBytes = WRITE_BATCH_BYTES) {}

  /** Takes a chunk; once a batch is full, waits for the previous batch's write (not this one's) and starts it. */
  async add(chunk: Uint8Array): Promise<void> {
    this.check();
    this.batch.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= this.batchBytes) await this.flush();
  }

  /** Writes what is gathered and waits for every write: the file holds every byte added. */
  async end(): Promise<void> {
    await this.flush();
    await this.inFlight;
    this.check();
  }

  /** Waits for the write in flight, whatever its outcome. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  private async flush(): Promise<void> {
    await this.inFlight;
    this.check();
    if (this.batch.length === 0) return;
    const buffers = this.batch;
    this.batch = [];
    this.bytes = 0;
    // never left rejected unobserved: a failure is kept and thrown by the next call
    this.inFlight = writeAll(this.fh, buffers).then(() => undefined, (error: unknown) => {
      this.failure = { error };
    });
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** What writeAll needs of a FileHandle. */
export interface VectorWriter {
  writev(buffers: Uint8Array[]): Promise<{ bytesWritten: number }>;
}

/**
 * Writes every byte of `buffers`. A writev that the disk cuts short (space for part of it) resolves with fewer bytes
 * written and no error (libuv stops at the first failed write after a partial one): the rest is written again, which
 * then fails with the disk's error (ENOSPC), never leaving a short file taken for a whole one.
 */
export async function writeAll(fh: VectorWriter, buffers: readonly Uint8Array[]): Promise<void> {
  let rest = [...buffers];
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest);
    if (bytesWritten <= 0) throw new Error('a write made no progress');
    rest = after(rest, bytesWritten);
  }
}

/** The buffers' bytes after the first n. */
function after(buffers: readonly Uint8Array[], n: number): Uint8Array[] {
  let skip = n;
  let i = 0;
  while (i < buffers.length && skip >= (buffers[i]?.length ?? 0)) skip -= buffers[i++]?.length ?? 0;
  const rest = buffers.slice(i);
  const first = rest[0];
  if (first !== undefined && skip > 0) rest[0] = first.subarray(skip);
  return rest;
}
