import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type CliResult, lookoutAsync, tempDir } from './helpers/cli.js';

/*
 * Audit 27 (config): an error about a value of lookout.yaml named its key path (`monitors[1] (id "b"):
 * levels[0].threshold must be a number`) but not where the file holds it: in a file of many models and monitors the
 * operator had to count list items by hand. The message now ends with the line of the deepest part of the path the
 * file holds (` (line N)`), still one line on stderr and exit code 2.
 */
const KEY = 'a'.repeat(64);
const CONFIG = `server:
  port: 0
auth:
  keys:
    - { name: ci, sha256: "${KEY}", scopes: [ingest] }
    - name: reader
      sha256: "${'b'.repeat(64)}"
      scopes: [reed]
models:
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { age: { type: number } } }
monitors:
  - id: a
    model: churn
    metric: drift:age
    window: 1h
    levels: [{ severity: warning, threshold: 0.1 }]
  - id: b
    model: churn
    metric: drift:age
    window: 1 hour
    levels: [{ severity: warning, threshold: 0.1 }]
`;

async function start(body: string): Promise<CliResult> {
  const dir = tempDir('lookout-audit27-config-');
  const path = join(dir, 'lookout.yaml');
  writeFileSync(path, body);
  return lookoutAsync(['serve', '--config', path, '--data-dir', join(dir, 'data')]);
}

describe('audit 27: a config error names the line of lookout.yaml it is about', () => {
  test('a schema error (a scope mistyped) names its line', async () => {
    const r = await start(CONFIG);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config .*lookout\.yaml: auth\.keys\[1\]\.scopes\[0\] must be one of ingest, read, admin \(got "reed"; did you mean "read"\?\) \(line 8\)\n/);
  });

  test('an entry the server refuses names the line of its value', async () => {
    const r = await start(CONFIG.replace('scopes: [reed]', 'scopes: [read]'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config .*lookout\.yaml: monitors\[1\] \(id "b"\): window must be a duration .* \(line 23\)\n/);
  });

  test('an unknown key names its own line', async () => {
    const r = await start(CONFIG.replace('  port: 0', '  port: 0\n  prot: 1'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /server\.prot is unknown .* \(line 3\)\n/);
  });
});
