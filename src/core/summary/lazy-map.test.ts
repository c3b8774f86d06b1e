import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyMap } from './lazy-map.js';

function counted(): { m: LazyMap<string, number>; calls: string[] } {
  const calls: string[] = [];
  const m = new LazyMap<string, number>();
  m.set('a', 1);
  m.defer('b', () => (calls.push('b'), 2));
  m.defer('c', () => (calls.push('c'), 3));
  return { m, calls };
}

test('keys, has and size never decode; get decodes one value, once', () => {
  const { m, calls } = counted();
  assert.equal(m.size, 3);
  assert.ok(m.has('b'));
  assert.deepEqual([...m.keys()], ['a', 'b', 'c']);
  assert.deepEqual(calls, []);
  assert.equal(m.pendingCount, 2);
  assert.equal(m.get('c'), 3);
  assert.equal(m.get('c'), 3);
  assert.deepEqual(calls, ['c']);
  assert.equal(m.pendingCount, 1);
  assert.equal(m.get('zz'), undefined);
});

test('every way of walking the map decodes first and keeps the insertion order', () => {
  for (const walk of [
    (m: Map<string, number>) => [...m],
    (m: Map<string, number>) => [...m.entries()],
    (m: Map<string, number>) => [...m.values()].map((v, i) => [['a', 'b', 'c'][i], v]),
    (m: Map<string, number>) => { const out: unknown[] = []; m.forEach((v, k) => out.push([k, v])); return out; },
    (m: Map<string, number>) => Object.entries(Object.fromEntries(m)),
  ]) {
    const { m, calls } = counted();
    assert.deepEqual(walk(m), [['a', 1], ['b', 2], ['c', 3]]);
    assert.deepEqual(calls.sort(), ['b', 'c']);
    assert.equal(m.pendingCount, 0);
  }
});

test('set and delete drop a pending decoder; a throwing decoder leaves its key pending', () => {
  const { m, calls } = counted();
  m.set('b', 20);
  m.delete('c');
  assert.deepEqual([...m], [['a', 1], ['b', 20]]);
  assert.deepEqual(calls, []);
  let fail = true;
  m.defer('d', () => {
    if (fail) throw new Error('corrupt');
    return 4;
  });
  assert.throws(() => m.get('d'), /corrupt/);
  assert.throws(() => [...m], /corrupt/);
  assert.equal(m.pendingCount, 1);
  fail = false;
  assert.equal(m.get('d'), 4);
  m.clear();
  assert.equal(m.size, 0);
  assert.equal(m.pendingCount, 0);
});

test('peekEntries walks in order, decoding pending values for the walk only', () => {
  const { m, calls } = counted();
  assert.deepEqual([...m.peekEntries()], [['a', 1], ['b', 2], ['c', 3]]);
  assert.deepEqual(calls, ['b', 'c']);
  assert.equal(m.pendingCount, 2);
  assert.equal(m.get('b'), 2); // still decodes (and keeps) on get
  assert.deepEqual([...m.peekEntries()], [['a', 1], ['b', 2], ['c', 3]]);
  assert.deepEqual(calls, ['b', 'c', 'b', 'c']);
  assert.equal(m.pendingCount, 1);
});
