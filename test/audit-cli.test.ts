import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';

interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; stats: Record<string, unknown> & { quality: Record<string, number | boolean> } }>;
  reference: { rows: number };
  current: { rows: number };
}

const dir = tempDir('lookout-audit-cli-');

function drift(ref: string, cur: string): DriftJson {
  const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DriftJson;
}

function feature(out: DriftJson, name: string): DriftJson['features'][number] {
  const f = out.features.find((x) => x.name === name);
  assert.ok(f, `feature ${name} in ${JSON.stringify(out.features.map((x) => x.name))}`);
  return f;
}

describe('lookout drift reads columns whose types only show after the first 100000 rows', () => {
  test('a decimal and a text value after row 100000 do not make the file unreadable', () => {
    const n = 100_500;
    // z: integers, then one decimal at the very end; c: integer codes, then one text value at the very end.
    const z = Array.from({ length: n }, (_, i) => (i === n - 1 ? '2.5' : String(i % 7)));
    const c = Array.from({ length: n }, (_, i) => (i === n - 1 ? 'abc' : String(i % 3)));
    const ref = join(dir, 'late-ref.csv');
    writeCsv(ref, { z, c });
    const out = drift(ref, ref);
    assert.equal(out.reference.rows, n);
    const fz = feature(out, 'z');
    assert.equal(fz.kind, 'numerical');
    assert.equal(fz.stats.quality['missingReference'], 0);
    const fc = feature(out, 'c');
    assert.equal(fc.kind, 'categorical');
    assert.equal(fc.stats.quality['missingReference'], 0);
  });
});
