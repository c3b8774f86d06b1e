import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir, type CliResult } from './helpers/cli.js';
import { churnRegistryServer, declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

type Json = Record<string, unknown>;
const MiB = 1024 * 1024;
const versionsOf = (b: Json): string[] => (b['versions'] as Array<{ version: string }>).map((v) => v.version);

describe('audit 6: version lists in semver order', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer(); // 1.0.0 (production), 1.1.0
  });
  after(async () => {
    await server.close();
  });

  test('audit 6: 1.10.0 registered before 1.9.0 lists after it; prereleases before their release (semver 2.0 precedence)', async () => {
    // registered in this (scrambled) order; the expected order is semver 2.0.0's own precedence example, §11
    const order = ['1.10.0', '1.9.0', '2.0.0', '2.0.0-rc.1', '2.0.0-beta.11', '2.0.0-alpha', '2.0.0-beta.2', '2.0.0-alpha.beta', '2.0.0-beta', '2.0.0-alpha.1'];
    for (const v of order) {
      await new Promise((r) => setTimeout(r, 3)); // a distinct creation time each
      assert.equal((await call(server.url, 'PUT', `/v1/models/churn/versions/${v}`, {})).status, 201);
    }
    await new Promise((r) => setTimeout(r, 3));
    // a version only declared for monitoring (not a semantic version) comes after the semantic ones
    assert.equal((await call(server.url, 'POST', '/v1/models/churn/versions', { version: 'legacy-a' })).status, 201);
    const semverOrder = ['1.0.0', '1.1.0', '1.9.0', '1.10.0', '2.0.0-alpha', '2.0.0-alpha.1', '2.0.0-alpha.beta', '2.0.0-beta', '2.0.0-beta.2', '2.0.0-beta.11', '2.0.0-rc.1', '2.0.0', 'legacy-a'];
    const def = await call(server.url, 'GET', '/v1/models/churn/versions');
    assert.equal(def.status, 200);
    assert.deepStrictEqual(versionsOf(def.body), semverOrder);
    assert.deepStrictEqual(versionsOf((await call(server.url, 'GET', '/v1/models/churn/versions?sort=semver')).body), semverOrder);
    // the creation order is still one parameter away
    assert.deepStrictEqual(versionsOf((await call(server.url, 'GET', '/v1/models/churn/versions?sort=created')).body), ['1.0.0', '1.1.0', ...order, 'legacy-a']);
    const bad = await call(server.url, 'GET', '/v1/models/churn/versions?sort=newest');
    assert.equal(bad.status, 400);
    assert.match((bad.body['error'] as { message: string }).message, /sort must be "semver" or "created"/);
    // the CLI prints the same orders
    const cli = await lookoutAsync(['versions', 'list', 'churn', '--url', server.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepStrictEqual(cli.stdout.split('\n').slice(1).filter((l) => l.trim() !== '' && !/^[-\s]+$/.test(l)).map((l) => l.trim().split(/\s+/)[0]), semverOrder);
    const created = await lookoutAsync(['versions', 'list', 'churn', '--url', server.url, '--sort', 'created', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepStrictEqual(versionsOf(JSON.parse(created.stdout) as Json), ['1.0.0', '1.1.0', ...order, 'legacy-a']);
  });

  test('audit 6: rollback follows the alias history, not the version order (a downgrade is rolled back to the newer version)', async () => {
    for (const [v, why] of [['1.10.0', 'up'], ['1.9.0', 'down: 1.10.0 leaks memory']] as const) {
      assert.equal((await call(server.url, 'PUT', '/v1/models/churn/aliases/production', { version: v, reason: why })).status, 200);
    }
    const rb = await call(server.url, 'POST', '/v1/models/churn/rollback', { reason: 'the leak was elsewhere' });
    assert.deepStrictEqual([rb.status, rb.body], [200, { alias: 'production', version: '1.10.0', previous: '1.9.0' }]);
    const rb2 = await call(server.url, 'POST', '/v1/models/churn/rollback', { reason: 'again' });
    assert.deepStrictEqual([rb2.status, rb2.body], [200, { alias: 'production', version: '1.0.0', previous: '1.10.0' }]);
  });
});

describe('audit 6: promote --seed', { timeout: 120_000 }, () => {
  let server: Server;
  const dir = tempDir('lookout-audit6-seed-');
  before(async () => {
    server = await churnRegistryServer();
  });
  after(async () => {
    await server.close();
  });

  test('audit 6: promote --seed reproduces the gate\'s intervals, echoes the seed, and another seed gives other intervals', async () => {
    const current = await startModelServer();
    // a candidate that ranks the rows differently (a wobble in x): the AUC difference has a real interval
    const candidate = await startModelServer({ answer: (f) => {
      const x = Number(f['x'] ?? 0);
      const score = 1 / (1 + Math.exp(-(x + 1.5 * Math.sin(7 * x))));
      return { prediction: score >= 0.5 ? 'yes' : 'no', score };
    } });
    try {
      const u = ['--url', server.url];
      for (const [v, up] of [['3.0.0', current.url], ['3.1.0', candidate.url]] as const) {
        assert.equal((await lookoutAsync(['versions', 'register', 'churn', v, ...u, '--upstream', up])).code, 0);
      }
      assert.equal((await lookoutAsync(['models', 'set-alias', 'churn', 'seeded', '3.0.0', ...u, '--reason', 'first'])).code, 0);
      // labels that neither version gets all right (every 5th row flipped)
      writeFileSync(join(dir, 'test.jsonl'), Array.from({ length: 200 }, (_, i) => JSON.stringify({ x: (i - 100) / 25, label: (i >= 100) !== (i % 5 === 0) ? 'yes' : 'no' })).join('\n'));
      // an improvement of 1 cannot be met: refused, so the same promotion can be asked again
      const promote = (seed: string, json = false): Promise<CliResult> => lookoutAsync(['promote', 'churn', '3.1.0', ...u, '--alias', 'seeded', '--reason', 'try',
        '--test-set', join(dir, 'test.jsonl'), '--resamples', '200', '--min-improvement', '1', '--seed', seed, ...(json ? ['--json'] : [])]);
      const a = await promote('7');
      const b = await promote('7');
      const c = await promote('8');
      for (const r of [a, b, c]) assert.equal(r.code, 1, r.stderr);
      assert.match(a.stdout, /bootstrap seed 7, 200 resamples/);
      assert.equal(a.stdout, b.stdout, 'the same seed gave other numbers');
      assert.match(c.stdout, /bootstrap seed 8, 200 resamples/);
      const ci = (s: string): string[] => s.split('\n').filter((l) => /\.\./.test(l));
      assert.notDeepStrictEqual(ci(c.stdout), ci(a.stdout), 'another seed gave the very same intervals');
      const j = await promote('7', true);
      assert.equal(j.code, 1, j.stderr);
      const details = (JSON.parse(j.stdout) as { error: { details: { comparison: { seed: number; metrics: Array<{ metric: string; delta: { ci: number[] } }> } } } }).error.details;
      assert.equal(details.comparison.seed, 7);
      // a seed that is not an integer is refused by the CLI before calling the server
      const bad = await promote('x');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /seed/);
    } finally {
      await current.close();
      await candidate.close();
    }
  });
});

/** Sends raw HTTP: the head, then `chunks` (stopping once the server answers); the whole answer once the connection closes. */
function rawUpload(url: string, head: string, chunks: Buffer[]): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), '127.0.0.1');
    let text = '';
    sock.on('data', (d: Buffer) => (text += d.toString()));
    sock.on('error', () => sock.destroy()); // a refusal may close the connection while the body is written
    sock.on('close', () => resolve(text));
    sock.on('connect', () => {
      sock.write(head);
      let i = 0;
      const more = (): void => {
        if (text !== '') return;
        if (i === chunks.length) {
          setTimeout(() => sock.end(), 50);
          return;
        }
        if (sock.write(chunks[i++] as Buffer)) setImmediate(more);
        else sock.once('drain', more);
      };
      more();
      setTimeout(() => sock.destroy(), 10_000);
    });
  });
}

const chunked = (b: Buffer): Buffer => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
/** The first answer on the connection (the server may answer the cut-off rest of the request after it). */
const answerOf = (raw: string): { status: number; headers: string; body: Json } => {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).toLowerCase();
  const length = Number(/content-length: (\d+)/.exec(head)?.[1]);
  return { status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(raw.slice(end + 4, end + 4 + length)) as Json };
};

describe('audit 6: artifact size limit (registry.maxArtifactMb)', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 1 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }, { version: '1.1.0' }, { version: '1.2.0' }]);
  });
  after(async () => {
    await server.close();
  });
  const artifactOf = async (v: string): Promise<unknown> => ((await call(server.url, 'GET', `/v1/models/churn/versions/${v}`)).body['version'] as Json)['artifact'];
  const files = (): string[] => {
    try {
      return readdirSync(join(server.deps.dataDir, 'artifacts')).sort();
    } catch {
      return [];
    }
  };

  test('audit 6: a Content-Length over the limit is a 413 before the body is read; nothing stored or attached', async () => {
    const before = files();
    const raw = await rawUpload(server.url, `PUT /v1/models/churn/versions/1.0.0/artifact HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: ${MiB + 1}\r\n\r\n`, []);
    const a = answerOf(raw);
    assert.equal(a.status, 413, raw.slice(0, 300));
    assert.deepStrictEqual(a.body, { error: { code: 'payload_too_large', message: `the artifact (${MiB + 1} bytes) is larger than this server's limit of 1 MiB (${MiB} bytes; registry.maxArtifactMb in the configuration, 0 for none): nothing was stored`, details: {} } });
    assert.deepStrictEqual(files(), before);
    assert.equal(await artifactOf('1.0.0'), null);
  });

  test('audit 6: a streamed (chunked) upload passing the limit is cut off with a 413, its temporary file deleted, nothing attached', async () => {
    const before = files();
    const head = 'PUT /v1/models/churn/versions/1.1.0/artifact HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n';
    // 1 MiB in 64 KiB chunks, then one byte more, then (never reached) another 8 MiB
    const body = [...Array.from({ length: 16 }, () => chunked(Buffer.alloc(64 * 1024, 1))), chunked(Buffer.alloc(1, 2)), ...Array.from({ length: 128 }, () => chunked(Buffer.alloc(64 * 1024, 3))), Buffer.from('0\r\n\r\n')];
    const a = answerOf(await rawUpload(server.url, head, body));
    assert.equal(a.status, 413);
    assert.match((a.body['error'] as { message: string }).message, /^the artifact is larger than this server's limit of 1 MiB \(1048576 bytes; registry\.maxArtifactMb/);
    for (let i = 0; i < 100 && files().length !== before.length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepStrictEqual(files(), before, 'the cut-off upload left a file');
    assert.equal(await artifactOf('1.1.0'), null);
    // the server goes on serving, and exactly the limit is accepted
    const exact = Buffer.alloc(MiB, 5);
    const ok = await call(server.url, 'PUT', '/v1/models/churn/versions/1.1.0/artifact', exact, { 'content-type': 'application/octet-stream' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepStrictEqual(await artifactOf('1.1.0'), { sha256: createHash('sha256').update(exact).digest('hex'), size: MiB, uri: `artifact:${createHash('sha256').update(exact).digest('hex')}` });
  });

  test('audit 6: versions register --artifact of a file over the limit prints the server\'s 413 message', async () => {
    const file = join(tempDir('lookout-audit6-limit-'), 'big.bin');
    writeFileSync(file, Buffer.alloc(8 * MiB, 9));
    const r = await lookoutAsync(['versions', 'register', 'churn', '1.3.0', '--url', server.url, '--artifact', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the artifact \(8388608 bytes\) is larger than this server's limit of 1 MiB/);
  });

  test('audit 6: the default limit is 10 GiB (a 10 GiB + 1 byte Content-Length is refused at once)', async () => {
    const s = await churnRegistryServer();
    try {
      const a = answerOf(await rawUpload(s.url, `PUT /v1/models/churn/versions/1.1.0/artifact HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: ${10 * 1024 * MiB + 1}\r\n\r\n`, []));
      assert.equal(a.status, 413);
      assert.match((a.body['error'] as { message: string }).message, /limit of 10240 MiB/);
    } finally {
      await s.close();
    }
  });
});

describe('audit 6: comparison labels and the declared classes', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer(); // binary, classes no/yes
  });
  after(async () => {
    await server.close();
  });
  const compare = (testSet: Json): Promise<{ status: number; body: Json }> => call(server.url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, resamples: 50 });
  const accuracy = (b: Json): unknown[] => {
    const m = ((b['comparison'] as Json)['metrics'] as Array<{ metric: string; a: number; b: number }>).find((x) => x.metric === 'accuracy');
    return [m?.a, m?.b];
  };

  test('audit 6: a test set whose labels are all "no" is scored with "yes" as the positive class (accuracy as sklearn\'s, not inverted)', async () => {
    // Before: the positive class came from the labels present: all "no" made "no" the positive class, so a score of
    // 0.9 ("yes") counted as right and 0.1 as wrong: accuracy 0.25 and 0 instead of 0.75 and 1.
    const r = await compare({ labels: ['no', 'no', 'no', 'no'], current: { scores: [0.1, 0.2, 0.3, 0.9] }, candidate: { scores: [0.1, 0.1, 0.1, 0.1] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // sklearn.metrics.accuracy_score(['no'] * 4, ['yes' if s >= 0.5 else 'no' for s in scores]): 0.75 and 1.0
    assert.deepStrictEqual(accuracy(r.body), [0.75, 1]);
  });

  test('audit 6: a label or prediction that is not one of the model\'s classes (a typo "Yes") is a 400 naming it, not a third class', async () => {
    // Before: 200; "Yes" sorted before "no" and "yes", so "Yes" became the negative class: every "no" row counted as wrong.
    const typo = await compare({ labels: ['yes', 'no', 'Yes', 'no'], current: { scores: [0.9, 0.1, 0.8, 0.2] }, candidate: { scores: [0.8, 0.2, 0.7, 0.3] } });
    assert.equal(typo.status, 400, JSON.stringify(typo.body));
    assert.equal((typo.body['error'] as { message: string }).message, 'testSet.labels[2] "Yes" is not one of the model\'s classes (no, yes)');
    const pred = await compare({ labels: ['yes', 'no'], current: { predictions: ['yes', 'maybe'] }, candidate: { predictions: ['yes', 'no'] } });
    assert.equal(pred.status, 400, JSON.stringify(pred.body));
    assert.equal((pred.body['error'] as { message: string }).message, 'testSet.current.predictions[1] "maybe" is not one of the model\'s classes (no, yes)');
    // missing labels (null) are still left out, not refused
    const ok = await compare({ labels: ['yes', null, 'no', 'no'], current: { predictions: ['yes', 'no', 'no', 'yes'] }, candidate: { predictions: ['yes', 'yes', 'no', 'no'] } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((ok.body['comparison'] as Json)['n'], 3);
    // sklearn.metrics.accuracy_score(['yes', 'no', 'no'], ['yes', 'no', 'yes']) = 0.6667; candidate 1.0
    assert.deepStrictEqual(accuracy(ok.body), [2 / 3, 1]);
  });
});

describe('audit 6: rollback and promote onto a paused version', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer(); // production: 1.0.0
  });
  after(async () => {
    await server.close();
  });

  test('audit 6: a rollback whose target version is paused (kill switch) is refused (409), the alias and history unchanged', async () => {
    // Before: 200; production then pointed at the paused version and every request answered 503 (or fell back).
    assert.equal((await call(server.url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.1.0', reason: 'up' })).status, 200);
    assert.equal((await call(server.url, 'POST', '/v1/models/churn/versions/1.0.0/pause', { reason: 'wrong answers' })).status, 200);
    const history = (await call(server.url, 'GET', '/v1/models/churn/deployments')).body;
    const rb = await call(server.url, 'POST', '/v1/models/churn/rollback', { reason: '1.1.0 slow' });
    assert.equal(rb.status, 409, JSON.stringify(rb.body));
    assert.equal((rb.body['error'] as { message: string }).message,
      'cannot move alias "production" of model "churn" to 1.0.0: that version is paused (kill switch); resume it first (POST /v1/models/churn/versions/1.0.0/resume) or set the alias to another version');
    assert.deepStrictEqual((await call(server.url, 'GET', '/v1/models/churn/aliases')).body, { aliases: { production: '1.1.0' } });
    assert.deepStrictEqual((await call(server.url, 'GET', '/v1/models/churn/deployments')).body, history);
    // a forced promotion onto it likewise
    const pr = await call(server.url, 'POST', '/v1/models/churn/promote', { version: '1.0.0', reason: 'back', force: true });
    assert.equal(pr.status, 409, JSON.stringify(pr.body));
    // resumed, the rollback goes through
    assert.equal((await call(server.url, 'POST', '/v1/models/churn/versions/1.0.0/resume', {})).status, 200);
    const ok = await call(server.url, 'POST', '/v1/models/churn/rollback', { reason: '1.1.0 slow' });
    assert.deepStrictEqual([ok.status, ok.body], [200, { alias: 'production', version: '1.0.0', previous: '1.1.0' }]);
  });
});

describe('audit 6: promote request checks', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer();
  });
  after(async () => {
    await server.close();
  });

  test('audit 6: a malformed seed, resamples or gate is refused even when no comparison is needed (alias unset, or force)', async () => {
    // Before: 200 and the alias moved: the same call, once the alias was set, failed with a 400 (a CI job passing once)
    const cases: Array<[Json, RegExp]> = [
      [{ alias: 'fresh', seed: 'abc' }, /seed must be an integer/],
      [{ alias: 'fresh', resamples: 1e9 }, /resamples must be an integer from 0 to 10000/],
      [{ alias: 'fresh', gate: { metrik: 'rocAuc' } }, /unknown gate field\(s\) metrik/],
      [{ force: true, seed: 1.5 }, /seed must be an integer/],
    ];
    for (const [body, message] of cases) {
      const r = await call(server.url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', ...body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body['error'] as { message: string }).message, message);
    }
    assert.deepStrictEqual((await call(server.url, 'GET', '/v1/models/churn/aliases')).body, { aliases: { production: '1.0.0' } });
  });
});

describe('audit 6: version tags', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer();
  });
  after(async () => {
    await server.close();
  });

  test('audit 6: tags are trimmed and kept once (["gbm", "gbm", " prod "] is ["gbm", "prod"]); a blank tag is a 400', async () => {
    // Before: stored as sent, so `versions list` showed "gbm,gbm, prod " and a search for "prod" missed " prod "
    const r = await call(server.url, 'PUT', '/v1/models/churn/versions/4.0.0', { tags: ['gbm', 'gbm', ' prod '] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepStrictEqual((r.body['version'] as Json)['tags'], ['gbm', 'prod']);
    const p = await call(server.url, 'PATCH', '/v1/models/churn/versions/4.0.0', { tags: ['b', 'a', 'b'] });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepStrictEqual((p.body['version'] as Json)['tags'], ['b', 'a']);
    const blank = await call(server.url, 'PATCH', '/v1/models/churn/versions/4.0.0', { tags: ['a', '   '] });
    assert.equal(blank.status, 400, JSON.stringify(blank.body));
    assert.equal((blank.body['error'] as { message: string }).message, 'tags[1] is blank');
    assert.deepStrictEqual(((await call(server.url, 'GET', '/v1/models/churn/versions/4.0.0')).body['version'] as Json)['tags'], ['b', 'a']);
  });
});

describe('audit 6: comparison outputs of regression and multiclass models', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer();
    assert.equal((await call(server.url, 'POST', '/v1/models', { name: 'price', outputKind: 'regression', inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(server.url, 'POST', '/v1/models', { name: 'iris', outputKind: 'multiclass', inputSchema: { type: 'object' }, classes: ['a', 'b', 'c'] })).status, 201);
    for (const m of ['price', 'iris']) for (const v of ['1.0.0', '1.1.0']) assert.equal((await call(server.url, 'PUT', `/v1/models/${m}/versions/${v}`, {})).status, 201);
  });
  after(async () => {
    await server.close();
  });
  const compare = (model: string, testSet: Json): Promise<{ status: number; body: Json }> => call(server.url, 'POST', `/v1/models/${model}/compare`, { current: '1.0.0', candidate: '1.1.0', testSet, resamples: 20 });
  const refused = async (model: string, testSet: Json, message: string): Promise<void> => {
    const r = await compare(model, testSet);
    assert.equal(r.status, 400, `${JSON.stringify(testSet)}: ${JSON.stringify(r.body)}`);
    assert.equal((r.body['error'] as { message: string }).message, message);
  };

  test('audit 6: a regression label or prediction that is not a number, or scores without predictions, is a 400 (not mae null with an interval)', async () => {
    // Before: 200 with mae and rmse null for both versions, yet a 95% interval of their difference ([0.09, 0.67])
    await refused('price', { labels: ['abc', 2, 3], current: { predictions: [1, 2, 3] }, candidate: { predictions: [1, 2, 4] } },
      'testSet.labels[0] "abc" is not a number (the labels and predictions of a regression model are numbers)');
    await refused('price', { labels: [1, 2, 3], current: { predictions: [1, 2, 3] }, candidate: { predictions: ['x', 2, 4] } },
      'testSet.candidate.predictions[0] "x" is not a number (the labels and predictions of a regression model are numbers)');
    await refused('price', { labels: [1, 2, 3], current: { scores: [0.1, 0.2, 0.3] }, candidate: { predictions: [1, 2, 4] } },
      'testSet.current needs "predictions": a regression model is compared on its predicted values (scores are for binary models)');
    const ok = await compare('price', { labels: [1, 2, null], current: { predictions: [1, 2, 3] }, candidate: { predictions: [1.5, 2, 4] } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    // numpy: np.mean(np.abs([1, 2] - np.array([1, 2]))) = 0.0, np.mean(np.abs(np.array([1.5, 2]) - [1, 2])) = 0.25
    const mae = ((ok.body['comparison'] as Json)['metrics'] as Array<{ metric: string; a: number; b: number }>).find((x) => x.metric === 'mae');
    assert.deepStrictEqual([mae?.a, mae?.b], [0, 0.25]);
  });

  test('audit 6: a multiclass comparison needs predictions: one score per row (a binary model\'s) is a 400, not accuracy 0', async () => {
    // Before: 200; the scores were thresholded into "1"/"0", which no class matches: accuracy 0 for the current version
    await refused('iris', { labels: ['a', 'b'], current: { scores: [0.1, 0.2] }, candidate: { predictions: ['a', 'b'] } },
      'testSet.current needs "predictions": a multiclass model is compared on its predicted classes (scores are for binary models)');
  });
});

describe('audit 6: deployment history range', { timeout: 60_000 }, () => {
  test('audit 6: GET /deployments with "from" after "to" is a 400 as on the other range endpoints, not an empty history', async () => {
    // Before: 200 {deployments: []}: swapped bounds looked like a model that was never deployed
    const server = await churnRegistryServer();
    try {
      const r = await call(server.url, 'GET', '/v1/models/churn/deployments?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
      // both bounds said, in the message and details (audit 23)
      const from = Date.UTC(2026, 1, 1);
      const to = Date.UTC(2026, 0, 1);
      assert.deepStrictEqual([r.status, r.body], [400, { error: { code: 'bad_request', message: '"from" must be before "to" (from 2026-02-01T00:00:00.000Z, to 2026-01-01T00:00:00.000Z)', details: { from, to } } }]);
      const all = await call(server.url, 'GET', '/v1/models/churn/deployments');
      assert.equal((all.body['deployments'] as unknown[]).length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('audit 6: concurrent promotions of one alias', { timeout: 60_000 }, () => {
  test('audit 6: two promotions over the same current version, both passing their gates, move the alias once; the other is a 409', async () => {
    const server = await churnRegistryServer(); // production: 1.0.0
    try {
      for (const v of ['1.2.0', '1.3.0']) assert.equal((await call(server.url, 'PUT', `/v1/models/churn/versions/${v}`, {})).status, 201);
      const labels = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'yes' : 'no'));
      const wrong = (l: string): string => (l === 'yes' ? 'no' : 'yes');
      const testSet = { labels, current: { predictions: labels.map((l, i) => (i < 20 ? l : wrong(l))) }, candidate: { predictions: labels } };
      const rs = await Promise.all(['1.2.0', '1.3.0'].map((version) => call(server.url, 'POST', '/v1/models/churn/promote', { version, reason: 'better', testSet, resamples: 50 })));
      assert.deepStrictEqual(rs.map((r) => r.status).sort(), [200, 409], JSON.stringify(rs.map((r) => r.body)));
      const won = rs.find((r) => r.status === 200)?.body['version'];
      const lost = rs.find((r) => r.status === 409)?.body['error'] as { code: string; message: string };
      assert.equal(lost.code, 'conflict');
      assert.match(lost.message, new RegExp(`alias "production" points to ${String(won).replace(/\./g, '\\.')}, expected 1\\.0\\.0 \\(changed concurrently\\)`));
      assert.deepStrictEqual((await call(server.url, 'GET', '/v1/models/churn/aliases')).body, { aliases: { production: won } });
      const promotes = ((await call(server.url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as Array<{ kind: string; to: string }>).filter((d) => d.kind === 'promote');
      assert.deepStrictEqual(promotes.map((d) => d.to), [won]);
    } finally {
      await server.close();
    }
  });
});
