import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const T = NOW - 2 * HOUR;

type Row = { index: number; id?: string; status: string; code?: string; message?: string };

describe('audit4 (labels): per-row answers of POST /v1/labels (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  /** The label stored for each id of a model's predictions (read back from the store). */
  const stored = async (model: string): Promise<Record<string, string>> =>
    Object.fromEntries((await s.deps.store.labelledEvents({ model, from: 0, to: NOW + HOUR })).map((e) => [e.event.id, e.label]));
  const declare = async (name: string, outputKind: string, classes?: string[]): Promise<void> => {
    assert.equal((await call(base, 'POST', '/v1/models', { name, outputKind, ...(classes && { classes }), inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/' + name + '/versions', { version: '1' })).status, 201);
  };
  const predict = async (model: string, ids: string[], prediction: string | number): Promise<void> => {
    const r = await call(base, 'POST', '/v1/events', ids.map((id, i) => ({ id, model, version: '1', timestamp: T + i * 1000, features: {}, prediction })));
    assert.equal(r.body['accepted'], ids.length, JSON.stringify(r.body));
  };
  const labels = async (rows: unknown[]): Promise<{ accepted: number; rejected: number; results: Row[] }> => {
    const r = await call(base, 'POST', '/v1/labels', { labels: rows });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as unknown as { accepted: number; rejected: number; results: Row[] };
  };

  before(async () => {
    s = await testServer({ clock: () => NOW });
    base = s.url;
    await declare('dup', 'binary', ['0', '1']);
    await predict('dup', ['d1', 'd2', 'd3'], '1');
    await declare('ma', 'binary', ['0', '1']);
    await declare('mb', 'binary', ['0', '1']);
    await predict('ma', ['x1', 'x2', 'x3'], '1');
    await declare('reg', 'regression');
    await predict('reg', Array.from({ length: 30 }, (_, i) => `r${i}`), 5);
  });
  after(async () => {
    await s.close();
  });

  test('an id twice in one batch with other labels: the later row is rejected duplicate_in_batch naming the first row (was: both accepted, the last kept)', async () => {
    const r = await labels([{ id: 'd1', label: '1' }, { id: 'd2', label: '0' }, { id: 'd1', label: '0' }]);
    assert.deepEqual(r.results.map((x) => x.code ?? x.status), ['accepted', 'accepted', 'duplicate_in_batch']);
    assert.deepEqual([r.accepted, r.rejected], [2, 1]);
    assert.match(r.results[2]?.message ?? '', /row 0/);
    assert.equal(r.results[2]?.id, 'd1');
    const got = await stored('dup');
    assert.equal(got['d1'], '1', 'the accepted (first) label is the one stored');
    // Sent again identical in one batch (a retry of the same label): both rows ask for what is stored, both accepted.
    const same = await labels([{ id: 'd3', label: '0' }, { id: 'd3', label: 0 }]);
    assert.deepEqual(same.results.map((x) => x.code ?? x.status), ['accepted', 'accepted']);
    assert.equal((await stored('dup'))['d3'], '0');
    // A rejected row does not count as the first: the later valid one is accepted.
    const fixed = await labels([{ id: 'd2', label: 'yes' }, { id: 'd2', label: '1' }]);
    assert.deepEqual(fixed.results.map((x) => x.code ?? x.status), ['invalid_label', 'accepted']);
    assert.equal((await stored('dup'))['d2'], '1');
  });

  test('a label naming another model than its prediction\'s is rejected model_mismatch (was: accepted and joined to the prediction\'s model)', async () => {
    const r = await labels([{ id: 'x1', label: '1', model: 'mb' }, { id: 'x2', label: '1', model: 'ma' }, { id: 'x3', label: '0', model: 7 }, { id: 'x3', label: '0' }]);
    assert.deepEqual(r.results.map((x) => x.code ?? x.status), ['model_mismatch', 'accepted', 'model_mismatch', 'accepted']);
    assert.deepEqual([r.accepted, r.rejected], [2, 2]);
    assert.match(r.results[0]?.message ?? '', /prediction "x1" is of model "ma", not "mb"/);
    assert.match(r.results[2]?.message ?? '', /prediction "x3" is of model "ma", not 7/);
    const got = await stored('ma');
    assert.deepEqual([got['x1'], got['x2'], got['x3']], [undefined, '1', '0']);
    assert.deepEqual(await stored('mb'), {});
  });

  test('a regression label as text is read as a JSON number is: "0x10" (was stored and read as 16), " 12 ", "Infinity" and other forms are invalid_label', async () => {
    const bad = ['0x10', '0X1f', '0b101', '0o17', ' 12 ', '12\n', '+5', '.5', '5.', '1_000', '00012', 'Infinity', '-Infinity', 'NaN', '1e400', '', '1,5', true];
    const good: Array<[string | number, string]> = [['2.5', '2.5'], ['-3', '-3'], ['1e3', '1e3'], ['-1.25E-2', '-1.25E-2'], ['0', '0'], [1e3, '1000'], [-0.5, '-0.5'], ['12', '12']];
    const rows = [...bad, ...good.map(([label]) => label)].map((label, i) => ({ id: `r${i}`, label }));
    const r = await labels(rows);
    const codes = r.results.map((x) => x.code ?? x.status);
    assert.deepEqual(codes, [...bad.map(() => 'invalid_label'), ...good.map(() => 'accepted')], JSON.stringify(rows.map((row, i) => [row.label, codes[i]])));
    assert.match(r.results[0]?.message ?? '', /label "0x10" is not a decimal number/);
    const got = await stored('reg');
    assert.deepEqual(good.map((_, i) => got[`r${bad.length + i}`]), good.map(([, text]) => text));
    assert.equal(Object.keys(got).length, good.length, 'no invalid label stored');
  });

  test('rejected labels are counted on /metrics by code (lookout_labels_rejected_total; was: only the accepted ones counted)', async () => {
    const counts = async (): Promise<Record<string, number>> => {
      const r = await fetch(`${base}/metrics`);
      const text = await r.text();
      return Object.fromEntries([...text.matchAll(/^lookout_labels_rejected_total\{code="([a-z_]+)"\} (\d+)$/gm)].map((m) => [m[1] as string, Number(m[2])]));
    };
    const before = await counts();
    const r = await labels([{ id: 'nope', label: '1' }, { id: 'x1', label: '1', model: 'mb' }, { id: 'd1', label: 'maybe' }, { id: 'd1', label: '1' }]);
    assert.deepEqual(r.results.map((x) => x.code ?? x.status), ['unknown_prediction', 'model_mismatch', 'invalid_label', 'accepted']);
    const after = await counts();
    const delta = (code: string): number => (after[code] ?? 0) - (before[code] ?? 0);
    assert.deepEqual([delta('unknown_prediction'), delta('model_mismatch'), delta('invalid_label'), delta('duplicate_in_batch')], [1, 1, 1, 0]);
  });
});

describe('audit4 (labels): a misspelt keyword of a model\'s input schema is refused, not ignored (real server, lookout serve)', { timeout: 120_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW });
  });
  after(async () => {
    await s.close();
  });

  test('POST /v1/models with propertes, requried or minimun is 400 naming the path and the keyword meant (was 201: the schema checked nothing)', async () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'object', propertes: { age: { type: 'number' } } }, /inputSchema is not a valid input schema: propertes is not a keyword of JSON Schema draft-07 \(did you mean "properties"\?\); an annotation of your own must start with "x-"/],
      [{ type: 'object', properties: { age: { type: 'number' } }, requried: ['age'] }, /requried is not a keyword .*did you mean "required"/],
      [{ type: 'object', properties: { age: { type: 'number', minimun: 0 } } }, /properties\.age\.minimun is not a keyword .*did you mean "minimum"/],
    ];
    for (const [inputSchema, message] of refused) {
      const r = await call(s.url, 'POST', '/v1/models', { name: 'typo', outputKind: 'binary', inputSchema });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      const error = r.body['error'] as { code: string; message: string };
      assert.equal(error.code, 'validation_failed');
      assert.match(error.message, message);
    }
    assert.equal((await call(s.url, 'GET', '/v1/models/typo')).status, 404, 'nothing declared');
    // x- annotations, metadata and every draft-07 keyword still compile.
    const fine = {
      title: 'churn input', description: 'd', $comment: 'c', 'x-owner': 'ml', type: 'object', required: ['age'], additionalProperties: false,
      properties: { age: { type: 'number', minimum: 0, 'x-lookout-kind': 'numerical' }, plan: { type: 'integer', 'x-lookout-kind': 'categorical', enum: [1, 2] }, mail: { type: 'string', format: 'email', default: 'a@b.c' } },
    };
    const ok = await call(s.url, 'POST', '/v1/models', { name: 'fine', outputKind: 'binary', inputSchema: fine });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  test('lookout serve with a misspelt keyword in a config model\'s inputSchema stops with exit 2 and one line', async () => {
    const dir = tempDir('lookout-audit4-labels-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, `dataDir: ${dir}/data\nserver: { port: 0 }\nmodels:\n  - name: churn\n    outputKind: binary\n    inputSchema: { type: object, properties: { age: { type: number, minimun: 0 } } }\n    versions: [{ version: "1" }]\n`);
    const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /invalid config \S+: models\[0\] \(name "churn"\): inputSchema is not a valid input schema: properties\.age\.minimun is not a keyword of JSON Schema draft-07 \(did you mean "minimum"\?\)/);
  });
});
