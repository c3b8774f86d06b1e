import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalSegment, isStoredSegment, segmentMatches, segmentParts, segmentQueryParam, segmentsOverlap, undeclaredSegmentKeys } from './segment-match.js';

test('a segment is stored as it is when empty or naming every key in canonical form; else several stored ones hold it', () => {
  const keys = ['region', 'tier'];
  assert.equal(isStoredSegment('', keys), true);
  assert.equal(isStoredSegment('region=eu&tier=gold', keys), true);
  assert.equal(isStoredSegment('region=eu', keys), false);
  assert.equal(isStoredSegment('tier=gold', keys), false);
  // Not in canonical order: matched against the stored segments rather than read as a stored one.
  assert.equal(isStoredSegment('tier=gold&region=eu', keys), false);
  assert.equal(segmentMatches('region=eu&tier=gold', 'tier=gold&region=eu'), true);
  assert.equal(isStoredSegment('region=eu%20west', ['region']), true);
  assert.equal(isStoredSegment('region=eu', ['region']), true);
  assert.equal(isStoredSegment('constructor=x', ['region']), false);
});

test('segment parts are decoded as segmentKey encodes them; a part without "key=" is malformed', () => {
  assert.deepEqual({ ...segmentParts('region=eu%20west&tier=gold') }, { region: 'eu west', tier: 'gold' });
  assert.deepEqual({ ...segmentParts('') }, {});
  assert.equal(segmentParts('eu'), null);
  assert.equal(segmentParts('=eu'), null);
  assert.deepEqual({ ...segmentParts('region=100%') }, { region: '100%' });
});

test('undeclared segment keys: those a model does not declare', () => {
  assert.deepEqual(undeclaredSegmentKeys('region=eu&colour=red', ['region', 'tier']), ['colour']);
  assert.deepEqual(undeclaredSegmentKeys('region=eu', ['region', 'tier']), []);
  assert.deepEqual(undeclaredSegmentKeys('', []), []);
  assert.deepEqual(undeclaredSegmentKeys('__proto__=x', ['region']), ['__proto__']);
});

test('a segment written by hand (a monitor\'s) in canonical form: values as events carry them or URI-encoded, keys in any order', () => {
  assert.equal(canonicalSegment(''), '');
  assert.equal(canonicalSegment('region=São Paulo'), 'region=S%C3%A3o%20Paulo');
  assert.equal(canonicalSegment('region=S%C3%A3o%20Paulo'), 'region=S%C3%A3o%20Paulo');
  assert.equal(canonicalSegment('tier=gold&region=eu'), 'region=eu&tier=gold');
  assert.equal(canonicalSegment('region=a%26b'), 'region=a%26b');
  assert.equal(canonicalSegment('region=100%'), 'region=100%25');
  assert.equal(canonicalSegment('eu'), 'eu');
});

test('a stored segment as the segment query parameter takes it: decoded, parts joined by ","', () => {
  assert.equal(segmentQueryParam('region=S%C3%A3o%20Paulo&tier=gold'), 'region=São Paulo,tier=gold');
  assert.equal(segmentQueryParam('region=a%2Cb'), 'region=a,b');
  assert.equal(segmentQueryParam(''), '');
});

test('two segments overlap unless they give one key different values; the whole traffic overlaps every one', () => {
  assert.equal(segmentsOverlap('region=eu', 'region=eu&tier=gold'), true);
  assert.equal(segmentsOverlap('region=eu&tier=gold', 'region=eu'), true);
  assert.equal(segmentsOverlap('region=eu', 'tier=gold'), true);
  assert.equal(segmentsOverlap('', 'region=eu'), true);
  assert.equal(segmentsOverlap('region=eu', 'region=us'), false);
  assert.equal(segmentsOverlap('region=eu&tier=gold', 'region=eu&tier=silver'), false);
});
