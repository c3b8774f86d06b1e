import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 28 (registry): a referenced artifact's digest in uppercase hex (what PowerShell's Get-FileHash prints) was
 * refused by the API's schema (and so by `lookout versions register --artifact-sha256`). A digest is hex in either
 * case: it is accepted and recorded in lowercase, so the same file stated in either case is the same artifact.
 */
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('audit 28: an artifact digest in uppercase hex is accepted and recorded in lowercase', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  const digest = sha('weights kept in the bucket');
  const uri = 's3://models/churn/2.0.0.bin';

  before(async () => {
    s = await testServer();
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object' } });
  });
  after(() => s?.close());

  test('over the API: 201 with the lowercase digest; the same registration in lowercase is the same (200), another digest a 409', async () => {
    const first = await call(s.url, 'PUT', '/v1/models/churn/versions/2.0.0', { artifact: { uri, sha256: digest.toUpperCase(), size: 10 } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const shown = ((await ok('GET', '/v1/models/churn/versions/2.0.0'))['version'] as { artifact: unknown }).artifact;
    assert.deepEqual(shown, { uri, sha256: digest, size: 10 });
    const again = await call(s.url, 'PUT', '/v1/models/churn/versions/2.0.0', { artifact: { uri, sha256: digest, size: 10 } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const other = await call(s.url, 'PUT', '/v1/models/churn/versions/2.0.0', { artifact: { uri, sha256: sha('other').toUpperCase(), size: 10 } });
    assert.equal(other.status, 409, JSON.stringify(other.body));
    const notHex = await call(s.url, 'PUT', '/v1/models/churn/versions/2.0.1', { artifact: { uri, sha256: 'G'.repeat(64) } });
    assert.equal(notHex.status, 400, JSON.stringify(notHex.body));
  });

  test('an uploaded artifact named by its content address with an uppercase sha256 beside it is the same bytes', async () => {
    const bytes = new TextEncoder().encode('uploaded weights');
    await ok('PUT', '/v1/models/churn/versions/3.0.0', {});
    const up = await call(s.url, 'PUT', '/v1/models/churn/versions/3.0.0/artifact', bytes, { 'content-type': 'application/octet-stream' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const d = createHash('sha256').update(bytes).digest('hex');
    const copy = await call(s.url, 'PUT', '/v1/models/churn/versions/3.1.0', { artifact: { uri: `artifact:${d}`, sha256: d.toUpperCase() } });
    assert.equal(copy.status, 201, JSON.stringify(copy.body));
  });

  test('lookout versions register --artifact-sha256 in uppercase registers the lowercase digest', async () => {
    const r = await lookoutAsync(['versions', 'register', 'churn', '4.0.0', '--artifact-uri', uri, '--artifact-sha256', digest.toUpperCase(), '--url', s.url]);
    assert.equal(r.code, 0, r.stderr);
    const shown = ((await ok('GET', '/v1/models/churn/versions/4.0.0'))['version'] as { artifact: { sha256: string } }).artifact;
    assert.equal(shown.sha256, digest);
  });
});
