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

test('SegmentCap: seeded segments (stored before a restart) count against the limit; rejectedKey folds canonical keys the same way at the limit', () => {
  const cap = new SegmentCap(2);
  cap.seed('m', 'user=a');
  cap.seed('m', 'user=b');
  cap.seed('m', '');
  assert.equal(cap.rejectedKey('m', 'user=a'), 'user=a');
  assert.equal(cap.rejectedKey('m', 'region=eu&user=c'), `region=${OTHER_SEGMENT_VALUE}&user=${OTHER_SEGMENT_VALUE}`);
  assert.equal(cap.rejectedKey('m', ''), '');
  assert.deepEqual(cap.place(ev('m', { user: 'b' })).segment, { user: 'b' });
  assert.deepEqual(cap.place(ev('m', { user: 'c' })).segment, { user: OTHER_SEGMENT_VALUE });
});

test('SegmentCap: a rejected row\'s segment takes no slot: below the limit an unknown one counts under no segment, a known one under its own', () => {
  const folded: string[] = [];
  const cap = new SegmentCap(2, (m) => folded.push(m));
  for (const u of ['x', 'y', 'z']) assert.equal(cap.rejectedKey('m', `user=${u}`), '');
  assert.deepEqual(cap.place(ev('m', { user: 'a' })).segment, { user: 'a' });
  assert.equal(cap.rejectedKey('m', 'user=a'), 'user=a');
  assert.deepEqual(cap.place(ev('m', { user: 'b' })).segment, { user: 'b' });
  // at the limit: where an accepted event of that segment would go
  assert.equal(cap.rejectedKey('m', 'user=c'), `user=${OTHER_SEGMENT_VALUE}`);
  assert.deepEqual(folded, ['m']);
  // the batch's events are placed first: a refused row of a segment the same batch brings counts under it
  const other = new SegmentCap(5);
  const batch = other.placeAll([{ ...ev('n', { user: 'p' }) } as never], [{ ts: 1, model: 'n', version: '1', code: 'schema_violation', reason: '', excerpt: '', placement: { ts: 1, segment: 'user=p' } }]);
  assert.equal(batch.rejects[0]?.placement?.segment, 'user=p');
});
