import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OTHER_SEGMENT_VALUE, SegmentCap } from './segment-cap.js';

const ev = (model: string, segment: Record<string, string>) => ({ model, segment, id: 'x' });

test('SegmentCap: the first `limit` segments of a model keep theirs; later new ones go under "__other__" (every key the event gives), counted', () => {
  const folded: string[] = [];
  const cap = new SegmentCap(2, (m) => folded.push(m));
  assert.deepEqual(cap.place(ev('m', { user: 'a' })).segment, { user: 'a' });
  assert.deepEqual(cap.place(ev('m', { user: 'b', region: 'eu' })).segment, { user: 'b', region: 'eu' });
  assert.deepEqual(cap.place(ev('m', { user: 'c' })).segment, { user: OTHER_SEGMENT_VALUE });
  assert.deepEqual(cap.place(ev('m', { user: 'd', region: 'us' })).segment, { user: OTHER_SEGMENT_VALUE, region: OTHER_SEGMENT_VALUE });
  // known ones keep theirs after the limit; no segment is no segment; another model has its own limit
  assert.deepEqual(cap.place(ev('m', { user: 'a' })).segment, { user: 'a' });
  assert.deepEqual(cap.place(ev('m', {})).segment, {});
  assert.deepEqual(cap.place(ev('n', { user: 'c' })).segment, { user: 'c' });
  assert.deepEqual(folded, ['m', 'm']);
  // the event is otherwise the same object's fields
  const e = { ...ev('m', { user: 'z' }), prediction: 1 };
  assert.deepEqual(cap.place(e), { ...e, segment: { user: OTHER_SEGMENT_VALUE } });
});

test('SegmentCap: seeded segments (stored before a restart) count against the limit; placeKey folds canonical keys the same way', () => {
  const cap = new SegmentCap(2);
  cap.seed('m', 'user=a');
  cap.seed('m', 'user=b');
  cap.seed('m', '');
  assert.equal(cap.placeKey('m', 'user=a'), 'user=a');
  assert.equal(cap.placeKey('m', 'region=eu&user=c'), `region=${OTHER_SEGMENT_VALUE}&user=${OTHER_SEGMENT_VALUE}`);
  assert.equal(cap.placeKey('m', ''), '');
  assert.deepEqual(cap.place(ev('m', { user: 'b' })).segment, { user: 'b' });
  assert.deepEqual(cap.place(ev('m', { user: 'c' })).segment, { user: OTHER_SEGMENT_VALUE });
});
