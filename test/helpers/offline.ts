import assert from 'node:assert/strict';
import { call } from './server.js';

/** What `lookout drift --json` prints, as far as the offline tests read it. */
export interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; drifted: boolean; note?: string; stats: Record<string, unknown> }>;
  reference: { rows: number };
  current: { rows: number };
}

/** A binary model `name` (version 1, classes no/yes) whose features are `props` (JSON schema types), for reference uploads. */
export async function referenceModel(url: string, name: string, props: Record<string, string>): Promise<void> {
  const properties = Object.fromEntries(Object.entries(props).map(([k, type]) => [k, { type }]));
  assert.equal((await call(url, 'POST', '/v1/models', { name, outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties } })).status, 201);
  assert.equal((await call(url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
}
