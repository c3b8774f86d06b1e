/**
 * An optional second reference proxy for bench:gateway: nginx (Debian's `nginx-light` or `nginx`; BENCH_NGINX names
 * the binary, default `nginx` on PATH; BENCH_NGINX=off skips it), one worker, keep-alive to the upstream, no
 * access log, no buffering. It says what one proxy hop costs on this machine when the proxy is not Node at all: if
 * nginx alone adds more than the p99 target, no proxy meets that target here, whatever it is written in. Started in
 * its own prefix directory under the bench's data directory; stopped with the other children.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';

export interface NginxProxy {
  child: ChildProcess;
  /** Where to send the requests the upstream should answer (its path is mapped to the upstream's). */
  url: string;
  version: string;
}

/** A port free on 127.0.0.1 now (closed again at once: nginx binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The nginx binary and its version line, or null when there is none (or BENCH_NGINX=off). */
function findNginx(): { bin: string; version: string } | null {
  const bin = process.env['BENCH_NGINX'] ?? 'nginx';
  if (bin === 'off') return null;
  const v = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return null;
  return { bin, version: (v.stderr || v.stdout).trim().replace(/^nginx version:\s*/, '') };
}

/** Starts nginx in front of `upstreamUrl` (an http URL with the upstream's path); null when nginx is not installed. */
export async function startNginx(upstreamUrl: string, dir: string): Promise<NginxProxy | null> {
  const found = findNginx();
  if (found === null) return null;
  const up = new URL(upstreamUrl);
  const port = await freePort();
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join('\n  ');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp}
  upstream model { server ${up.host}; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port} reuseport;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://model${up.pathname};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`);
  const child = spawn(found.bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await request(url, { method: 'POST', body: '{"features":{}}', headers: { 'content-type': 'application/json' } });
      await res.body.text();
      if (res.statusCode === 200) return { child, url, version: found.version };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not answer on ${url} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
