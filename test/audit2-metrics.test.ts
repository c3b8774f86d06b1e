import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { lookout, tempDir } from './helpers/cli.js';
import { assertClose, decodeNumber, loadGolden } from './helpers/golden.js';
import { call, testServer } from './helpers/server.js';

interface MetricsJson {
  n: number;
  missing: number;
  classes?: Array<string | number>;
  positiveLabel?: string | number;
  confusionMatrix?: number[][];
  metrics: Record<string, { value: number | null }>;
}

const dir = tempDir('lookout-audit2-metrics-');

function metrics(name: string, text: string, args: string[]): MetricsJson {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = lookout(['metrics', '--data', file, '--json', '--resamples', '0', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as MetricsJson;
}

describe('audit: lookout metrics reads class columns as the file spells them', () => {
  test('binary: a CSV of yes/no labels and predictions keeps classes no/yes (DuckDB sniffs them as BOOLEAN)', () => {
    const out = metrics('yes-no.csv', 'y,p\nyes,yes\nno,no\nyes,no\nno,no\nyes,yes\n', ['--task', 'binary', '--label', 'y', '--prediction', 'p', '--positive-label', 'yes']);
    assert.deepEqual(out.classes, ['no', 'yes']);
    assert.equal(out.positiveLabel, 'yes');
    assert.deepEqual(out.confusionMatrix, [[2, 0], [1, 2]]);
  });

  test('multiclass: yes/no labels against text predictions match where the file says they do', () => {
    const out = metrics('yes-no-maybe.csv', 'y,p\nyes,yes\nno,no\nyes,no\nno,no\nyes,maybe\n', ['--task', 'multiclass', '--label', 'y', '--prediction', 'p']);
    assert.deepEqual(out.classes, ['maybe', 'no', 'yes']);
    assert.equal(out.metrics['accuracy']?.value, 3 / 5);
  });

  test('true/false in any case stays the classes true/false', () => {
    const out = metrics('true-false.csv', 'y,p\nTrue,true\nFALSE,false\ntrue,False\n', ['--task', 'binary', '--label', 'y', '--prediction', 'p']);
    assert.deepEqual(out.classes, ['false', 'true']);
    assert.deepEqual(out.confusionMatrix, [[1, 0], [1, 1]]);
  });
});

describe('audit: JSON lines whose field mixes numbers and strings', () => {
  const jsonl = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

  test('multiclass: the field is categorical by its values\' text (1 and "1" are one class, strings without their JSON quotes)', () => {
    const out = metrics('mixed-classes.jsonl', jsonl([{ y: 1, p: '1' }, { y: 'b', p: 'b' }, { y: 2, p: 'b' }, { y: 'a', p: 2 }, { y: 'a', p: 'a' }, { y: null, p: 'a' }]),
      ['--task', 'multiclass', '--label', 'y', '--prediction', 'p']);
    assert.deepEqual(out.classes?.map(String), ['1', '2', 'a', 'b']);
    assert.equal(out.n, 5);
    assert.equal(out.missing, 1);
    assert.equal(out.metrics['accuracy']?.value, 3 / 5);
  });

  test('regression: numbers written as strings count as numbers, other text as missing (as in a CSV)', () => {
    const out = metrics('mixed-numbers.jsonl', jsonl([{ y: 1, p: 1.5 }, { y: '2', p: 2 }, { y: 3, p: 'x' }, { y: 4, p: '3.5' }]),
      ['--task', 'regression', '--label', 'y', '--prediction', 'p']);
    assert.equal(out.n, 3);
    assert.equal(out.missing, 1);
    assert.equal(out.metrics['mae']?.value, (0.5 + 0 + 0.5) / 3);
  });

  test('drift: such a field is a categorical feature, not skipped as JSON', () => {
    const ref = join(dir, 'mixed-ref.jsonl');
    const cur = join(dir, 'mixed-cur.jsonl');
    writeFileSync(ref, jsonl(Array.from({ length: 40 }, (_, i) => ({ plan: i % 2 ? 'basic' : 3, n: i }))));
    writeFileSync(cur, jsonl(Array.from({ length: 40 }, (_, i) => ({ plan: i % 4 ? 'basic' : 3, n: i }))));
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { features: Array<{ name: string; kind: string }>; skipped: unknown[] };
    assert.deepEqual(out.skipped, []);
    assert.equal(out.features.find((f) => f.name === 'plan')?.kind, 'categorical');
  });
});

interface GoldenCase {
  name: string;
  labels: string[];
  scoreMatrix: { classes: string[]; columns: Array<Array<number | string | null>> };
  expected: Record<string, number | null>;
}

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('audit: server performance of a multiclass model from its events\' per-class scores (real server, DuckDB file)', () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
  });
  after(async () => {
    await s.close();
  });
  const golden = loadGolden<{ multiclass: GoldenCase[] }>('metrics').multiclass;

  for (const name of ['string classes, ties', 'class never in labels, ties']) {
    test(`rocAuc (one-vs-rest macro) and logLoss as scikit-learn: ${name}`, async () => {
      const c = golden.find((x) => x.name === name) as GoldenCase;
      const sorted = c.scoreMatrix.classes;
      const declared = [...sorted].reverse(); // the model's order, which its events' scores follow
      const model = `mc-${name.replace(/[^a-z]+/g, '-')}`;
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: model, outputKind: 'multiclass', classes: declared, inputSchema: { type: 'object' } })).status, 201);
      assert.equal((await call(s.url, 'POST', '/v1/models/' + model + '/versions', { version: '1' })).status, 201);
      const start = NOW - 3 * HOUR;
      const events = c.labels.map((_, i) => {
        const row = sorted.map((_, j) => decodeNumber(c.scoreMatrix.columns[j]?.[i] ?? null) as number);
        const argmax = row.indexOf(Math.max(...row)); // numpy's first maximum, as the golden predictions
        const byClass = new Map(sorted.map((k, j) => [k, row[j]]));
        return { id: `${model}-${i}`, model, version: '1', timestamp: start + i * 1000, features: {}, prediction: sorted[argmax], scores: declared.map((k) => byClass.get(k)) };
      });
      const ev = await call(s.url, 'POST', '/v1/events', { events });
      assert.equal(ev.body['accepted'], events.length, JSON.stringify(ev.body));
      const lb = await call(s.url, 'POST', '/v1/labels', { labels: c.labels.map((label, i) => ({ id: `${model}-${i}`, label })) });
      assert.equal(lb.body['accepted'], events.length);
      const p = await call(s.url, 'GET', `/v1/models/${model}/performance?from=${start}&to=${start + HOUR}`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      const r = p.body['realized'] as { n: number; metrics: Record<string, { value: number | null; note?: string }> };
      assert.equal(r.n, c.expected['n']);
      for (const m of ['accuracy', 'f1Macro', 'rocAuc', 'logLoss']) assertClose(r.metrics[m]?.value ?? null, c.expected[m] ?? null, m);
      if (c.expected['rocAuc'] === null) assert.match(String(r.metrics['rocAuc']?.note), /no rows with label "ant"/);
    });
  }
});

describe('audit: label delay (real server, DuckDB file)', () => {
  let s: Server;
  let now = NOW;
  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => (c.ingest.sampleRate = 1) });
  });
  after(async () => {
    await s.close();
  });

  test('a prediction timed ahead of the server clock counts as labelled at once (delay 0, never negative); a relabel keeps the first label\'s delay', async () => {
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'delay', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/delay/versions', { version: '1' })).status, 201);
    const start = NOW - 3 * HOUR;
    // 'skew' is stamped an hour ahead of the server's clock (a client clock; up to 24 h is accepted)
    const events = [{ id: 'early', ts: start }, { id: 'skew', ts: NOW + HOUR }].map((e) => ({ id: e.id, model: 'delay', version: '1', timestamp: e.ts, features: {}, prediction: '1' }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 2);
    now = start + 10 * 60_000;
    assert.equal((await call(s.url, 'POST', '/v1/labels', { labels: [{ id: 'early', label: '1' }] })).body['accepted'], 1);
    now = NOW;
    assert.equal((await call(s.url, 'POST', '/v1/labels', { labels: [{ id: 'early', label: '0' }, { id: 'skew', label: '1' }] })).body['accepted'], 2);
    const delays = async (from: number, to: number): Promise<Record<string, number | null>> => {
      const p = await call(s.url, 'GET', `/v1/models/delay/performance?from=${from}&to=${to}`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      return p.body['labelDelayMs'] as Record<string, number | null>;
    };
    // the relabel changed the label, not when the prediction was first labelled
    assert.deepEqual(await delays(start, start + HOUR), { p50: 600_000, p95: 600_000, max: 600_000 });
    const p = await call(s.url, 'GET', `/v1/models/delay/performance?from=${start}&to=${start + HOUR}`);
    assert.equal((p.body['realized'] as { metrics: Record<string, { value: number | null }> }).metrics['accuracy']?.value, 0);
    assert.deepEqual(await delays(NOW, NOW + 2 * HOUR), { p50: 0, p95: 0, max: 0 });
  });
});
