import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../storage/registry.js';

export const SHA256 = /^[0-9a-f]{64}$/;

/** The reference of bytes kept in the artifact store (always hashed). */
export type StoredArtifact = ArtifactRef & { sha256: string };

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
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    return true;
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

  async size(sha256: string): Promise<number | null> {
    const p = this.path(sha256);
    return existsSync(p) ? (await stat(p)).size : null;
  }
}
