import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 28 (CLI): `lookout monitors list` showed a monitor of a segment in the same words as the monitor of all traffic
 * of the same metric ("churn  errorRate  1h ..."): the segment was in no column. Its metric is now followed by its
 * segment, as `lookout alerts list` names an alert's (audit 27), values decoded.
 */
describe('audit 28: lookout monitors list names a segment monitor\'s segment', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  before(async () => {
    s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'regression', inputSchema: { type: 'object' }, segmentKeys: ['region'] });
    const levels = [{ severity: 'warning', threshold: 0.1 }];
    await ok('POST', '/v1/monitors', { id: 'all', model: 'churn', metric: 'errorRate', window: '1h', levels });
    await ok('POST', '/v1/monitors', { id: 'sp', model: 'churn', metric: 'errorRate', window: '1h', segment: 'region=S%C3%A3o%20Paulo', levels });
  });
  after(() => s?.close());

  test('the all-traffic monitor\'s metric alone, the segment monitor\'s with its segment', async () => {
    const r = await lookoutAsync(['monitors', 'list', '--url', s.url]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').slice(2).map((line) => line.split(/\s{2,}/));
    assert.deepEqual(rows.map((row) => [row[0], row[2]]), [['all', 'errorRate'], ['sp', 'errorRate (segment region=São Paulo)']]);
  });
});
