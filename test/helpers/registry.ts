import type { Server } from '../../src/server.js';
import { call, testServer } from './server.js';

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
