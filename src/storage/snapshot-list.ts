import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The names snapshots are made under (snapshot-dir.ts): a UTC stamp and six hex digits. Anything else is not ours. */
export const SNAPSHOT_NAME = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
/** What an interrupted snapshot leaves (a crash or kill -9 while one was made). */
const PARTIAL = /^\.\d{8}T\d{6}Z-[0-9a-f]{6}\.partial$/;

export interface SnapshotInfo {
  name: string;
  dir: string;
  /** Apparent size of its files (hard-linked artifacts counted in full). */
  bytes: number;
  /** When it was made, from its name (epoch ms; to the second). */
  createdAt: number;
  /** When it was completed (its directory's modification time): orders snapshots made within one second. */
  completedAt: number;
}

const notFound = (e: unknown): boolean => (e as { code?: string }).code === 'ENOENT';

async function treeBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += await treeBytes(p);
    else if (e.isFile()) bytes += (await lstat(p)).size;
  }
  return bytes;
}

const createdAt = (name: string): number =>
  Date.parse(`${name.slice(0, 4)}-${name.slice(4, 6)}-${name.slice(6, 8)}T${name.slice(9, 11)}:${name.slice(11, 13)}:${name.slice(13, 15)}Z`);

/** The snapshot directories in `root`, newest first, without their sizes (entries not named as snapshots left out). */
async function snapshotDirs(root: string): Promise<Array<Omit<SnapshotInfo, 'bytes'>>> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if (notFound(e)) return [];
    throw e;
  }
  const out: Array<Omit<SnapshotInfo, 'bytes'>> = [];
  for (const e of entries) {
    if (!e.isDirectory() || !SNAPSHOT_NAME.test(e.name)) continue;
    const dir = join(root, e.name);
    out.push({ name: e.name, dir, createdAt: createdAt(e.name), completedAt: Math.round((await lstat(dir)).mtimeMs) });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || b.completedAt - a.completedAt || (a.name < b.name ? 1 : -1));
}

/** The snapshots in `root` (DATA_DIR/snapshots) with their sizes, newest first. */
export async function listSnapshots(root: string): Promise<SnapshotInfo[]> {
  const out: SnapshotInfo[] = [];
  for (const s of await snapshotDirs(root)) out.push({ name: s.name, dir: s.dir, bytes: await treeBytes(s.dir), createdAt: s.createdAt, completedAt: s.completedAt });
  return out;
}

/** Removes snapshot `name`; false when there is none of that name. */
export async function deleteSnapshot(root: string, name: string): Promise<boolean> {
  if (!SNAPSHOT_NAME.test(name)) return false;
  const dir = join(root, name);
  try {
    if (!(await lstat(dir)).isDirectory()) return false;
  } catch (e) {
    if (notFound(e)) return false;
    throw e;
  }
  await rm(dir, { recursive: true, force: true });
  return true;
}

/**
 * Removes all but the `keep` newest snapshots, `current` (the one just made) always among those kept; returns the
 * names removed (oldest last).
 */
export async function pruneSnapshots(root: string, keep: number, current: string): Promise<string[]> {
  const others = (await snapshotDirs(root)).filter((s) => s.name !== current); // no sizes: not needed to choose
  const old = others.slice(Math.max(0, keep - 1));
  for (const s of old) await rm(s.dir, { recursive: true, force: true });
  return old.map((s) => s.name);
}

/** Removes what interrupted snapshots left in `root` (only while no snapshot is being made). */
export async function removePartials(root: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (e) {
    if (notFound(e)) return;
    throw e;
  }
  for (const n of names) if (PARTIAL.test(n)) await rm(join(root, n), { recursive: true, force: true });
}
