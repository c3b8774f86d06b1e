/**
 * Audit 16: parity of the two storage backends. scripts/fuzz/server-parity.mjs runs a real `lookout serve` on a fresh
 * DuckDB data dir and another on a fresh PostgreSQL schema, sends both the same seeded traffic through the HTTP API and
 * compares every read endpoint's JSON answers (scripts/fuzz/parity-compare.mjs: equal, key order included, but for the
 * fields it lists with their reasons). Here: the comparison itself, and a short run of the fuzzer (one seed, fewer
 * questions) when LOOKOUT_TEST_PG_URL names a PostgreSQL database. The larger run: node scripts/fuzz/server-parity.mjs FIRST COUNT.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';

type Diff = (a: unknown, b: unknown, path: string, out: string[], near: string[]) => void;
const compare = async (): Promise<{ diff: Diff; inStableOrder: (a: unknown[]) => unknown[] }> =>
  (await import(pathToFileURL(join(process.cwd(), 'scripts', 'fuzz', 'parity-compare.mjs')).href)) as { diff: Diff; inStableOrder: (a: unknown[]) => unknown[] };

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const noPg = pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the DuckDB/PostgreSQL parity run needs a PostgreSQL database';

describe('audit16 parity: the comparison of the backend fuzzer', () => {
  test('values, lengths, missing keys and the keys\' order are differences; excluded stamps and generated ids are not', async () => {
    const { diff } = await compare();
    const out: string[] = [];
    diff({ a: 1, b: { c: [1, 2] }, d: 'x' }, { b: { c: [1, 3] }, a: 1, e: 'x' }, '', out, []);
    assert.deepEqual(out.map((x) => x.split(':')[0]), ['', 'b.c[]', 'd', 'e']);
    const none: string[] = [];
    const uuid = (n: number): string => `01a2493a-fb1f-7881-b498-ee1b879f4dd${n}`;
    diff({ createdAt: 1, results: [{ id: uuid(1) }], deployments: [{ at: 5, id: 'x', to: '1.0.0' }] },
      { createdAt: 2, results: [{ id: uuid(2) }], deployments: [{ at: 6, id: 'y', to: '1.0.0' }] }, '', none, []);
    assert.deepEqual(none, []);
    // an id the client sent is compared, as is every number (no float tolerance is granted)
    const sent: string[] = [];
    diff({ results: [{ id: 's1-a' }], x: 0.1 + 0.2 }, { results: [{ id: 's1-b' }], x: 0.3 }, '', sent, []);
    assert.equal(sent.length, 2, sent.join('\n'));
  });
});

describe('audit16 parity: DuckDB and PostgreSQL answer the same traffic alike (scripts/fuzz/server-parity.mjs)', { skip: noPg, timeout: 240_000 }, () => {
  test('one seed (a segment limit and a labelled-events cap; a stop and a start mid-way), fewer questions: no difference', async () => {
    const child = spawn(process.execPath, [join('scripts', 'fuzz', 'server-parity.mjs'), '6', '1'], {
      env: { ...process.env, PARITY_PG_URL: pgUrl, PARITY_QUICK: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, out);
    const summary = JSON.parse(out.split('\n').find((l) => l.startsWith('{"seeds"')) ?? '{}') as { seeds?: number; checks?: number; differences?: number };
    assert.equal(summary.seeds, 1, out);
    assert.equal(summary.differences, 0, out);
    assert.ok((summary.checks ?? 0) > 200, out);
  });
});
