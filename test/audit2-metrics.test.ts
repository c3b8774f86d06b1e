import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookout, tempDir } from './helpers/cli.js';

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
