import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../../src/server.js';
import { lookout, writeCsv } from './cli.js';
import { call } from './server.js';

export const HOUR = 3_600_000;
/** The drift tests' clock: the current data is ingested in the hour before it. */
export const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
export const FROM = NOW - HOUR;
export const RANGE = `from=${FROM}&to=${NOW}`;

export interface DriftFeature {
  name: string;
  method: string;
  threshold: number;
  score: number | null;
  drifted: boolean;
  note?: string;
  stats: Record<string, unknown> & { ks?: { statistic: number; pValue: number; method: string; errorBound?: number } };
}
export interface DriftAnswer {
  features: DriftFeature[];
  datasetDrift: { share: number; drifted: boolean; threshold: number; driftedFeatures: number; features: number };
  skipped?: Array<{ name: string; reason: string }>;
}

export type Columns = Record<string, Array<number | string | null>>;

/**
 * The same data through the server (a model whose reference is `ref` uploaded as CSV, `cur` ingested as events in
 * the last hour, drift of that hour, `query` appended to the drift request) and through `lookout drift --json` on
 * the two CSV files (`cliArgs` appended).
 */
export class SameData {
  constructor(readonly s: Server, readonly dir: string) {}

  async both(model: string, props: Record<string, unknown>, ref: Columns, cur: Columns, query = '', cliArgs: string[] = []): Promise<{ server: DriftAnswer; cli: DriftAnswer }> {
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
    const r = lookout(['drift', '--reference', refPath, '--current', curPath, '--json', ...cliArgs]);
    assert.equal(r.code, 0, r.stderr);
    return { server: d.body as unknown as DriftAnswer, cli: JSON.parse(r.stdout) as DriftAnswer };
  }
}

export function driftFeature(d: DriftAnswer, name: string): DriftFeature {
  const f = d.features.find((x) => x.name === name);
  assert.ok(f, `feature ${name} in ${JSON.stringify(d.features.map((x) => x.name))}`);
  return f;
}
