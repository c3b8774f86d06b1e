import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../core/random/rng.js';
import { uuidv7 } from './uuid7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

test('uuidv7: RFC 9562 layout (version 7, variant 10), the time in the first 48 bits', () => {
  const before = Date.now();
  const id = uuidv7();
  const after = Date.now();
  assert.match(id, V7);
  assert.ok(timeOf(id) >= before && timeOf(id) <= after, `${timeOf(id)} not in [${before}, ${after}]`);
  assert.equal(timeOf(uuidv7(0)), 0);
  assert.equal(uuidv7(0).slice(0, 13), '00000000-0000');
  assert.equal(timeOf(uuidv7(2 ** 48 - 1)), 2 ** 48 - 1);
  assert.equal(uuidv7(0x0123456789ab).slice(0, 13), '01234567-89ab');
  for (const bad of [-1, 1.5, 2 ** 48, Number.NaN]) assert.throws(() => uuidv7(bad), /epoch milliseconds/);
});

test('uuidv7: unique across pool refills; ids of later milliseconds sort after earlier ones', () => {
  const ids = Array.from({ length: 200_000 }, (_, i) => uuidv7(1_800_000_000_000 + Math.floor(i / 1000)));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids.slice(0, 1000)) assert.match(id, V7);
  for (let i = 1000; i < ids.length; i += 1000) assert.ok((ids[i - 1] as string) < (ids[i] as string), `${ids[i - 1]} < ${ids[i]}`);
  // the random part is random: every hex digit appears in each random position
  for (const pos of [15, 16, 17, 20, 21, 25, 35]) assert.equal(new Set(ids.slice(0, 5000).map((id) => id[pos])).size, 16, `position ${pos}`);
  assert.equal(new Set(ids.slice(0, 5000).map((id) => id[19])).size, 4, 'variant digit: 8, 9, a or b');
});

test('uuidv7: the time digits are the time in hex for any millisecond; an id is its own string, not changed by the next one', () => {
  const rnd = seededRandom(7);
  for (let i = 0; i < 20_000; i++) {
    const ms = Math.floor(rnd.next() * 2 ** 48);
    const t = ms.toString(16).padStart(12, '0');
    const id = uuidv7(ms);
    assert.equal(id.slice(0, 13), `${t.slice(0, 8)}-${t.slice(8)}`, String(ms));
  }
  // the characters are written into one scratch buffer: each id returned must be a copy
  const a = uuidv7(1);
  const b = uuidv7(2 ** 48 - 1);
  assert.equal(a.slice(0, 13), '00000000-0001');
  assert.equal(b.slice(0, 13), 'ffffffff-ffff');
  assert.notEqual(a.slice(14), b.slice(14));
});
