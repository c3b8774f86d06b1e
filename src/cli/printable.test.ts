import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable } from './printable.js';
import { table } from './format.js';

test('control characters, DEL, C1 and bidi controls are shown escaped; other text as it is', () => {
  assert.equal(printable('\u001b[2Jcity\u0007'), '\\u001b[2Jcity\\u0007');
  assert.equal(printable('a\u007fb\u009bc'), 'a\\u007fb\\u009bc');
  assert.equal(printable('\u202euser\u2066x\u2069'), '\\u202euser\\u2066x\\u2069');
  assert.equal(printable('line\nnext\ttab\r'), 'line\\u000anext\\u0009tab\\u000d');
  assert.equal(printable('line\nnext\ttab\r', true), 'line\nnext\ttab\\u000d');
  assert.equal(printable('Zürich 東京 😀 café'), 'Zürich 東京 😀 café');
});

test('a table cell holding a newline or an escape sequence stays on its row', () => {
  const out = table(['feature', 'score'], [['a\nb', '1'], ['\u001b[31mred', '2']]);
  assert.equal(out.split('\n').length, 5, out);
  assert.ok(!out.includes('\u001b'), out);
  assert.ok(out.includes('a\\u000ab'), out);
});
