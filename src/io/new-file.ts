import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `data` to a file of `dir` no other file has: `stem.ext`, else `stem-1.ext`, `stem-2.ext`... (created
 * exclusively, so two writers of the same stem, e.g. two uploads in the same millisecond, never share a file and one
 * never overwrites or removes the other's). A write that fails part-way removes its file. Returns the path written.
 */
export function writeNewFile(dir: string, stem: string, ext: string, data: Uint8Array): string {
  for (let n = 0; ; n++) {
    const path = join(dir, `${stem}${n === 0 ? '' : `-${n}`}.${ext}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    } catch (e) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw e;
    }
    closeSync(fd);
    return path;
  }
}
