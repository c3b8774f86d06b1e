import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { decodeGroup, encodeGroup, type GroupInput } from './group.js';

test('a group round-trips a multiclass event\'s scores; a record written before they were kept reads them as null', () => {
  const g: GroupInput = {
    minuteCutoff: 5,
    events: [{ model: 'm', version: '1', segment: '', ts: 7, features: { x: 1 }, prediction: 'a', score: null, scores: [0.7, 0.2, 0.1], latencyMs: 3, error: null, costUsd: null }],
    rejects: [],
  };
  assert.deepEqual(decodeGroup(encodeGroup(g)).events[0]?.scores, [0.7, 0.2, 0.1]);
  const old = serialize({ c: 5, e: [['m', '1', '', 7, { x: 1 }, 'a', null, 3, null, null]], r: [] });
  const e = decodeGroup(old).events[0];
  assert.equal(e?.scores, null);
  assert.equal(e?.latencyMs, 3);
});

test('a group round-trips a reject\'s segment; a record written before it was kept reads it as no segment ("")', () => {
  const g: GroupInput = { minuteCutoff: 5, events: [], rejects: [{ model: 'm', version: '1', segment: 'region=eu', ts: 7, code: 'schema_violation' }] };
  assert.deepEqual(decodeGroup(encodeGroup(g)).rejects, g.rejects);
  const old = serialize({ c: 5, e: [], r: [['m', '1', 7, 'schema_violation']] });
  assert.deepEqual(decodeGroup(old).rejects, [{ model: 'm', version: '1', segment: '', ts: 7, code: 'schema_violation' }]);
});

test('a group keeps its features by shape: 20-feature events take under 260 bytes each (292 as objects), and come back the same', () => {
  const feats = (i: number): Record<string, unknown> => {
    const f: Record<string, unknown> = {};
    for (let j = 0; j < 14; j++) f[`f${j}`] = Math.round((10 * (j + 1) + Math.sin(i * 7 + j) * 3) * 1000) / 1000;
    for (let j = 0; j < 6; j++) f[`c${j}`] = `v${(i + j) % 5}`;
    return f;
  };
  const ev = (i: number, features: Record<string, unknown>): GroupInput['events'][number] => ({
    model: 'm', version: '1', segment: `region=r${i % 4}`, ts: 1_780_000_000_000 + i, features, prediction: i % 2 ? '1' : '0', score: 0.123, latencyMs: 12.5, error: null, costUsd: null,
  });
  const g: GroupInput = { minuteCutoff: 5, events: Array.from({ length: 500 }, (_, i) => ev(i, feats(i))), rejects: [] };
  const bytes = encodeGroup(g);
  assert.ok(bytes.length / 500 < 260, `${(bytes.length / 500).toFixed(1)} bytes per event`);
  assert.deepEqual(decodeGroup(bytes), { ...g, events: g.events.map((e) => ({ ...e, scores: null })) });
});

test('features of mixed shapes, odd keys and values come back with the same keys, order and values; records of objects still read', () => {
  const shapes: Array<Record<string, unknown>> = [
    { x: 1, c: 'a' },
    { c: 'b', x: -0 },
    { x: NaN, c: undefined, extra: { nested: [1, 'two', null] } },
    { 2: 'two', 1: 'one', b: true },
    {},
    JSON.parse('{"__proto__": {"polluted": 1}, "x": 3}') as Record<string, unknown>,
    { x: 1, c: 'a' },
    { constructor: 'k', toString: 5, hasOwnProperty: null },
  ];
  const g: GroupInput = {
    minuteCutoff: 5,
    events: shapes.map((features, i) => ({ model: 'm', version: '1', segment: '', ts: i, features, prediction: 'a', score: null, scores: null, latencyMs: null, error: null, costUsd: null })),
    rejects: [],
  };
  const back = decodeGroup(encodeGroup(g)).events;
  for (let i = 0; i < shapes.length; i++) {
    const want = shapes[i] as Record<string, unknown>;
    const got = back[i]?.features as Record<string, unknown>;
    assert.deepEqual(Object.keys(got), Object.keys(want), `keys of event ${i}`);
    for (const k of Object.keys(want)) assert.ok(Object.is(got[k], want[k]) || JSON.stringify(got[k]) === JSON.stringify(want[k]), `event ${i} ${k}`);
    assert.equal(Object.getPrototypeOf(got), Object.prototype, `prototype of event ${i}`);
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const old = serialize({ c: 5, e: [['m', '1', '', 7, { x: 1, c: 'z' }, 'a', null, 3, null, null, null]], r: [] });
  assert.deepEqual(decodeGroup(old).events[0]?.features, { x: 1, c: 'z' });
});

test('a record of features by shape keeps its events under a key of its own: a decoder of records of objects finds none to misread', () => {
  const g: GroupInput = { minuteCutoff: 5, events: [{ model: 'm', version: '1', segment: '', ts: 7, features: { x: 1 }, prediction: 'a', score: null, scores: null, latencyMs: 3, error: null, costUsd: null }], rejects: [] };
  const o = deserialize(encodeGroup(g)) as Record<string, unknown>;
  assert.equal(o['e'], undefined);
  assert.equal((o['s'] as unknown[]).length, 1);
});
