import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { closest, unknownKeyword } from './schema-keywords.js';

const known = new Set(Object.keys(new Ajv({ strict: false }).RULES.keywords));

test('unknownKeyword names a misspelt keyword at its path with the nearest known one; x- annotations and data pass', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ type: 'object', propertes: { x: { type: 'number' } } }, /^propertes is not a keyword of JSON Schema draft-07 \(did you mean "properties"\?\); an annotation of your own must start with "x-"$/],
    [{ type: 'object', properties: { x: { type: 'number' } }, requried: ['x'] }, /^requried .*did you mean "required"/],
    [{ type: 'object', properties: { age: { type: 'number', minimun: 0 } } }, /^properties\.age\.minimun .*did you mean "minimum"/],
    [{ properties: { 'a b': { tpye: 'string' } } }, /^properties\["a b"\]\.tpye .*"type"/],
    [{ properties: { l: { type: 'array', items: [{ type: 'string' }, { maxLenght: 3 }] } } }, /^properties\.l\.items\[1\]\.maxLenght .*"maxLength"/],
    [{ anyOf: [{}, { not: { patern: 'a' } }] }, /^anyOf\[1\]\.not\.patern .*"pattern"/],
    [{ definitions: { d: { additionalProperties: { enumm: [1] } } } }, /^definitions\.d\.additionalProperties\.enumm .*"enum"/],
    [{ dependencies: { a: ['b'], c: { requird: ['d'] } } }, /^dependencies\.c\.requird/],
    [{ if: {}, then: {}, else: { constt: 1 } }, /^else\.constt .*"const"/],
    [{ prefixItems: [] }, /^prefixItems is not a keyword of JSON Schema draft-07/],
    [{ 'X-kind': 1 }, /^\["X-kind"\] is not/],
    [{ zzzzqqq: 1 }, /^zzzzqqq is not a keyword of JSON Schema draft-07; an annotation/],
  ];
  for (const [schema, message] of cases) assert.match(unknownKeyword(schema, known) ?? '(none)', message, JSON.stringify(schema));
  const fine = {
    $schema: 'http://json-schema.org/draft-07/schema#', $id: 'urn:m', title: 't', description: 'd', $comment: 'c', 'x-owner': 'ml',
    type: 'object', required: ['x'], additionalProperties: false,
    properties: {
      x: { type: 'number', minimum: 0, exclusiveMaximum: 9, 'x-lookout-kind': 'categorical', default: { propertes: 1 }, examples: [{ requried: 1 }] },
      s: { type: 'string', enum: ['a'], format: 'email', pattern: '^a', minLength: 1, maxLength: 2, nullable: true },
      l: { type: 'array', items: { $ref: '#/definitions/n' }, minItems: 0, uniqueItems: true, contains: { const: { minimun: 1 } } },
      b: true, propertes: { type: 'string' },
    },
    patternProperties: { '^z': { oneOf: [{ type: 'null' }, { allOf: [{ multipleOf: 1 }] }] } },
    definitions: { n: { type: 'number', readOnly: true, deprecated: false } },
    dependencies: { x: ['s'] },
  };
  assert.equal(unknownKeyword(fine, known), undefined);
  assert.equal(unknownKeyword({}, known), undefined);
});

test('closest suggests only a near keyword', () => {
  assert.equal(closest('minimun', known), 'minimum');
  assert.equal(closest('MinLength', known), 'minLength');
  assert.equal(closest('colour', known), undefined);
});
