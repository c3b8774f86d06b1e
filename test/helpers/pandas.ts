import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a Python program with /usr/bin/python3 (pandas, the reference of the offline tests) and parses the JSON it prints. */
export function python(program: string, ...args: string[]): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', program, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Whether pandas is installed, found without importing it: CI time (2026-12-07), an import of pandas (~0.6 CPU-s) when
// this module loads, in every file using it. One installed but broken fails the tests that run it instead of skipping them.
const pandasAvailable = spawnSync('/usr/bin/python3', ['-c', 'import importlib.util, sys; sys.exit(importlib.util.find_spec("pandas") is None)'], { encoding: 'utf8' }).status === 0;
/** A describe's `skip`: false, or why the tests cannot run here. */
export const noPandas: false | string = pandasAvailable ? false : 'needs /usr/bin/python3 with pandas';

/** Writes files into `dir`: `file(name, content)` answers the path. */
export function fileWriter(dir: string): (name: string, content: string | Buffer) => string {
  return (name, content) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
}
