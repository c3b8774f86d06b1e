import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface RunningServer {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `lookout serve ARGS` as a real process and waits for "listening on URL" (or fails with its output). */
export function spawnServe(args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  // LOOKOUT_TEST_SERVER_NODE_ARGS: extra node flags for the server process (e.g. "--cpu-prof --cpu-prof-dir=DIR" to see where its time goes).
  const nodeArgs = (process.env['LOOKOUT_TEST_SERVER_NODE_ARGS'] ?? '').split(' ').filter((x) => x !== '');
  const proc = spawn(process.execPath, [...nodeArgs, join(process.cwd(), 'bin', 'lookout.js'), 'serve', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    const onData = (): void => {
      const m = /listening on (https?:\/\/[^\s]+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      proc.stderr?.off('data', onData);
      resolve({
        proc, url: m[1] as string, stderr: () => err,
        stop: async (signal = 'SIGTERM') => {
          proc.kill(signal);
          return exited;
        },
      });
    };
    proc.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${err}`));
    });
  });
}
