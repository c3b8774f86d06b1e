import { spawn } from 'node:child_process';
import type { NotifierFactory } from '../types.js';

/**
 * Runs argv with `input` on stdin; resolves on exit 0, else rejects with the exit status and stderr. After
 * `timeoutMs`, or when `stop` aborts (the server is stopping), the command and whatever it started (its process group)
 * are killed and the run fails at once, even when the command ignores SIGTERM or a child of it still holds stderr open.
 */
export function runCommand(argv: readonly string[], input: string, env: Record<string, string>, timeoutMs: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (stop?.aborted === true) {
      reject(new Error(`command ${cmd} not run: the server is stopping`));
      return;
    }
    const child = spawn(cmd as string, args, { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ...env }, detached: process.platform !== 'win32' });
    let err = '';
    let done = false;
    const settle = (e?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop?.removeEventListener('abort', cut);
      if (e) reject(e);
      else resolve();
    };
    const kill = (why: string): void => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stderr.destroy();
      settle(new Error(`command ${cmd} ${why} (killed): ${err.trim().slice(0, 300)}`));
    };
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    const cut = (): void => kill('cut short: the server is stopping');
    stop?.addEventListener('abort', cut, { once: true });
    child.stderr.on('data', (d: Buffer) => { if (err.length < 2000) err += d.toString(); });
    child.on('error', (e) => settle(e));
    child.on('close', (code, signal) => settle(code === 0 ? undefined : new Error(`command ${cmd} exited with ${code ?? signal}: ${err.trim().slice(0, 300)}`)));
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
  return (p, timeoutMs, signal) => runCommand(argv, JSON.stringify(p), {
    LOOKOUT_GROUP: p.groupKey, LOOKOUT_STATUS: p.status, LOOKOUT_ALERTS: String(p.alerts.length),
  }, timeoutMs, signal);
};
