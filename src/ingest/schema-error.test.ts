import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorObject } from 'ajv';
import { schemaErrorMessage, shown, valueAt } from './schema-error.js';

const error = (e: Partial<ErrorObject>): ErrorObject => ({ instancePath: '', schemaPath: '#', keyword: 'x', params: {}, ...e });

test('valueAt reads a JSON pointer, ~1 and ~0 escaped; undefined where nothing is', () => {
  const doc = { a: [{ 'b/c': 1, 'd~e': 2 }], __proto__x: 3 };
  assert.equal(valueAt(doc, '/a/0/b~1c'), 1);
  assert.equal(valueAt(doc, '/a/0/d~0e'), 2);
  assert.equal(valueAt(doc, '/a/1'), undefined);
  assert.equal(valueAt(doc, '/toString'), undefined);
  assert.equal(valueAt(doc, ''), doc);
});

test('enum names at most 10 allowed values, each cut at 60 characters, and the value sent', () => {
  const allowed = Array.from({ length: 12 }, (_, i) => `v${i}`);
  const m = schemaErrorMessage(error({ keyword: 'enum', instancePath: '/c', params: { allowedValues: allowed }, message: 'must be equal to one of the allowed values' }), { c: 'x'.repeat(100) });
  assert.equal(m, `must be equal to one of the allowed values: ${allowed.slice(0, 10).map((v) => `"${v}"`).join(', ')}, ... (2 more) (got "${'x'.repeat(59)}…)`);
});

test('type and const say what was sent; other keywords keep Ajv\'s message', () => {
  assert.equal(schemaErrorMessage(error({ keyword: 'type', instancePath: '/n', message: 'must be number' }), { n: [1] }), 'must be number (got an array)');
  assert.equal(schemaErrorMessage(error({ keyword: 'type', instancePath: '/n', message: 'must be number' }), { n: null }), 'must be number (got null)');
  assert.equal(schemaErrorMessage(error({ keyword: 'const', instancePath: '/k', params: { allowedValue: 'a' }, message: 'must be equal to constant' }), { k: 'b' }), 'must be equal to constant "a" (got "b")');
  assert.equal(schemaErrorMessage(error({ keyword: 'minimum', instancePath: '/n', message: 'must be >= 0' }), { n: -1 }), 'must be >= 0');
});

test('audit 24: shown() of a value nested too deep for JSON.stringify describes it (String() of it overflowed the stack: a 500 for an invalid_score row)', () => {
  let deep: unknown = 0.5;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(shown(deep), 'an array nested too deep to show');
  let obj: unknown = {};
  for (let i = 0; i < 100_000; i++) obj = { a: obj };
  assert.equal(shown(obj), 'an object nested too deep to show');
  assert.equal(shown([0.2, '0.8']), '[0.2,"0.8"]');
  assert.equal(shown('x'.repeat(100)), `"${'x'.repeat(59)}…`);
});
