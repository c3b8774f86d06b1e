import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 27 (ingest), as a platform engineer wiring a feature pipeline to POST /v1/events:
 * - a row with a feature the schema does not declare (`additionalProperties: false`) was refused "/ must NOT have
 *   additional properties", naming neither the feature nor the ones declared: with 40 features, which one?
 * - a batch written by Python's json.dumps (pandas' NaN for a missing value is written `NaN`, not JSON) was refused
 *   whole with "Unexpected token 'N', ..." and no line or column (JSON.parse gives no position for it), nor what to do.
 */
const SCHEMA = {
  type: 'object',
  properties: { age: { type: 'number' }, plan: { type: 'string' }, n: { type: ['integer', 'null'] }, address: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } },
  required: ['age'],
  additionalProperties: false,
};

describe('audit 27 (ingest): refusals that say what to fix', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  before(async () => {
    s = await testServer();
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await ok('PUT', '/v1/models/m/versions/1.0.0', {});
  });
  after(() => s?.close());

  test('an undeclared feature is named, with the features the schema declares there (and the one meant)', async () => {
    const row = (id: string, features: unknown): unknown => ({ id, model: 'm', version: '1.0.0', features, prediction: '1' });
    const r = await ok('POST', '/v1/events', [row('x1', { age: 1, plna: 'a' }), row('x2', { age: 1, address: { city: 'Oslo', zip: '0150' } }), row('x3', { age: 2 })]);
    const results = r['results'] as Array<{ status: string; code?: string; message?: string; details?: unknown }>;
    assert.deepEqual(results.map((x) => x.status), ['rejected', 'rejected', 'accepted']);
    assert.equal(results[0]!.message, 'features do not match the schema of model "m": / has a feature the schema does not declare: "plna" (declared: age, plan, n, address; did you mean "plan"?)');
    assert.deepEqual(results[0]!.details, [{ path: '/', message: 'has a feature the schema does not declare: "plna" (declared: age, plan, n, address; did you mean "plan"?)' }]);
    assert.equal(results[1]!.message, 'features do not match the schema of model "m": /address has a feature the schema does not declare: "zip" (declared: city)');
    const typed = await ok('POST', '/v1/events', [row('x4', { age: 1, n: 2.5 })]);
    assert.equal((typed['results'] as Array<{ message?: string }>)[0]!.message, 'features do not match the schema of model "m": /n must be integer or null (got number 2.5)');
  });

  test('a refused latencyMs or costUsd says what was sent, as a refused score does', async () => {
    const row = (id: string, extra: Record<string, unknown>): unknown => ({ id, model: 'm', version: '1.0.0', features: { age: 1 }, prediction: '1', ...extra });
    const r = await ok('POST', '/v1/events', [row('l1', { latencyMs: '12' }), row('l2', { latencyMs: -3.5 }), row('c1', { costUsd: 1e10 }), row('c2', { costUsd: true })]);
    const messages = (r['results'] as Array<{ message?: string }>).map((x) => x.message);
    assert.deepEqual(messages, [
      'latencyMs must be a number from 0 to 1000000000 (about 11.6 days) (got string "12")',
      'latencyMs must be a number from 0 to 1000000000 (about 11.6 days) (got -3.5)',
      'costUsd must be a number from 0 to 1000000000 (got 10000000000)',
      'costUsd must be a number from 0 to 1000000000 (got boolean true)',
    ]);
  });

  test('NaN or Infinity in a batch (Python\'s json.dumps) is refused saying so, and what to send instead', async () => {
    const body = '{"events": [\n {"id": "n1", "model": "m", "version": "1.0.0", "features": {"age": NaN}, "prediction": "1"}\n]}';
    const r = await call(s.url, 'POST', '/v1/events', body, { 'content-type': 'application/json' });
    assert.equal(r.status, 400);
    const error = r.body['error'] as { code: string; message: string };
    assert.equal(error.code, 'invalid_json');
    assert.match(error.message, /^request body is not valid JSON: .*: NaN, Infinity and -Infinity are not JSON \(line 2, column 69: NaN\): send null for a missing value \(Python: json\.dumps\(\.\.\., allow_nan=False\) finds them; pandas' to_json writes null\)$/);
    const inf = await call(s.url, 'POST', '/v1/events', '[{"id":"n2","model":"m","version":"1.0.0","features":{"age":-Infinity},"prediction":"1"}]', { 'content-type': 'application/json' });
    assert.match((inf.body['error'] as { message: string }).message, /: NaN, Infinity and -Infinity are not JSON \(line 1, column 61: -Infinity\)/);
    // a string holding the word is no such case: the hint is only for the bare token
    const other = await call(s.url, 'POST', '/v1/events', '[{"id":"NaN","model":"m","features":{"age":1},}]', { 'content-type': 'application/json' });
    assert.doesNotMatch((other.body['error'] as { message: string }).message, /not JSON \(/);
  });
});
