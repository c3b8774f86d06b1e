import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalNumber } from './decimal.js';

test('decimalNumber reads text as JSON reads a number: hex, binary, octal, spaces, signs and Infinity are not numbers', () => {
  for (const [text, n] of [['0', 0], ['-0', -0], ['12', 12], ['2.5', 2.5], ['-3', -3], ['1e3', 1000], ['1E+3', 1000], ['-1.25e-2', -0.0125], ['1000000000000000000000', 1e21]] as const) {
    assert.equal(decimalNumber(text), n, text);
    assert.equal(decimalNumber(text), JSON.parse(text), `${text} as JSON.parse reads it`);
  }
  for (const text of ['0x10', '0X1f', '0b101', '0o17', ' 12', '12 ', '12\n', '+5', '.5', '5.', '1_000', '00012', '01', 'Infinity', '-Infinity', 'NaN', '1e400', '-1e400', '', '-', '1,5', '1e', 'e3', '１２']) {
    assert.equal(decimalNumber(text), undefined, JSON.stringify(text));
  }
});
