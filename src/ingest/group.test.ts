import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
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
