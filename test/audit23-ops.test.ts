import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hashKey } from '../src/http/auth.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';

/** lookout.yaml in a fresh dir holding `body`. */
function configFile(body: string): string {
  const path = join(tempDir('lookout-audit23-ops-'), 'lookout.yaml');
  writeFileSync(path, body);
  return path;
}

/** `lookout serve --config` of `body` on any free port: these configs must stop the start (exit 2) before it listens. */
async function refused(body: string): Promise<string> {
  const r = await lookoutAsync(['serve', '--config', configFile(body), '--port', '0'], 20_000);
  assert.equal(r.code, 2, `exit 2 expected for\n${body}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /listening on/);
  return r.stderr;
}

describe('audit 23 (ops): lookout.yaml mistakes an operator makes are said at start', () => {
  test('one key declared twice under two names (a line copied, its name edited, its hash not): refused, naming both', async () => {
    // Until audit 23 the first entry won: the key carried read only, and its admin requests were answered 403.
    const sha = hashKey('lk_the-same-key');
    const stderr = await refused(`auth:\n  keys:\n    - { name: ci, sha256: "${sha}", scopes: [read] }\n    - { name: deploy, sha256: "${sha.toUpperCase()}", scopes: [admin] }\n`);
    assert.match(stderr, /invalid config .*lookout\.yaml: auth\.keys\[1\]\.sha256 \(key "deploy"\) is the hash of the same key as auth\.keys\[0\] \(key "ci"\)/);
    assert.doesNotMatch(stderr, new RegExp(sha, 'i'), 'the hash is not printed');
  });

  test('auth.keys present but empty: refused (the README: "when present, every API endpoint but /healthz needs a key"); it served every endpoint to anyone', async () => {
    const stderr = await refused('auth:\n  keys: []\n');
    assert.match(stderr, /invalid config .*lookout\.yaml: auth\.keys is empty/);
    assert.match(stderr, /lookout keys create/);
  });

  test('a key without a name: refused by the config and by lookout keys create', async () => {
    const stderr = await refused(`auth:\n  keys:\n    - { name: "", sha256: "${hashKey('k')}", scopes: [read] }\n`);
    assert.match(stderr, /auth\.keys\[0\]\.name must NOT have fewer than 1 characters|auth\.keys\[0\]\.name must be a name/);
    const cli = await lookoutAsync(['keys', 'create', '--name', ' ', '--scopes', 'read'], 15_000);
    assert.equal(cli.code, 2, cli.stdout);
    assert.doesNotMatch(cli.stdout, /key: lk_/);
  });

  test('${VAR} unquoted in a flow mapping (the pitfall the README warns of): the YAML error says where and what to do', async () => {
    // Until audit 23: "cannot read config lookout.yaml: Unexpected flow-map-start at node end at line 1, column 35:"
    // (the message cut before the line it announced, and no word of quoting).
    const stderr = await refused('server: { host: 127.0.0.1, port: ${PORT} }\n');
    assert.match(stderr, /cannot read config .*lookout\.yaml: Unexpected flow-map-start at node end at line 1, column 35 \(server: \{ host: 127\.0\.0\.1, port: \$\{PORT\} \}\)/);
    assert.match(stderr, /quote a \$\{NAME\} reference inside \{ \.\.\. \} or \[ \.\.\. \]: port: "\$\{PORT\}"/);
    // in a flow sequence too
    const seq = await refused(`auth:\n  keys:\n    - name: ci\n      sha256: "${'a'.repeat(64)}"\n      scopes: [\${SCOPE}]\n`);
    assert.match(seq, /at line 5, column 17 \(scopes: \[\$\{SCOPE\}\]\); quote a \$\{NAME\} reference inside \{ \.\.\. \} or \[ \.\.\. \]: "\$\{SCOPE\}"/);
    // any other YAML error keeps its line, without a dangling colon
    const dup = await refused('retention:\n  eventsDays: 90\nretention:\n  alertsDays: 3\n');
    assert.match(dup, /cannot read config .*lookout\.yaml: Map keys must be unique at line 3, column 1 \(retention:\)\n?$/);
  });
});

describe('audit 23 (ops): server.requestTimeoutSeconds', () => {
  test('a request whose headers stall is answered 408 naming the setting, as one whose body stalls is', async () => {
    const s = await spawnServe(['--config', configFile('server:\n  requestTimeoutSeconds: 1\n'), '--data-dir', tempDir('lookout-audit23-ops-data-')]);
    try {
      const { hostname, port } = new URL(s.url);
      const answer = (bytes: string): Promise<string> => new Promise((resolve) => {
        const socket = connect(Number(port), hostname, () => socket.write(bytes));
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('close', () => resolve(got));
      });
      // until audit 23: "the request was not received in time", naming neither what stalled nor the setting
      const headers = await answer('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      assert.match(headers, /^HTTP\/1\.1 408 /);
      assert.match(headers, /"message":"the request was not received in time: its headers did not arrive within 1 s \(server\.requestTimeoutSeconds\)"/);
      const body = await answer('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"events":[');
      assert.match(body, /"message":"the request was not received in time: the body did not arrive within 1 s \(server\.requestTimeoutSeconds\)"/);
    } finally {
      await s.stop();
    }
  });
});
