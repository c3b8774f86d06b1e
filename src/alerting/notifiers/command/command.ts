import { spawn } from 'node:child_process';
import type { NotifierFactory } from '../types.js';

/** Runs argv with `input` on stdin; resolves on exit 0, else rejects with the exit status and stderr. */
export function runCommand(argv: readonly string[], input: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd as string, args, { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ...env }, timeout: timeoutMs });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { if (err.length < 2000) err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`command ${cmd} exited with ${code ?? signal}: ${err.trim().slice(0, 300)}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

export function requireArgv(config: Record<string, unknown>, key = 'command'): string[] {
  const c = config[key];
  if (!Array.isArray(c) || c.length === 0 || !c.every((x) => typeof x === 'string')) throw new Error(`"${key}" must be a non-empty list of strings (argv, no shell)`);
  return c as string[];
}

/** Command hook: argv (no shell) with the payload JSON on stdin and LOOKOUT_* variables in the environment. */
export const commandNotifier: NotifierFactory = (config) => {
  const argv = requireArgv(config);
  return (p, timeoutMs) => runCommand(argv, JSON.stringify(p), {
    LOOKOUT_GROUP: p.groupKey, LOOKOUT_STATUS: p.status, LOOKOUT_ALERTS: String(p.alerts.length),
  }, timeoutMs);
};
