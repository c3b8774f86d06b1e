import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const codeOf = (e: unknown): string | undefined => (e as { code?: unknown } | null)?.code as string | undefined;

/** Why makeDirs could not make a directory: `path` is the component that failed (the file in the way, the directory it could not create). */
export class MakeDirError extends Error {
  constructor(readonly code: string, readonly path: string, readonly step: 'create' | 'not-directory', cause?: unknown) {
    super(step === 'not-directory' ? `${path} is not a directory` : `cannot create ${path} (${code})`, cause === undefined ? undefined : { cause });
    this.name = 'MakeDirError';
  }
}

/**
 * `mkdir -p`: creates `dir` and its missing parents, one at a time from the deepest existing one. Not Node's
 * mkdirSync({recursive: true}), which spins for ever at full CPU when the file system answers ENOENT for a directory
 * whose parent exists (a path under /proc), and whose errors do not say which component failed.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      const code = codeOf(e);
      const up = dirname(p);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || up === p) throw e;
      missing.push(p);
      p = up;
      continue;
    }
    if (!isDir) throw new MakeDirError('ENOTDIR', p, 'not-directory');
    break;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if (codeOf(e) === 'EEXIST' && statSync(m, { throwIfNoEntry: false })?.isDirectory()) continue; // made meanwhile
      throw new MakeDirError(codeOf(e) ?? 'error', m, 'create', e);
    }
  }
}
