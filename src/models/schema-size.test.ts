import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEMA_LIMITS, schemaSizeProblem } from './schema-size.js';

test('schemaSizeProblem: realistic schemas pass; each limit is named with its path', () => {
  const ok = { type: 'object', definitions: { score: { type: 'number', minimum: 0 }, alias: { $ref: '#/definitions/score' } }, properties: { a: { $ref: '#/definitions/alias' }, tree: { type: 'array', items: { $ref: '#' } }, plan: { enum: Array.from({ length: SCHEMA_LIMITS.enumValues }, (_, i) => i) } } };
  assert.equal(schemaSizeProblem(ok), undefined);
  assert.match(schemaSizeProblem({ properties: { p: { enum: Array.from({ length: 10_001 }, (_, i) => i) } } }) ?? '', /^properties\.p\.enum has 10001 values, more than the 10,000/);
  assert.match(schemaSizeProblem({ allOf: Array.from({ length: 10_001 }, () => ({})) }) ?? '', /more than 10,000 subschemas \(.*allOf\[9999\] is one more\)/);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.match(schemaSizeProblem({ default: deep }) ?? '', /^default\[0\]\[0\].* nests objects and arrays more than 100 levels deep/);
  assert.match(schemaSizeProblem({ description: 'x'.repeat(1_000_001) }) ?? '', /^the schema is 1000019 characters of JSON, more than the 1,000,000/);
  assert.match(schemaSizeProblem({ $ref: '#' }) ?? '', /^\$ref "#" leads back to itself/);
  assert.match(schemaSizeProblem({ definitions: { 'a/b': { $ref: '#/definitions/c' }, c: { $ref: '#/definitions/a~1b' } } }) ?? '', /definitions\["a\/b"\]\.\$ref "#\/definitions\/c" leads back to itself/);
  const chain: Record<string, unknown> = { end: {} };
  for (let i = 0; i < 33; i++) chain[`d${i}`] = { $ref: i === 32 ? '#/definitions/end' : `#/definitions/d${i + 1}` };
  assert.match(schemaSizeProblem({ definitions: chain }) ?? '', /^definitions\.d0\.\$ref "#\/definitions\/d1" starts a chain of more than 32 \$refs/);
  delete chain['d0'];
  assert.equal(schemaSizeProblem({ definitions: chain }), undefined);
});
