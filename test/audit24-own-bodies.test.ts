import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 24: routes whose handler reads a required body checked the fields they need but ignored the others, so a
 * misspelt optional field was dropped: `expectFrm` moved an alias without the compare-and-set check the caller asked for,
 * `alais: staging` on a promotion moved production, `gat` compared without the gate meant. Each is now a 400 naming the
 * field (and the one meant), and changes nothing.
 */
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 24: alias, compare and promote bodies refuse fields they do not read (real server)', () => {
  let s: Server;
  const post = poster(() => s.url);
  const aliases = async (): Promise<Record<string, string>> => (await call(s.url, 'GET', '/v1/models/m/aliases')).body['aliases'] as Record<string, string>;
  const refused = (r: { status: number; body: Record<string, unknown> }, field: string, meant: string): void => {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const e = r.body['error'] as { code: string; message: string; details: { unknown: string[]; suggestions: Record<string, string> } };
    assert.equal(e.code, 'validation_failed');
    assert.match(e.message, new RegExp(`unknown field "${field}".*did you mean "${meant}"`));
    assert.deepEqual(e.details.unknown, [field]);
  };
  before(async () => {
    s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'regression', inputSchema: SCHEMA });
    for (const version of ['1.0.0', '1.1.0']) {
      await post('/v1/models/m/versions', { version });
      const reg = await call(s.url, 'PUT', `/v1/models/m/versions/${version}`, {});
      assert.ok(reg.status < 300, JSON.stringify(reg.body));
    }
    const set = await call(s.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'first' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
  });
  after(() => s?.close());

  test('PUT /aliases/:alias with a misspelt expectFrom is refused and moves nothing; spelt right, its check holds', async () => {
    refused(await call(s.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.1.0', reason: 'r', expectFrm: '0.9.0' }), 'expectFrm', 'expectFrom');
    assert.equal((await aliases())['production'], '1.0.0');
    const checked = await call(s.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.1.0', reason: 'r', expectFrom: '0.9.0' });
    assert.equal(checked.status, 409, JSON.stringify(checked.body));
    assert.equal((await aliases())['production'], '1.0.0');
  });

  test('POST /promote with a misspelt alias is refused and moves no alias', async () => {
    refused(await call(s.url, 'POST', '/v1/models/m/promote', { version: '1.1.0', reason: 'r', force: true, alais: 'staging' }), 'alais', 'alias');
    assert.deepEqual(await aliases(), { production: '1.0.0' });
    const ok = await call(s.url, 'POST', '/v1/models/m/promote', { version: '1.1.0', reason: 'r', force: true, alias: 'staging' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(await aliases(), { production: '1.0.0', staging: '1.1.0' });
  });

  test('POST /compare with a misspelt gate is refused', async () => {
    const testSet = { labels: [1, 2, 3], current: { predictions: [1, 2, 4] }, candidate: { predictions: [1, 2, 3] } };
    refused(await call(s.url, 'POST', '/v1/models/m/compare', { current: '1.0.0', candidate: '1.1.0', testSet, gat: { minImprovement: 1 } }), 'gat', 'gate');
    const ok = await call(s.url, 'POST', '/v1/models/m/compare', { current: '1.0.0', candidate: '1.1.0', testSet, gate: { minImprovement: 1 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe('audit 24: a prediction request refuses a field it does not read (real gateway, loopback model servers)', () => {
  let g: TwoVersionGateway;
  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g?.close());

  test('a misspelt segment or key is a 400 naming it, before any upstream call; the four fields are taken', async () => {
    const before = g.v1.requests + g.v2.requests;
    for (const [field, value] of [['segmnt', { region: 'eu' }], ['kye', 'u-1'], ['x', 1]] as const) {
      const r = await call(g.server.url, 'POST', '/v1/models/churn/predict', { features: { x: 1 }, [field]: value });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      const e = r.body['error'] as { code: string; message: string };
      assert.equal(e.code, 'validation_failed');
      assert.match(e.message, new RegExp(`unknown field "${field}"; known: features, id, segment, key`));
    }
    assert.equal(g.v1.requests + g.v2.requests, before, 'no upstream called');
    const ok = await call(g.server.url, 'POST', '/v1/models/churn/predict', { features: { x: 1 }, id: 'p-1', segment: {}, key: 'u-1' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});
