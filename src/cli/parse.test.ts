import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { parseInteger, parseNumber } from './parse.js';

test('parseNumber: decimal numbers, with a fraction or an exponent', () => {
  for (const [s, n] of [['0', 0], ['-2.5', -2.5], ['+3', 3], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['2.5E-2', 0.025]] as const) assert.equal(parseNumber(s), n, s);
});

test('parseNumber and parseInteger refuse what Number() reads but a person does not mean (audit 13 lead: --seed 0x10 was 16)', () => {
  for (const s of ['0x10', '0b11', '0o7', ' 5', '5 ', '', 'Infinity', '-Infinity', 'NaN', '1e400', '1,5', '5abc', '.', 'e3']) {
    assert.throws(() => parseNumber(s), InvalidArgumentError, JSON.stringify(s));
    assert.throws(() => parseInteger(s), InvalidArgumentError, JSON.stringify(s));
  }
});

test('parseInteger: decimal digits with an optional sign, and safe integers only', () => {
  for (const [s, n] of [['0', 0], ['42', 42], ['-7', -7], ['+8', 8], ['007', 7]] as const) assert.equal(parseInteger(s), n, s);
  for (const s of ['1e3', '2.0', '2.5', '9007199254740993']) assert.throws(() => parseInteger(s), /is not an integer\./, s);
});
