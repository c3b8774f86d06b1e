import assert from 'node:assert/strict';
import { stickyBucket } from '../../src/core/routing/policy.js';
import type { Server } from '../../src/server.js';
import { call, testServer } from './server.js';
import { defaultAnswer, startModelServer, type ModelServer } from './upstream.js';

export const CHURN_SCHEMA = {
  type: 'object', properties: { x: { type: 'number' }, user: { type: 'string' } }, required: ['x'], additionalProperties: false,
};

/** Declares the binary model "churn" and registers versions with upstreams; sets "production" to the first. */
export async function declareChurn(url: string, versions: Array<{ version: string; upstream?: string }>, production?: string): Promise<void> {
  const m = await call(url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: CHURN_SCHEMA, classes: ['no', 'yes'], segmentKeys: ['region'] });
  if (m.status !== 201 && m.status !== 200) throw new Error(`model: ${JSON.stringify(m.body)}`);
  for (const v of versions) {
    const r = await call(url, 'PUT', `/v1/models/churn/versions/${v.version}`, { ...(v.upstream && { upstream: v.upstream }), lineage: { gitCommit: `c-${v.version}` } });
    if (r.status !== 201) throw new Error(`version ${v.version}: ${JSON.stringify(r.body)}`);
  }
  if (production) {
    const a = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: production, reason: 'initial deployment' });
    if (a.status !== 200) throw new Error(`alias: ${JSON.stringify(a.body)}`);
  }
}

/** A server whose registry ticks only when asked, with churn 1.0.0 (production) and 1.1.0 declared (no upstreams). */
export async function churnRegistryServer(): Promise<Server> {
  const server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
  await declareChurn(server.url, [{ version: '1.0.0' }, { version: '1.1.0' }], '1.0.0');
  return server;
}

/** The gateway tests' fixture: churnRegistryServer's server, with 1.0.0 (production) on model server v1 and 2.0.0 on v2. */
export interface TwoVersionGateway {
  server: Server;
  v1: ModelServer;
  /** Answers as v1 does, with `model: 'v2'`. */
  v2: ModelServer;
  /** PUT /v1/models/churn/serving, which must succeed. */
  serving(cfg: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function twoVersionGateway(): Promise<TwoVersionGateway> {
  const server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
  const v1 = await startModelServer();
  const v2 = await startModelServer({ answer: (f) => ({ ...defaultAnswer(f), model: 'v2' }) });
  await declareChurn(server.url, [{ version: '1.0.0', upstream: v1.url }, { version: '2.0.0', upstream: v2.url }], '1.0.0');
  return {
    server, v1, v2,
    serving: async (cfg) => {
      const r = await call(server.url, 'PUT', '/v1/models/churn/serving', cfg);
      assert.equal(r.status, 200, JSON.stringify(r.body));
    },
    close: async () => {
      await server.close();
      for (const s of [v1, v2]) await s.close();
    },
  };
}

/** `count` sticky keys whose canary bucket is below (`canary`) or at/above (`!canary`) a 10% step. */
export function stickyKeys(count: number, canary: boolean, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const k = `${prefix}-${i}`;
    if ((stickyBucket(k) < 1000) === canary) out.push(k);
  }
  return out;
}
