import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `lookout` binary (bin/lookout.js over the compiled dist/) in a child process. */
export function lookout(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'lookout-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a CSV file from columns; null/undefined become empty fields. Numbers use JS shortest round-trip form. */
export function writeCsv(path: string, columns: Record<string, ArrayLike<number | string | null | undefined>>): void {
  const names = Object.keys(columns);
  const n = Math.max(...names.map((k) => columns[k]?.length ?? 0));
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) {
    lines.push(names.map((k) => {
      const v = columns[k]?.[i];
      return v === null || v === undefined ? '' : String(v);
    }).join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Like lookout() but without blocking the event loop (for talking to a server running in this process). */
export async function lookoutAsync(args: string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL', env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
