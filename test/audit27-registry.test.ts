import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 27 (registry): a version registered with an artifact reference in the store's own content-addressed scheme
 * (`artifact:<sha256>`, what `versions show` prints of an uploaded artifact) was taken as given. A version could
 * claim uploaded bytes that were never stored (its download a 404), a digest other than the one its URI names, or
 * a size other than the file's, and the list showed it as an uploaded artifact. Now such a reference must name bytes
 * the store holds, its `sha256` and `size` (if given) must be theirs, and it is recorded as an upload of them is
 * (sha256 and size filled in), so copying an uploaded version's artifact to another version shares the file.
 * Re-registering an uploaded version with the artifact it shows was a 409 "other artifact" (the same fields in
 * another order): now the same artifact.
 */
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('audit 27: an artifact:<sha256> reference names stored bytes, with their digest and size', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  const bytes = new TextEncoder().encode('model weights v1');
  const stored = sha(bytes);
  const other = sha(new TextEncoder().encode('never uploaded'));
  const put = (v: string, artifact: Record<string, unknown>) => call(s.url, 'PUT', `/v1/models/churn/versions/${v}`, { artifact });

  before(async () => {
    s = await testServer();
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object' } });
    await ok('PUT', '/v1/models/churn/versions/1.0.0', {});
    const up = await call(s.url, 'PUT', '/v1/models/churn/versions/1.0.0/artifact', bytes, { 'content-type': 'application/octet-stream' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
  });
  after(() => s?.close());

  test('bytes never stored, a digest other than the URI\'s, a wrong size: 400, nothing registered', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['2.0.0', { uri: `artifact:${other}`, sha256: other, size: 14 }, /no artifact with sha256 [0-9a-f]{64} is stored here: upload the bytes/],
      ['2.1.0', { uri: `artifact:${stored}`, sha256: other }, /artifact\.sha256 [0-9a-f]{64} is not the digest its uri names \([0-9a-f]{64}\)/],
      ['2.2.0', { uri: `artifact:${stored}`, sha256: stored, size: 7 }, new RegExp(`artifact\\.size 7 is not the size of the stored bytes \\(${bytes.length}\\)`)],
      ['2.3.0', { uri: 'artifact:latest' }, /artifact\.uri "artifact:latest" is not a content address/],
    ];
    for (const [v, artifact, message] of cases) {
      const r = await put(v, artifact);
      assert.equal(r.status, 400, `${v}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body['error'] as { code: string }).code, 'validation_failed');
      assert.match((r.body['error'] as { message: string }).message, message);
      assert.equal((await call(s.url, 'GET', `/v1/models/churn/versions/${v}`)).status, 404, `${v} is not registered`);
    }
  });

  test('the artifact of an uploaded version, copied, shares its file; given by its URI alone, it is completed', async () => {
    const shown = ((await ok('GET', '/v1/models/churn/versions/1.0.0'))['version'] as { artifact: unknown }).artifact;
    const copy = await put('3.0.0', shown as Record<string, unknown>);
    assert.equal(copy.status, 201, JSON.stringify(copy.body));
    const byUri = await put('3.1.0', { uri: `artifact:${stored}` });
    assert.equal(byUri.status, 201, JSON.stringify(byUri.body));
    const want = { sha256: stored, size: bytes.length, uri: `artifact:${stored}` };
    for (const v of ['3.0.0', '3.1.0']) {
      const a = ((await ok('GET', `/v1/models/churn/versions/${v}`))['version'] as { artifact: Record<string, unknown> }).artifact;
      assert.deepEqual({ ...a }, want, v);
    }
    // the same registration again, in either form, is the same artifact (200), and so is the upload of the same bytes;
    // the uploaded version itself too (until audit 27 a 409 "other artifact": its keys were in another order)
    assert.equal((await put('1.0.0', shown as Record<string, unknown>)).status, 200);
    assert.equal((await put('3.1.0', shown as Record<string, unknown>)).status, 200);
    assert.equal((await put('3.0.0', { uri: `artifact:${stored}` })).status, 200);
    const again = await call(s.url, 'PUT', '/v1/models/churn/versions/3.1.0/artifact', bytes, { 'content-type': 'application/octet-stream' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const download = await fetch(`${s.url}/v1/artifacts/${stored}`);
    assert.equal(sha(new Uint8Array(await download.arrayBuffer())), stored);
  });
});

describe('audit 27: a promotion gate with minImprovement 0 stated lets an equal candidate through, as documented', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  before(async () => {
    s = await testServer();
    await ok('POST', '/v1/models', { name: 'price', outputKind: 'regression', inputSchema: { type: 'object' } });
    for (const v of ['1.0.0', '1.1.0']) await ok('PUT', `/v1/models/price/versions/${v}`, {});
    await ok('PUT', '/v1/models/price/aliases/production', { version: '1.0.0', reason: 'first' });
  });
  after(() => s?.close());

  test('unstated: refused as not better; 0 stated: promoted, the history saying "at least as good"', async () => {
    const testSet = { labels: [1, 2, 3, 4], current: { predictions: [1, 2, 3, 5] }, candidate: { predictions: [1, 2, 3, 5] } };
    const body = { version: '1.1.0', reason: 'cheaper, as good', testSet };
    const refused = await call(s.url, 'POST', '/v1/models/price/promote', body);
    assert.equal(refused.status, 409);
    assert.match((refused.body['error'] as { message: string }).message, /is not above 0, the default minimum/);
    // until audit 27 the same 409 ("the default minimum") although the request stated its minimum
    const promoted = await call(s.url, 'POST', '/v1/models/price/promote', { ...body, gate: { minImprovement: 0 } });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    const history = (await ok('GET', '/v1/models/price/deployments'))['deployments'] as Array<{ kind: string; to: string; reason: string }>;
    const last = history.at(-1);
    assert.deepEqual([last?.kind, last?.to], ['promote', '1.1.0']);
    assert.match(String(last?.reason), /\[gate: mae: candidate 0\.2500 is at least as good as current 0\.2500 \(improvement 0\.0000, 95% CI 0\.0000\.\.0\.0000; required ≥ 0\.0000\)\]$/);
  });

  test('lookout promote without --test-set over a set alias names the options it needs (was the API\'s "testSet" and "force" only)', async () => {
    const r = await lookoutAsync(['promote', 'price', '1.0.0', '--reason', 'back', '--url', s.url]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /promoting price@1\.0\.0 over 1\.1\.0 \(where "production" points\) needs a "testSet" to compare them on \(lookout promote --test-set FILE\), or "force": true to skip the comparison \(--force\)/);
  });
});

describe('audit 27: a comparison\'s testSet.positiveLabel must be one of the model\'s classes', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  before(async () => {
    s = await testServer();
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object' } });
    for (const v of ['1.0.0', '2.0.0']) await ok('PUT', `/v1/models/churn/versions/${v}`, {});
  });
  after(() => s?.close());

  test('"Yes" of no/yes is a 400 naming it (was taken as a class of its own: accuracy 0.5 for both, rocAuc undefined)', async () => {
    const testSet = { labels: ['no', 'yes', 'yes', 'no'], current: { scores: [0.2, 0.7, 0.6, 0.4] }, candidate: { scores: [0.1, 0.8, 0.9, 0.3] } };
    const bad = await call(s.url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '2.0.0', testSet: { ...testSet, positiveLabel: 'Yes' } });
    assert.equal(bad.status, 400, JSON.stringify(bad.body).slice(0, 300));
    assert.match((bad.body['error'] as { message: string }).message, /^testSet\.positiveLabel "Yes" is not one of the model's classes \(no, yes\)$/);
    const good = await ok('POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '2.0.0', testSet: { ...testSet, positiveLabel: 'yes' } });
    const metrics = (good['comparison'] as { metrics: Array<{ metric: string; a: number; b: number }> }).metrics;
    assert.deepEqual(metrics.map((m) => [m.metric, m.a, m.b]).slice(0, 2), [['accuracy', 1, 1], ['rocAuc', 1, 1]]);
  });
});
