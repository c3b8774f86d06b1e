import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../storage/registry.js';
import { BatchedWriter } from './batched-writer.js';

export const SHA256 = /^[0-9a-f]{64}$/;

/** An upload passed the store's size limit (its temporary file is deleted). */
export class ArtifactTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the artifact is larger than the limit of ${maxBytes} bytes`);
    this.name = 'ArtifactTooLargeError';
  }
}

/** The reference of bytes kept in the artifact store (always hashed). */
export type StoredArtifact = ArtifactRef & { sha256: string };

/** Bytes received into a temporary file of the store, hashed: `commit` moves them into place, `discard` deletes them. */
export interface ReceivedArtifact {
  ref: StoredArtifact;
  /** Moves the bytes to their address (fsynced rename); false when they were stored already (the temporary file is deleted). */
  commit(): Promise<boolean>;
  /** Deletes the temporary file (nothing once committed). */
  discard(): Promise<void>;
}

/** The content address of some bytes (nothing is written). */
export function artifactRef(bytes: Uint8Array): StoredArtifact {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { sha256, size: bytes.length, uri: `artifact:${sha256}` };
}

/**
 * Content-addressed, immutable model artifacts: DATA_DIR/artifacts/<sha256>. A write goes to a temporary
 * file that is fsynced and renamed into place (then the directory is fsynced), so a reader never sees a
 * partial file; writing bytes that are already stored is a no-op.
 */
export class ArtifactStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'artifacts');
  }

  path(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256.slice(0, 80)}`);
    return join(this.dir, sha256);
  }

  /** Stores the bytes at `ref` (their artifactRef); false when they were stored already (nothing written). */
  async put(bytes: Uint8Array, ref: StoredArtifact = artifactRef(bytes)): Promise<boolean> {
    const { sha256 } = ref;
    const final = this.path(sha256);
    if (existsSync(final)) return false;
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${sha256.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    try {
      const fh = await open(tmp, 'wx', 0o444);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await this.syncDir();
    return true;
  }

  /**
   * Streams bytes (a request body) into a temporary file, hashing them on the way: a model file of any size is never held
   * in memory. A source that fails or ends early (a dropped connection) leaves no file behind.
   */
  async receive(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes = Infinity): Promise<ReceivedArtifact> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    // iterated by hand: past the limit, the source (a request) is left unread, not destroyed, so the refusal can be answered
    const it: AsyncIterator<Uint8Array> | Iterator<Uint8Array> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    try {
      const fh = await open(tmp, 'wx', 0o444);
      try {
        const writer = new BatchedWriter(fh);
        try {
          for (let r = await it.next(); r.done !== true; r = await it.next()) {
            const chunk = r.value;
            if (size + chunk.length > maxBytes) throw new ArtifactTooLargeError(maxBytes);
            hash.update(chunk);
            size += chunk.length;
            await writer.add(chunk);
          }
          await writer.end();
        } finally {
          await writer.settled();
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    const sha256 = hash.digest('hex');
    let pending = true;
    return {
      ref: { sha256, size, uri: `artifact:${sha256}` },
      commit: async () => {
        pending = false;
        const final = this.path(sha256);
        if (existsSync(final)) {
          await rm(tmp, { force: true });
          return false;
        }
        await rename(tmp, final);
        await this.syncDir();
        return true;
      },
      discard: async () => {
        if (pending) await rm(tmp, { force: true });
        pending = false;
      },
    };
  }

  private async syncDir(): Promise<void> {
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /**
   * Deletes the temporary files of uploads that a crash (kill -9, power loss) cut off: nothing refers to them, and as an
   * upload may be as large as registry.maxArtifactMb (10 GiB by default), each may hold gigabytes. Run at start; files written to in the last `minAgeMs` are left
   * (an upload another process on the same directory may be receiving). Returns how many were deleted.
   */
  async sweep(now: number, minAgeMs = 10 * 60_000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    let n = 0;
    for (const name of names.filter((x) => x.startsWith('.tmp-'))) {
      const path = join(this.dir, name);
      const st = await stat(path).catch(() => null);
      if (st === null || now - st.mtimeMs < minAgeMs) continue;
      await rm(path, { force: true });
      n++;
    }
    return n;
  }

  /** Deletes stored bytes (the caller has checked that no version refers to them). */
  async remove(sha256: string): Promise<void> {
    await rm(this.path(sha256), { force: true });
  }

  /** The stored bytes, checked against their address (a corrupted file is an error, never served). */
  async get(sha256: string): Promise<Buffer | null> {
    const p = this.path(sha256);
    if (!existsSync(p)) return null;
    const bytes = await readFile(p);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error(`artifact ${sha256} is corrupted on disk (content hashes to ${actual})`);
    return bytes;
  }

  /**
   * The stored bytes as a stream with their size, once the file was checked against its address (read through once,
   * without holding it in memory): a corrupted file is an error, never served.
   */
  async open(sha256: string): Promise<{ stream: ReadStream; size: number } | null> {
    const p = this.path(sha256);
    if (!existsSync(p)) return null;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== sha256) throw new Error(`artifact ${sha256} is corrupted on disk (content hashes to ${actual})`);
    return { stream: createReadStream(p), size: (await stat(p)).size };
  }

  async size(sha256: string): Promise<number | null> {
    const p = this.path(sha256);
    return existsSync(p) ? (await stat(p)).size : null;
  }
}
