/* global process, URL, fetch, setTimeout, clearTimeout */
// The real servers of the fuzz scripts (server-parity.mjs, drift-parity.mjs, metrics-parity.mjs): `serve(args)` spawns
// the built CLI (bin/lookout.js, after `npx tsc -p .`) as `lookout serve --port 0 --quiet ...args` and resolves once it
// prints "listening on URL" with { url, stderr(): all it wrote to stderr, stop(signal = 'SIGTERM'): its exit code };
// it rejects when the server exits first, or does not listen within timeoutMs (then it is killed). `request` sends one
// HTTP request and reads the answer's JSON (a body that is no JSON as { raw: text }).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

export function serve(args, timeoutMs = 60_000) {
  const proc = spawn(process.execPath, [join(root, 'bin', 'lookout.js'), 'serve', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start:\n${err}`)); }, timeoutMs);
    proc.stderr.on('data', (d) => {
      err += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stderr: () => err, stop: async (signal = 'SIGTERM') => { proc.kill(signal); return exited; } });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${err}`)); });
  });
}

/** `body`: a string sent as it is (with content-type `type`), else sent as JSON. */
export async function request(base, method, path, body, type) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] = type ?? 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = { raw: text }; }
  return { status: res.status, body: json };
}
