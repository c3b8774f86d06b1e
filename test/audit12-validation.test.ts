/**
 * Audit 12 (docs walk, found and left): a request refused by its route's JSON schema said neither which field was unknown
 * ("body must NOT have additional properties"), nor what a pattern means ("body/name must match pattern ^[A-Za-z0-9]..."),
 * nor the values allowed ("must be equal to one of the allowed values"); the same mistakes in lookout.yaml were named.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

describe('audit12: schema refusals in words', () => {
  let srv: Server;
  before(async () => {
    srv = await testServer();
  });
  after(async () => {
    await srv.close();
  });
  const refusal = async (method: string, path: string, body: unknown): Promise<{ message: string; errors: Array<Record<string, unknown>> }> => {
    const r = await call(srv.url, method, path, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const e = r.body['error'] as { code: string; message: string; details: { errors: Array<Record<string, unknown>> } };
    assert.equal(e.code, 'validation_failed');
    return { message: e.message, errors: e.details.errors };
  };

  test('an unknown field is named, with the known ones', async () => {
    const r = await refusal('POST', '/v1/models', { name: 'mx', outputKind: 'binary', inputSchema: {}, segmentkeys: ['region'] });
    assert.equal(r.message, 'body has an unknown field "segmentkeys"; known: name, outputKind, inputSchema, segmentKeys, classes, description; did you mean "segmentKeys"?'); // audit 25: the field meant
    // details as before: Ajv's errors, without the schema or the value verbose mode adds
    assert.deepStrictEqual(Object.keys(r.errors[0] ?? {}).sort(), ['instancePath', 'keyword', 'message', 'params', 'schemaPath']);
    assert.deepStrictEqual(r.errors[0]?.['params'], { additionalProperty: 'segmentkeys' });
  });

  test('a pattern says what it means, an enum its values, a type what was sent; each with the value sent', async () => {
    assert.equal((await refusal('POST', '/v1/models', { name: 'churn model', outputKind: 'binary', inputSchema: {} })).message,
      'body/name must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit (got "churn model")');
    assert.equal((await refusal('POST', '/v1/models', { name: 'mx', outputKind: 'binar', inputSchema: {} })).message,
      'body/outputKind must be one of "binary", "multiclass", "regression" (got "binar"; did you mean "binary"?)'); // audit 25
    assert.equal((await refusal('POST', '/v1/models', { name: 5, outputKind: 'binary', inputSchema: {} })).message, 'body/name must be string (got number)');
    const long = 'x'.repeat(5_000);
    const m = (await refusal('POST', '/v1/models', { name: long, outputKind: 'binary', inputSchema: {} })).message;
    assert.ok(m.length < 200, `a long value is cut: ${m.length} characters`);
  });
});
