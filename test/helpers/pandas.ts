import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a Python program with /usr/bin/python3 (pandas, the reference of the offline tests) and parses the JSON it prints. */
export function python(program: string, ...args: string[]): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', program, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const pandasAvailable = spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0;
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
