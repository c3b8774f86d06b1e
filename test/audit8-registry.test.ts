import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { defaultAnswer, startModelServer, type ModelServer } from './helpers/upstream.js';

type Json = Record<string, unknown>;

describe('audit 8: the promotion gate checks the test set\'s features against the input schema before scoring', { timeout: 90_000 }, () => {
  let g: TwoVersionGateway;
  before(async () => {
    g = await twoVersionGateway();
  });
  after(async () => {
    await g.close();
  });

  test('audit 8: a test-set row whose features break the schema is a 400 naming the row and field, no model server called, alias unchanged', async () => {
    const dir = tempDir('lookout-audit8-promote-');
    const rows = Array.from({ length: 20 }, (_, i) => ({ features: { x: (i - 10) / 3 }, label: i >= 10 ? 'yes' : 'no' }));
    // row 7's x exported as a string (a CSV round trip): sent as it was, both model servers answered something for it
    const bad = rows.map((r, i) => (i === 7 ? { ...r, features: { x: String(r.features.x) } } : r));
    const file = join(dir, 'test-set.jsonl');
    writeFileSync(file, bad.map((r) => JSON.stringify(r)).join('\n'));
    const calls = (): number => g.v1.requests + g.v2.requests;
    const before0 = calls();
    const r = await lookoutAsync(['promote', 'churn', '2.0.0', '--url', g.server.url, '--reason', 'retrained', '--test-set', file, '--min-improvement', '-1', '--json']);
    assert.equal(r.code, 2, r.stderr);
    const e = (JSON.parse(r.stdout) as { error: { code: string; message: string; details: Json } }).error;
    assert.equal(e.code, 'validation_failed', r.stdout);
    assert.match(e.message, /testSet\.rows\[7\]\.features .*\/x must be number/);
    assert.equal(e.details['row'], 7);
    assert.equal(calls(), before0, 'no model server is called for a test set the schema refuses');
    assert.equal(((await call(g.server.url, 'GET', '/v1/models/churn/aliases')).body as { aliases: Json }).aliases['production'], '1.0.0');
    // a misspelt feature name through the API (the schema allows no other property), and a row without features
    const typo = await call(g.server.url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '2.0.0', testSet: { rows: [rows[0], { features: { X: 1 }, label: 'yes' }] } });
    assert.equal(typo.status, 400, JSON.stringify(typo.body));
    const te = (typo.body as { error: { code: string; message: string; details: { row: number; errors: Array<{ path: string }> } } }).error;
    assert.equal(te.code, 'validation_failed');
    assert.equal(te.details.row, 1);
    assert.equal(te.details.errors[0]?.path, '/x');
    const none = await call(g.server.url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '2.0.0', testSet: { rows: [{ label: 'yes' }] } });
    assert.equal(none.status, 400, JSON.stringify(none.body));
    assert.match(JSON.stringify(none.body), /testSet\.rows\[0\]\.features must be an object/);
    assert.equal(calls(), before0);
    // flat rows whose label field is not --label's: refused before anything is sent, naming the option
    const flat = join(dir, 'flat.jsonl');
    writeFileSync(flat, rows.map((x) => JSON.stringify({ ...x.features, churned: x.label })).join('\n'));
    const noLabel = await lookoutAsync(['promote', 'churn', '2.0.0', '--url', g.server.url, '--reason', 'retrained', '--test-set', flat]);
    assert.equal(noLabel.code, 2, noLabel.stderr);
    assert.match(noLabel.stderr, /flat\.jsonl: no row has a label in the field "label" \(--label names the label field\)/);
    assert.equal(calls(), before0);
    // the same test set with the string fixed is scored and promoted
    writeFileSync(file, rows.map((x) => JSON.stringify(x)).join('\n'));
    const ok = await lookoutAsync(['promote', 'churn', '2.0.0', '--url', g.server.url, '--reason', 'retrained', '--test-set', file, '--min-improvement', '-1']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /churn production: 1\.0\.0 -> 2\.0\.0/);
    assert.equal(calls(), before0 + 2 * rows.length);
  });
});

describe('audit 8: a model server failing while the promotion gate scores the test set answers as the gateway does', { timeout: 90_000 }, () => {
  let g: TwoVersionGateway;
  const extra: ModelServer[] = [];
  before(async () => {
    g = await twoVersionGateway();
    const failing = await startModelServer({ failEvery: 1 });
    const hanging = await startModelServer({ hang: true });
    const typo = await startModelServer({ answer: (f) => ({ ...defaultAnswer(f), prediction: 'Yes' }) });
    extra.push(failing, hanging, typo);
    for (const [v, s] of [['3.0.0', failing], ['4.0.0', hanging], ['5.0.0', typo]] as const) {
      const r = await call(g.server.url, 'PUT', `/v1/models/churn/versions/${v}`, { upstream: s.url });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await g.serving({ alias: 'production', timeoutMs: 200 });
  });
  after(async () => {
    await g.close();
    for (const s of extra) await s.close();
  });

  test('audit 8: an error status is a 502 upstream_error, a timeout a 504 upstream_timeout, a label outside the classes a 502 naming the version (not a 503, nor a 400 blaming the request)', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ features: { x: i - 3 }, label: i >= 3 ? 'yes' : 'no' }));
    const compare = async (candidate: string): Promise<{ status: number; code: string; message: string; details: Json }> => {
      const r = await call(g.server.url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate, testSet: { rows } });
      const e = (r.body as { error: { code: string; message: string; details: Json } }).error;
      return { status: r.status, ...e };
    };
    const failing = await compare('3.0.0');
    assert.deepEqual([failing.status, failing.code], [502, 'upstream_error'], failing.message);
    assert.match(failing.message, /scoring the test set with 3\.0\.0 failed at row \d: upstream answered HTTP 500/);
    assert.equal(failing.details['version'], '3.0.0');
    assert.equal(failing.details['failure'], 'status');
    const hanging = await compare('4.0.0');
    assert.deepEqual([hanging.status, hanging.code], [504, 'upstream_timeout'], hanging.message);
    assert.match(hanging.message, /did not answer within 200 ms/);
    const typo = await compare('5.0.0');
    assert.deepEqual([typo.status, typo.code], [502, 'upstream_error'], typo.message);
    assert.match(typo.message, /scoring the test set with 5\.0\.0 failed at row \d: upstream answered "Yes": not one of the model's classes \(no, yes\)/);
    // the CLI: exit 2 with the server's code
    const dir = tempDir('lookout-audit8-scoring-');
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const cli = await lookoutAsync(['promote', 'churn', '3.0.0', '--url', g.server.url, '--reason', 'r', '--test-set', file, '--json']);
    assert.equal(cli.code, 2, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { error: { code: string } }).error.code, 'upstream_error');
    assert.equal(((await call(g.server.url, 'GET', '/v1/models/churn/aliases')).body as { aliases: Json }).aliases['production'], '1.0.0');
  });
});
