import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/* Test support for the kill -9 tests of the DuckDB store (duckdb.test.ts, summary-files.test.ts). */

/**
 * Spawns the committing child, SIGKILLs it once it acknowledged `acks` commits, returns the acked batch numbers. With
 * `read`, the child also reads each window it wrote (crash-child.ts).
 */
export function runAndKill(file: string, perBatch: number, acks: number, read = false): Promise<number[]> {
  const script = fileURLToPath(new URL('./crash-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, file, String(perBatch), ...(read ? ['read'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) acked.push(Number(l));
      if (acked.length >= acks && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited early (code ${code}): ${stderr}`));
    });
  });
}
