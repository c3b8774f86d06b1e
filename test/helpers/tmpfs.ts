import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

/** A tmpfs of `size` mounted on a fresh directory (named from `prefix`), or the reason it cannot be (the test is skipped then). */
export function mountTmpfs(size: string, prefix: string): { dir: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'not root: cannot mount a tmpfs to fill (run as root to test a full disk)' };
  const dir = tempDir(prefix);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) return { skip: `mount -t tmpfs is not permitted here (${(r.stderr || String(r.error)).trim()})` };
  return { dir };
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Fills the file system of `dir` with `name` until ENOSPC, leaving `leaveKb` KiB free (dd stops at a full disk). */
export function fill(dir: string, name: string, leaveKb = 0): void {
  const free = Number(spawnSync('df', ['-k', '--output=avail', dir], { encoding: 'utf8' }).stdout.trim().split('\n')[1]);
  spawnSync('dd', ['if=/dev/zero', `of=${join(dir, name)}`, 'bs=1k', ...(leaveKb > 0 ? [`count=${Math.max(0, free - leaveKb)}`] : [])]);
}
