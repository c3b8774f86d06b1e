import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

interface Feature {
  name: string;
  method: string;
  threshold: number;
  score: number | null;
  drifted: boolean;
  note?: string;
  stats: Record<string, unknown> & { ks?: { statistic: number; pValue: number; method: string; errorBound?: number } };
}
interface DriftAnswer {
  features: Feature[];
  datasetDrift: { share: number; drifted: boolean; driftedFeatures: number; features: number };
  skipped?: Array<{ name: string; reason: string }>;
}

type Columns = Record<string, Array<number | string | null>>;

/**
 * The same data through the server (a model whose reference is `ref` uploaded as CSV, `cur` ingested as events in
 * the last hour, drift of that hour) and through `lookout drift --json` on the two CSV files.
 */
class SameData {
  constructor(readonly s: Server, readonly dir: string) {}

  async both(model: string, props: Record<string, unknown>, ref: Columns, cur: Columns, query = ''): Promise<{ server: DriftAnswer; cli: DriftAnswer }> {
    const base = this.s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: model, outputKind: 'regression', inputSchema: { type: 'object', properties: props } })).status, 201);
    assert.equal((await call(base, 'POST', `/v1/models/${model}/versions`, { version: '1' })).status, 201);
    const refPath = join(this.dir, `${model}-ref.csv`);
    const curPath = join(this.dir, `${model}-cur.csv`);
    writeCsv(refPath, ref);
    writeCsv(curPath, cur);
    const up = await call(base, 'PUT', `/v1/models/${model}/versions/1/reference`, readFileSync(refPath, 'utf8'), { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const names = Object.keys(cur);
    const n = cur[names[0] as string]?.length ?? 0;
    const events = Array.from({ length: n }, (_, i) => ({
      id: `${model}-${i}`, model, version: '1', timestamp: new Date(FROM + Math.floor((i * (HOUR - 1000)) / n)).toISOString(),
      features: Object.fromEntries(names.map((k) => [k, cur[k]?.[i] ?? null]).filter(([, v]) => v !== null)), prediction: 0,
    }));
    const ing = await call(base, 'POST', '/v1/events', { events });
    assert.equal(ing.body['accepted'], n, JSON.stringify(ing.body).slice(0, 500));
    const d = await call(base, 'GET', `/v1/models/${model}/drift?${RANGE}${query}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const r = lookout(['drift', '--reference', refPath, '--current', curPath, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return { server: d.body as unknown as DriftAnswer, cli: JSON.parse(r.stdout) as DriftAnswer };
  }
}

const feature = (d: DriftAnswer, name: string): Feature => {
  const f = d.features.find((x) => x.name === name);
  assert.ok(f, `feature ${name} in ${JSON.stringify(d.features.map((x) => x.name))}`);
  return f;
};

describe('drift over stored windows agrees with lookout drift on the same data (real server, DuckDB file, real CLI)', () => {
  let s: Server;
  let data: SameData;
  before(async () => {
    s = await testServer({ clock: () => NOW });
    data = new SameData(s, tempDir('lookout-audit3-drift-'));
  });
  after(async () => {
    await s.close();
  });

  test('a small reference (35 rows): the KS p-value is the exact one the CLI gives, not the limiting formula at the rounded size', async () => {
    // Shifted by 10.5 of 35: D = 11/35, exact p = 0.0625 (no drift); kstwo.sf(D, round(17.5)) = 0.044 said drift.
    const { server, cli } = await data.both('small', { x: { type: 'number' } },
      { x: Array.from({ length: 35 }, (_, i) => i) }, { x: Array.from({ length: 35 }, (_, i) => i + 10.5) });
    const sv = feature(server, 'x');
    const cl = feature(cli, 'x');
    assert.equal(cl.method, 'ks');
    assert.equal(sv.method, 'ks');
    assert.deepEqual(sv.stats.ks, { ...cl.stats.ks, errorBound: 0 });
    assert.equal(sv.score, cl.score);
    assert.equal(sv.drifted, false);
    assert.equal(cl.drifted, false);
  });
});
