import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lookout, tempDir } from './helpers/cli.js';

/**
 * Audit 15 (offline CLI): `lookout drift`, `metrics` and `report` on files as pandas, R and Python's csv module write
 * them, through the real binary (bin/lookout.js) and DuckDB's reader.
 */
interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; drifted: boolean; stats: Record<string, unknown> }>;
}
interface MetricsJson { n: number; missing: number; metrics: Record<string, { value: number | null }>; classes?: string[] }

const dir = tempDir('lookout-audit15-');
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('audit 15 (offline): a CSV boolean column with missing values written NA', () => {
  // pandas' to_csv(na_rep='NA') and R's write.csv write a boolean column with gaps as True/False/NA (TRUE/FALSE/NA):
  // DuckDB types it VARCHAR (NA is no boolean), so its categories were "True"/"False" while the same column without
  // gaps (typed BOOLEAN) reads "true"/"false": every category new, total drift (Jensen-Shannon 1) on the same data.
  const flags = (n: number, na: boolean): string[] => Array.from({ length: n }, (_, i) => (na && i % 10 === 0 ? 'NA' : i % 3 === 0 ? 'True' : 'False'));
  const rows = (col: string[], other: (i: number) => string): string => ['flag,x', ...col.map((f, i) => `${f},${other(i)}`)].join('\n') + '\n';

  test('drift: the column with NA has the categories of the one without (no new category, no drift)', () => {
    const ref = file('bool-ref.csv', rows(flags(2000, false), (i) => String((i * 7) % 101)));
    const cur = file('bool-cur.csv', rows(flags(2000, true), (i) => String((i * 7) % 101)));
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DriftJson).features.find((x) => x.name === 'flag');
    assert.ok(f);
    // before: newCategories ["False", "True"], score 0.9986, drifted
    assert.deepEqual([f.stats['newCategories'], f.drifted], [[], false], JSON.stringify(f));
    assert.ok((f.score as number) < 0.01, JSON.stringify(f));
  });

  test('metrics: labels True/False/NA against predictions True/False are two classes (NA is an unlabelled row)', () => {
    // R's TRUE/FALSE/NA: 12 rows, 3 without a label; of the 9 others 5 predicted right
    const labels = ['TRUE', 'FALSE', 'NA', 'TRUE', 'TRUE', 'NA', 'FALSE', 'FALSE', 'TRUE', 'NA', 'FALSE', 'TRUE'];
    const preds = ['TRUE', 'FALSE', 'TRUE', 'FALSE', 'TRUE', 'FALSE', 'TRUE', 'FALSE', 'TRUE', 'TRUE', 'TRUE', 'FALSE'];
    const data = file('bool-metrics.csv', ['label,pred', ...labels.map((l, i) => `${l},${preds[i]}`)].join('\r\n') + '\r\n');
    const r = lookout(['metrics', '--data', data, '--task', 'binary', '--label', 'label', '--prediction', 'pred', '--json']);
    // before: exit 2, "binary task but 4 classes found: "FALSE", "TRUE", "false", "true""
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout) as MetricsJson;
    assert.deepEqual([m.n, m.missing, m.metrics['accuracy']?.value], [9, 3, 5 / 9]);
  });
});
