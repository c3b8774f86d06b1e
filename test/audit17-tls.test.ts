import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';

/** server.tls.reloadCheckSeconds of the running server. */
const RELOAD_S = 1;

const openssl = ((): string | null => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'openssl not found: the HTTPS tests make their certificates with it';
  }
})();

/** A self-signed certificate for 127.0.0.1 (CN `cn`) and its key, made by openssl. */
function makeCert(dir: string, cn: string): { cert: string; key: string } {
  const [cert, key] = [join(dir, `${cn}.crt`), join(dir, `${cn}.key`)];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** The CN of the certificate a new TLS connection to `url` is served (not verified: only which one it is). */
function servedCn(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      resolve(String(s.getPeerCertificate().subject.CN));
      s.end();
    });
    s.once('error', reject);
  });
}

describe('audit 17: lookout serve over HTTPS (server.tls, --tls-cert/--tls-key)', { skip: openssl ?? false, timeout: 180_000 }, () => {
  let dir: string;
  let one: { cert: string; key: string };
  let two: { cert: string; key: string };
  let srv: RunningServer;
  const served = { cert: '', key: '' };
  before(async () => {
    dir = tempDir('lookout-audit17-tls-');
    one = makeCert(dir, 'lookout-one');
    two = makeCert(dir, 'lookout-two');
    [served.cert, served.key] = [join(dir, 'served.crt'), join(dir, 'served.key')];
    copyFileSync(one.cert, served.cert);
    copyFileSync(one.key, served.key);
    // From lookout.yaml, the files named relative to it (as the data dir and reference files are).
    // The files looked at every second (tls.reloadCheckSeconds; 10 s by default: the renewal test waited 22 s).
    writeFileSync(join(dir, 'lookout.yaml'), `dataDir: ./data\nserver:\n  tls:\n    certFile: served.crt\n    keyFile: served.key\n    reloadCheckSeconds: ${RELOAD_S}\n`);
    srv = await spawnServe(['--config', join(dir, 'lookout.yaml')]);
  });
  after(async () => {
    await srv?.stop();
  });

  test('it answers HTTPS with the certificate, verified against it; plain HTTP and an unknown CA get nothing', async () => {
    assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const trusting = new Agent({ connect: { ca: readFileSync(one.cert) } });
    const r = await request(`${srv.url}/v1/models`, { dispatcher: trusting });
    assert.equal(r.statusCode, 200);
    assert.deepEqual((await r.body.json() as { models: unknown[] }).models, []);
    await trusting.close();
    await assert.rejects(request(`${srv.url}/healthz`), /self[- ]signed|unable to verify/i);
    await assert.rejects(request(srv.url.replace('https:', 'http:') + '/healthz', { headersTimeout: 5_000, bodyTimeout: 5_000 }));
  });

  test('the CLI talks to it with the certificate trusted through NODE_EXTRA_CA_CERTS', async () => {
    const r = await lookoutAsync(['models', 'list', '--url', srv.url, '--json'], 30_000, { ...process.env, NODE_EXTRA_CA_CERTS: one.cert });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { models: [] });
  });

  test('a renewed certificate is served without a restart; broken files keep the one served', async () => {
    assert.equal(await servedCn(srv.url), 'lookout-one');
    copyFileSync(two.key, served.key);
    copyFileSync(two.cert, served.cert);
    // within 8 s: under the default 10 s, so the setting is what made it
    const until = Date.now() + 8_000;
    while ((await servedCn(srv.url)) !== 'lookout-two') {
      assert.ok(Date.now() < until, 'the renewed certificate was not served');
      await sleep(500);
    }
    writeFileSync(served.cert, '-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n');
    await sleep(RELOAD_S * 1000 + 3_000);
    assert.equal(await servedCn(srv.url), 'lookout-two');
    const r = await request(`${srv.url}/healthz`, { dispatcher: new Agent({ connect: { ca: readFileSync(two.cert) } }) });
    assert.equal(r.statusCode, 200);
    await r.body.dump();
  });

  test('a certificate that cannot be used stops the start (exit 2) naming the file and why, before the store is opened', async () => {
    const data = join(dir, 'never');
    for (const [args, message] of [
      [['--tls-cert', one.cert, '--tls-key', two.key], /cannot serve HTTPS: the certificate .*lookout-one\.crt and the key .*lookout-two\.key cannot be used together: .*key values mismatch/],
      [['--tls-cert', join(dir, 'missing.crt'), '--tls-key', one.key], /cannot serve HTTPS: cannot read the certificate .*missing\.crt: ENOENT/],
      [['--tls-cert', one.cert], /--tls-cert and --tls-key go together/],
    ] as const) {
      const r = await lookoutAsync(['serve', '--data-dir', data, '--port', '0', ...args], 30_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(data), false, 'nothing was made of the data dir');
  });
});
