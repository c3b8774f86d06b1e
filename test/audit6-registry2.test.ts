import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';

type Json = Record<string, unknown>;
const MiB = 1024 * 1024;

describe('audit 6b: register --artifact over the server\'s artifact limit', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 1 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });

  test('audit 6b: versions register --artifact of a 2 MiB file on a 1 MiB server is refused before registering: no version left without its artifact', async () => {
    const dir = tempDir('lookout-audit6b-limit-');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(2 * MiB, 7));
    const r = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--artifact', big, '--tags', 'gbm']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`the artifact \\(${2 * MiB} bytes\\) is larger than this server's limit of 1 MiB \\(${MiB} bytes`));
    assert.match(r.stderr, /nothing was registered/);
    const v = await call(server.url, 'GET', '/v1/models/churn/versions/1.5.0');
    assert.equal(v.status, 404, JSON.stringify(v.body));
    // the limit is readable by any client
    const lim = await call(server.url, 'GET', '/v1/registry/limits');
    assert.deepStrictEqual([lim.status, lim.body], [200, { maxArtifactBytes: MiB }]);
    // a file within the limit is registered and uploaded as before
    const small = join(dir, 'small.bin');
    writeFileSync(small, Buffer.alloc(MiB, 8));
    const ok = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--artifact', small, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(((JSON.parse(ok.stdout) as Json)['version'] as { artifact: { size: number } }).artifact.size, MiB);
  });

  test('audit 6b: with no limit (maxArtifactMb 0) GET /v1/registry/limits answers maxArtifactBytes null', async () => {
    const s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 0 }; } });
    try {
      const lim = await call(s.url, 'GET', '/v1/registry/limits');
      assert.deepStrictEqual([lim.status, lim.body], [200, { maxArtifactBytes: null }]);
    } finally {
      await s.close();
    }
  });
});

describe('audit 6b: registering an existing version again', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });
  const first = { lineage: { gitCommit: 'abc' }, tags: ['gbm'], notes: 'june data', upstream: 'http://127.0.0.1:9/v1' };
  const stored = async (): Promise<Json> => (await call(server.url, 'GET', '/v1/models/churn/versions/2.0.0')).body['version'] as Json;

  test('audit 6b: the same register again is 200 created:false; other tags, notes, upstream or lineage are a 409 naming the fields, nothing changed', async () => {
    assert.equal((await call(server.url, 'PUT', '/v1/models/churn/versions/2.0.0', first)).status, 201);
    const before = await stored();
    const same = await call(server.url, 'PUT', '/v1/models/churn/versions/2.0.0', first);
    assert.deepStrictEqual([same.status, same.body['created']], [200, false]);
    // fields left out are not restated: still the same registration
    const partial = await call(server.url, 'PUT', '/v1/models/churn/versions/2.0.0', { lineage: first.lineage });
    assert.deepStrictEqual([partial.status, partial.body['created']], [200, false]);
    for (const [change, fields] of [
      [{ upstream: 'http://127.0.0.1:10/v2' }, ['upstream']],
      [{ tags: ['gbm', 'prod'], notes: 'july data' }, ['tags', 'notes']],
      [{ lineage: { gitCommit: 'def' } }, ['lineage']],
    ] as const) {
      const r = await call(server.url, 'PUT', '/v1/models/churn/versions/2.0.0', { ...first, ...change });
      assert.equal(r.status, 409, JSON.stringify(r.body));
      const err = r.body['error'] as { code: string; message: string; details: { differs: string[] } };
      assert.equal(err.code, 'conflict');
      assert.deepStrictEqual(err.details.differs, fields);
      for (const f of fields) assert.match(err.message, new RegExp(`\\b${f}\\b`));
      if (!fields.includes('lineage' as never)) assert.match(err.message, /PATCH \/v1\/models\/churn\/versions\/2\.0\.0|lookout versions update/);
    }
    assert.deepStrictEqual(await stored(), before);
  });

  test('audit 6b: the CLI re-run with a new --upstream exits 2 naming upstream (not "unchanged"); versions update changes it and clears notes with --notes \'\'', async () => {
    const u = ['--url', server.url];
    const rerun = await lookoutAsync(['versions', 'register', 'churn', '2.0.0', ...u, '--git-commit', 'abc', '--upstream', 'http://127.0.0.1:11/v3']);
    assert.equal(rerun.code, 2, rerun.stdout);
    assert.doesNotMatch(rerun.stdout, /unchanged/);
    assert.match(rerun.stderr, /upstream/);
    const upd = await lookoutAsync(['versions', 'update', 'churn', '2.0.0', ...u, '--upstream', 'http://127.0.0.1:11/v3', '--notes', '', '--json']);
    assert.equal(upd.code, 0, upd.stderr);
    const v = await stored();
    assert.equal(v['upstream'], 'http://127.0.0.1:11/v3');
    assert.equal('notes' in v, false, JSON.stringify(v));
    const raw = await call(server.url, 'PATCH', '/v1/models/churn/versions/2.0.0', { notes: '' });
    assert.equal(raw.status, 200);
    assert.equal((raw.body['version'] as Json)['notes'], null);
    // an update that names nothing to change is refused, not 'updated'
    const none = await lookoutAsync(['versions', 'update', 'churn', '2.0.0', ...u]);
    assert.deepStrictEqual([none.code, none.stdout], [2, ''], none.stdout);
    assert.match(none.stderr, /nothing to change: give --tags, --notes or --upstream/);
    // the same register as the version now stands is idempotent
    const again = await lookoutAsync(['versions', 'register', 'churn', '2.0.0', ...u, '--git-commit', 'abc', '--upstream', 'http://127.0.0.1:11/v3', '--tags', 'gbm']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already registered \(unchanged\)/);
  });
});

describe('audit 6b: versions register option combinations', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });

  test('audit 6b: --artifact with --artifact-uri, or --artifact-sha256 without --artifact-uri, is refused before registering (exit 2), nothing registered', async () => {
    const file = join(tempDir('lookout-audit6b-opts-'), 'model.bin');
    writeFileSync(file, Buffer.from('model bytes'));
    const cases: Array<[string, string[], RegExp]> = [
      ['3.0.0', ['--artifact', file, '--artifact-uri', 's3://models/churn/3.0.0.tgz'], /--artifact .*--artifact-uri|not both/],
      ['3.1.0', ['--artifact-sha256', 'a'.repeat(64)], /--artifact-sha256 .*--artifact-uri/],
    ];
    for (const [version, opts, message] of cases) {
      const r = await lookoutAsync(['versions', 'register', 'churn', version, '--url', server.url, ...opts]);
      assert.equal(r.code, 2, `${version}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal((await call(server.url, 'GET', `/v1/models/churn/versions/${version}`)).status, 404, `${version} was registered`);
    }
    // with its URI, the digest is recorded
    const ok = await lookoutAsync(['versions', 'register', 'churn', '3.1.0', '--url', server.url, '--artifact-uri', 's3://m/3.1.0.tgz', '--artifact-sha256', 'a'.repeat(64), '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepStrictEqual(((JSON.parse(ok.stdout) as Json)['version'] as Json)['artifact'], { uri: 's3://m/3.1.0.tgz', sha256: 'a'.repeat(64), size: null });
  });
});

/** Display columns of each line's last field's start, as python's wcwidth counts them (CJK 2 columns, combining marks 0). */
function lastFieldColumns(text: string): number[] {
  const py = 'import sys, json, wcwidth\nlines = [l for l in sys.stdin.read().split("\\n") if l.strip()]\nprint(json.dumps([wcwidth.wcswidth(l[:l.rstrip().rfind(" ") + 1]) for l in lines]))';
  const r = spawnSync('python3', ['-c', py], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[];
}

describe('audit 6b: CLI tables with wide and combining characters', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });

  test('audit 6b: versions list with tags "模型" and "cafe\u0301" keeps its columns aligned on a terminal (widths as wcwidth\'s)', async () => {
    assert.equal((await call(server.url, 'PUT', '/v1/models/churn/versions/1.1.0', { tags: ['模型', 'cafe\u0301'] })).status, 201);
    assert.equal((await call(server.url, 'PUT', '/v1/models/churn/versions/1.2.0', { tags: ['plain'] })).status, 201);
    const r = await lookoutAsync(['versions', 'list', 'churn', '--url', server.url]);
    assert.equal(r.code, 0, r.stderr);
    const cols = lastFieldColumns(r.stdout);
    assert.equal(cols.length, 5, r.stdout); // header, rule, three versions
    assert.deepStrictEqual(cols.slice(2), [cols[0], cols[0], cols[0]], r.stdout);
  });
});

describe('audit 6b: models set-alias onto the version the alias already points to', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }, { version: '1.1.0' }], '1.0.0');
  });
  after(async () => {
    await server.close();
  });

  test('audit 6b: set-alias production 1.0.0 when it is already there says nothing changed (not "1.0.0 -> 1.0.0"), and nothing is recorded', async () => {
    const r = await lookoutAsync(['models', 'set-alias', 'churn', 'production', '1.0.0', '--reason', 'again', '--url', server.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'churn production: already 1.0.0 (nothing changed, nothing recorded)\n');
    const moved = await lookoutAsync(['models', 'set-alias', 'churn', 'production', '1.1.0', '--reason', 'up', '--url', server.url]);
    assert.equal(moved.stdout, 'churn production: 1.0.0 -> 1.1.0\n');
    const h = await call(server.url, 'GET', '/v1/models/churn/deployments');
    assert.deepStrictEqual((h.body['deployments'] as Array<{ reason: string }>).map((d) => d.reason), ['initial deployment', 'up']);
  });
});

describe('audit 6b: register --artifact for a version registered without one', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });

  test('audit 6b: re-running register with --artifact attaches it and says so (not "already registered (unchanged)")', async () => {
    const file = join(tempDir('lookout-audit6b-attach-'), 'model.bin');
    writeFileSync(file, Buffer.from('model bytes, attached later'));
    const r = await lookoutAsync(['versions', 'register', 'churn', '1.0.0', '--url', server.url, '--git-commit', 'c-1.0.0', '--artifact', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /unchanged/);
    assert.match(r.stdout, /^churn@1\.0\.0 already registered; artifact attached: /);
    const again = await lookoutAsync(['versions', 'register', 'churn', '1.0.0', '--url', server.url, '--git-commit', 'c-1.0.0', '--artifact', file]);
    assert.match(again.stdout, /^churn@1\.0\.0 already registered \(unchanged\); artifact /);
  });
});
