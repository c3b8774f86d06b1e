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
