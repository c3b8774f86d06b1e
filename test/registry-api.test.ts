import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { declareChurn } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { testServer } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

describe('issue 5: model registry API', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  const upstreams: ModelServer[] = [];
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    url = server.url;
    await declareChurn(url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
    for (const u of upstreams) await u.close();
  });

  test('issue 5: versions are semver and immutable, with lineage, tags and notes', async () => {
    const body = { lineage: { gitCommit: 'abc123', dataVersion: 'sales-2024-06', hyperparameters: { depth: 6 }, metrics: { auc: 0.91 } }, tags: ['gbm'], notes: 'first GBM' };
    const r = await call(url, 'PUT', '/v1/models/churn/versions/2.0.0', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/2.0.0', body)).status, 200, 'identical re-registration is idempotent');
    const changed = await call(url, 'PUT', '/v1/models/churn/versions/2.0.0', { ...body, lineage: { gitCommit: 'other' } });
    assert.equal(changed.status, 409);
    assert.match(JSON.stringify(changed.body), /the lineage of a version is immutable/);
    const bad = await call(url, 'PUT', '/v1/models/churn/versions/v2', {});
    assert.equal(bad.status, 400);
    assert.match((bad.body.error as { message: string }).message, /semantic version/);
    assert.equal((await call(url, 'PUT', '/v1/models/nope/versions/1.0.0', {})).status, 404);
    const p = await call(url, 'PATCH', '/v1/models/churn/versions/2.0.0', { tags: ['gbm', 'candidate'], notes: 'retrained on June data' });
    assert.equal(p.status, 200);
    const list = (await call(url, 'GET', '/v1/models/churn/versions')).body.versions as Array<Record<string, unknown>>;
    const v2 = list.find((v) => v.version === '2.0.0');
    assert.deepStrictEqual({ lineage: v2?.lineage, tags: v2?.tags, notes: v2?.notes, paused: v2?.paused, artifact: v2?.artifact },
      { lineage: body.lineage, tags: ['gbm', 'candidate'], notes: 'retrained on June data', paused: false, artifact: null });
    assert.deepStrictEqual(list.map((v) => v.version), ['1.0.0', '2.0.0']);
  });

  test('issue 5: artifacts are immutable and content-addressed (sha256 in the data dir, atomic, verified)', async () => {
    const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const put = await fetch(`${url}/v1/models/churn/versions/2.0.0/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    assert.equal(put.status, 201);
    const art = ((await put.json()) as { artifact: { sha256: string; size: number; uri: string } }).artifact;
    assert.deepStrictEqual(art, { sha256: sha, size: bytes.length, uri: `artifact:${sha}` });
    const file = join(server.deps.dataDir, 'artifacts', sha);
    assert.deepStrictEqual(readFileSync(file), bytes);
    assert.equal(statSync(file).mode & 0o222, 0, 'stored read-only');
    const again = await fetch(`${url}/v1/models/churn/versions/2.0.0/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    assert.equal(again.status, 200, 'same bytes: no change');
    const other = await fetch(`${url}/v1/models/churn/versions/2.0.0/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('different model') });
    assert.equal(other.status, 409);
    assert.match(await other.text(), /immutable/);
    const got = await fetch(`${url}/v1/artifacts/${sha}`);
    assert.equal(got.status, 200);
    assert.deepStrictEqual(Buffer.from(await got.arrayBuffer()), bytes);
    // the same content for another version is the same address (stored once)
    await call(url, 'PUT', '/v1/models/churn/versions/2.0.1', {});
    const same = await fetch(`${url}/v1/models/churn/versions/2.0.1/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    assert.equal(((await same.json()) as { artifact: { sha256: string } }).artifact.sha256, sha);
    // tampering on disk is detected, the bytes are never served
    chmodSync(file, 0o644);
    writeFileSync(file, Buffer.concat([bytes.subarray(1), Buffer.from([0])]));
    assert.equal((await fetch(`${url}/v1/artifacts/${sha}`)).status, 500);
    writeFileSync(file, bytes);
    assert.equal((await fetch(`${url}/v1/artifacts/${'0'.repeat(64)}`)).status, 404);
    // a reference to an artifact kept elsewhere
    const ref = await call(url, 'PUT', '/v1/models/churn/versions/3.0.0-rc.1', { artifact: { uri: 's3://models/churn/3.0.0.tar.gz', sha256: 'ab'.repeat(32) } });
    assert.equal(ref.status, 201);
    assert.deepStrictEqual((ref.body.version as { artifact: unknown }).artifact, { uri: 's3://models/churn/3.0.0.tar.gz', sha256: 'ab'.repeat(32), size: null });
  });

  test('issue 5: aliases move with a deployment history (who, when, why, from, to); rollback is one call', async () => {
    const set = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'first deploy', by: 'alice' });
    assert.deepStrictEqual(set.body, { alias: 'production', version: '1.0.0', previous: null });
    const moved = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '2.0.0', reason: 'better AUC', by: 'bob' });
    assert.deepStrictEqual(moved.body, { alias: 'production', version: '2.0.0', previous: '1.0.0' });
    assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '9.9.9', reason: 'x' })).status, 404);
    assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0' })).status, 400, 'a reason is required');
    await call(url, 'PUT', '/v1/models/churn/aliases/staging', { version: '2.0.1', reason: 'try' });
    assert.deepStrictEqual((await call(url, 'GET', '/v1/models/churn/aliases')).body, { aliases: { production: '2.0.0', staging: '2.0.1' } });
    const rb = await call(url, 'POST', '/v1/models/churn/rollback', { reason: 'latency regression', by: 'carol' });
    assert.deepStrictEqual(rb.body, { alias: 'production', version: '1.0.0', previous: '2.0.0' });
    const again = await call(url, 'POST', '/v1/models/churn/rollback', { reason: 'once more' });
    assert.equal(again.status, 409);
    const deps = (await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<Record<string, unknown>>;
    const prod = deps.filter((d) => d.alias === 'production').map((d) => [d.kind, d.from, d.to, d.by, d.reason]);
    assert.deepStrictEqual(prod, [
      ['set', null, '1.0.0', 'alice', 'first deploy'], ['set', '1.0.0', '2.0.0', 'bob', 'better AUC'], ['rollback', '2.0.0', '1.0.0', 'carol', 'latency regression'],
    ]);
    assert.ok(deps.every((d) => typeof d.at === 'number' && typeof d.id === 'string'));
  });

  test('issue 5: the promotion gate refuses a candidate that does not beat production, with the numbers', async () => {
    const good = await startModelServer();
    // the candidate flips a quarter of its answers: clearly worse on the same labelled test set
    const worse = await startModelServer({ answer: (f) => {
      const x = Number(f['x']);
      const flip = Math.round(Math.abs(x) * 1000) % 4 === 0;
      const score = 1 / (1 + Math.exp(flip ? x : -x));
      return { prediction: score >= 0.5 ? 'yes' : 'no', score };
    } });
    upstreams.push(good, worse);
    await call(url, 'PUT', '/v1/models/churn/versions/4.0.0', { upstream: good.url });
    await call(url, 'PUT', '/v1/models/churn/versions/4.1.0', { upstream: worse.url });
    await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '4.0.0', reason: 'baseline' });
    const rows = Array.from({ length: 400 }, (_, i) => {
      const x = ((i * 7919) % 400) / 100 - 2;
      return { features: { x }, label: (x + (i % 5 === 0 ? -1 : 0.3)) > 0 ? 'yes' : 'no' };
    });
    const refused = await call(url, 'POST', '/v1/models/churn/promote', { version: '4.1.0', reason: 'new model', testSet: { rows }, gate: { minImprovement: 0.01 }, resamples: 200 });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    const err = refused.body.error as { code: string; message: string; details: { gate: Record<string, unknown>; comparison: { n: number; metrics: Array<Record<string, unknown>> } } };
    assert.equal(err.code, 'promotion_refused');
    assert.match(err.message, /rocAuc: candidate 0\.\d+ vs current 0\.\d+; improvement -0\.\d+ \(95% CI -?0\.\d+\.\.-?0\.\d+\) is below the required 0\.0100/);
    assert.equal(err.details.gate.metric, 'rocAuc');
    assert.ok((err.details.gate.improvement as number) < 0);
    assert.equal(err.details.comparison.n, 400);
    assert.deepStrictEqual(err.details.comparison.metrics.map((m) => m.metric), ['accuracy', 'rocAuc', 'logLoss']);
    assert.equal(((await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>).production, '4.0.0', 'alias unchanged');
    // the other way round the gate passes and the reason records the numbers
    await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '4.1.0', reason: 'setup' });
    const ok = await call(url, 'POST', '/v1/models/churn/promote', { version: '4.0.0', reason: 'restore the better model', testSet: { rows }, resamples: 200 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.previous, '4.1.0');
    const last = ((await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<Record<string, unknown>>).at(-1);
    assert.equal(last?.kind, 'promote');
    assert.match(String(last?.reason), /gate: rocAuc: candidate .* beats current/);
    assert.equal((await call(url, 'POST', '/v1/models/churn/promote', { version: '4.1.0', reason: 'no test set' })).status, 400);
  });

  test('issue 5: kill switch pauses and resumes a model or a version, recorded in the history', async () => {
    assert.deepStrictEqual((await call(url, 'POST', '/v1/models/churn/pause', { reason: 'incident 42' })).body, { model: 'churn', paused: true, changed: true });
    assert.equal(((await call(url, 'GET', '/v1/models/churn/versions')).body.versions as Array<{ paused: boolean }>).every((v) => v.paused), true);
    assert.deepStrictEqual((await call(url, 'POST', '/v1/models/churn/resume', {})).body, { model: 'churn', paused: false, changed: true });
    assert.deepStrictEqual((await call(url, 'POST', '/v1/models/churn/versions/2.0.0/pause', {})).body, { model: 'churn', version: '2.0.0', paused: true, changed: true });
    const kinds = ((await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<{ kind: string; reason: string }>).slice(-3).map((d) => d.kind);
    assert.deepStrictEqual(kinds, ['pause', 'resume', 'pause']);
  });
});

describe('issue 5: registry API refuses malformed input without harm', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }, { version: '1.1.0' }], '1.0.0');
  });
  after(() => server.close());

  test('issue 5: garbage bodies get structured 4xx errors and change nothing', async () => {
    const u = server.url;
    const cases: Array<[string, string, unknown]> = [
      ['PUT', '/v1/models/churn/aliases/production', []],
      ['PUT', '/v1/models/churn/aliases/production', { version: { x: 1 }, reason: 'r' }],
      ['PUT', '/v1/models/churn/aliases/bad%20alias', { version: '1.1.0', reason: 'r' }],
      ['PUT', '/v1/models/churn/serving', { policy: { kind: 'canary', candidate: '1.1.0', percent: 'ten' } }],
      ['PUT', '/v1/models/churn/serving', 'x'.repeat(1000)],
      ['POST', '/v1/models/churn/rollout', { candidate: 12, reason: 'r' }],
      ['POST', '/v1/models/churn/rollout', { candidate: '1.1.0', steps: [50, 10], reason: 'r' }],
      ['POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: { labels: [{ a: 1 }], current: { predictions: ['yes'] }, candidate: { predictions: ['no'] } } }],
      ['POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: { labels: ['yes'], current: { predictions: [[1]] }, candidate: { predictions: ['no'] } } }],
      ['POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet: { rows: 'all' } }],
      ['POST', '/v1/models/churn/predict', { features: { x: 1 }, segment: { region: { deep: true } } }],
      ['POST', '/v1/models/churn/predict', { features: { x: 1 }, id: 'x'.repeat(500) }],
      ['PATCH', '/v1/models/churn/versions/1.0.0', { lineage: { gitCommit: 'rewrite history' } }],
      ['PUT', '/v1/models/churn/versions/1.0.0/artifact', { json: 'not bytes' }],
    ];
    for (const [method, path, body] of cases) {
      const r = await call(u, method, path, body);
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} ${JSON.stringify(body).slice(0, 80)} -> ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(typeof (r.body.error as { code?: unknown } | undefined)?.code, 'string');
    }
    const ok = await call(u, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', resamples: 50, testSet: { labels: ['yes', 'no', 'yes'], current: { predictions: ['yes', 'no', 'no'] }, candidate: { predictions: ['yes', 'no', 'yes'] } } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((ok.body.gate as { pass: boolean }).pass, true);
    assert.deepStrictEqual((await call(u, 'GET', '/v1/models/churn/aliases')).body, { aliases: { production: '1.0.0' } });
    assert.equal(((await call(u, 'GET', '/v1/models/churn/versions/1.0.0')).body.version as { lineage: { gitCommit: string } }).lineage.gitCommit, 'c-1.0.0');
  });
});
