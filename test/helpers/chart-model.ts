import assert from 'node:assert/strict';
import { call, succeeding } from './server.js';

/**
 * Declares a regression model of one number feature `x` with version 1 and a reference of 60 rows, so that its
 * dashboard charts (drift too) answer rather than leave a 422 in the page's console: the set-up of the dashboard tests
 * that open a model page (audit24-web2, audit25-silences-web).
 */
export async function declareChartModel(url: string, model: string): Promise<void> {
  const ok = succeeding(() => url);
  await ok('POST', '/v1/models', { name: model, outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  await ok('POST', `/v1/models/${model}/versions`, { version: '1' });
  const csv = `x\n${Array.from({ length: 60 }, (_, i) => i % 10).join('\n')}\n`;
  const up = await call(url, 'PUT', `/v1/models/${model}/versions/1/reference`, csv, { 'content-type': 'text/csv' });
  assert.equal(up.status, 200, JSON.stringify(up.body));
}
