import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyMap } from './lazy-map.js';

type Counted = LazyMap<string, number, () => number, string[]>;

/** A map whose decoder records the keys it decodes (in its context) and calls the source. */
function counted(): { m: Counted; calls: string[] } {
  const calls: string[] = [];
  const m: Counted = new LazyMap(calls, (c: string[], key: string, source: () => number) => (c.push(key), source()));
  m.set('a', 1);
  m.defer('b', () => 2);
  m.defer('c', () => 3);
  m.defer('d', () => {
    throw new Error('corrupt');
  });
  m.delete('d');
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

test('set and delete drop a pending source; a throwing decoder leaves its key pending', () => {
  const { m, calls } = counted();
  let fail = true;
  m.defer('e', () => {
    if (fail) throw new Error('corrupt');
    return 4;
  });
  m.set('b', 20);
  m.delete('c');
  assert.deepEqual(calls, []);
  assert.throws(() => m.get('e'), /corrupt/);
  assert.throws(() => [...m], /corrupt/);
  assert.equal(m.pendingCount, 1);
  fail = false;
  assert.deepEqual([...m], [['a', 1], ['b', 20], ['e', 4]]);
  m.clear();
  assert.equal(m.size, 0);
  assert.equal(m.pendingCount, 0);
});

test('peek decodes a pending value for the call only; sourceOf gives the source while pending', () => {
  const { m, calls } = counted();
  assert.deepEqual(['a', 'b', 'c', 'zz'].map((k) => m.peek(k)), [1, 2, 3, undefined]);
  assert.deepEqual(calls, ['b', 'c']);
  assert.equal(m.pendingCount, 2);
  assert.equal(m.sourceOf('a'), undefined);
  assert.equal(m.sourceOf('b')?.(), 2);
  assert.equal(m.get('b'), 2); // still decodes (and keeps) on get
  assert.equal(m.sourceOf('b'), undefined);
  assert.deepEqual(['a', 'b', 'c'].map((k) => m.peek(k)), [1, 2, 3]);
  assert.deepEqual(calls, ['b', 'c', 'b', 'c']);
  assert.equal(m.pendingCount, 1);
});

test('the context is let go with the last pending value; deferring after that is refused', () => {
  const { m } = counted();
  assert.deepEqual(m.context, []);
  m.get('b');
  assert.notEqual(m.context, null);
  m.peek('c');
  assert.notEqual(m.context, null); // peek keeps the value pending
  m.get('c');
  assert.equal(m.context, null);
  assert.equal(m.pendingCount, 0);
  assert.throws(() => m.defer('x', () => 9), /nothing more can be deferred/);
  assert.deepEqual([...m], [['a', 1], ['b', 2], ['c', 3]]);
});
