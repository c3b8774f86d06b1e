import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../random/rng.js';
import { checkPolicy, route, stickyBucket, UnknownPolicyError } from './policy.js';

describe('issue 5: traffic policies', () => {
  test('canary: the share of candidate requests is within 4 binomial sigma of the percentage', () => {
    const r = seededRandom(42);
    for (const percent of [5, 25, 50]) {
      const n = 20_000;
      let hits = 0;
      for (let i = 0; i < n; i++) if (route({ primary: '1.0.0', policy: { kind: 'canary', candidate: '2.0.0', percent } }, null, r).version === '2.0.0') hits++;
      const p = percent / 100;
      const sigma = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(hits - n * p) <= 4 * sigma, `${percent}%: ${hits} of ${n}`);
    }
  });

  test('sticky canary: a key always lands on the same side; keys split near the percentage', () => {
    const policy = { kind: 'canary' as const, candidate: '2.0.0', percent: 20, stickyKey: 'user' };
    const r = seededRandom(1);
    let candidate = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = `user-${i}`;
      const first = route({ primary: '1.0.0', policy }, key, r).version;
      for (let j = 0; j < 3; j++) assert.equal(route({ primary: '1.0.0', policy }, key, r).version, first);
      if (first === '2.0.0') candidate++;
    }
    assert.ok(Math.abs(candidate - 2000) <= 4 * Math.sqrt(10_000 * 0.2 * 0.8), `${candidate}`);
    // raising the percentage only moves keys from primary to candidate (monotone)
    for (let i = 0; i < 2000; i++) {
      const key = `k${i}`;
      if (route({ primary: 'a', policy: { ...policy, percent: 10 } }, key, r).version === '2.0.0') {
        assert.equal(route({ primary: 'a', policy: { ...policy, percent: 50 } }, key, r).version, '2.0.0');
      }
    }
    assert.ok(stickyBucket('x') >= 0 && stickyBucket('x') < 10_000);
  });

  test('shadow always answers with the primary; canary with compareCanary mirrors to the primary', () => {
    const r = seededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const d = route({ primary: '1.0.0', policy: { kind: 'shadow', candidate: '2.0.0' } }, null, r);
      assert.deepStrictEqual(d, { version: '1.0.0', mirror: '2.0.0', arm: 'primary' });
    }
    const c = route({ primary: '1.0.0', policy: { kind: 'canary', candidate: '2.0.0', percent: 100 }, compareCanary: true }, null, r);
    assert.deepStrictEqual(c, { version: '2.0.0', mirror: '1.0.0', arm: 'candidate' });
    assert.equal(route({ primary: '1.0.0', policy: { kind: 'blue-green', standby: '2.0.0' } }, null, r).version, '1.0.0');
  });

  test('checkPolicy: unknown kinds list the known ones; bad fields are refused', () => {
    assert.throws(() => checkPolicy({ kind: 'a/b' }), (e: unknown) => e instanceof UnknownPolicyError && /single, canary, shadow, blue-green/.test(e.message));
    assert.throws(() => checkPolicy({ kind: 'canary', candidate: '2', percent: 120 }), /0 to 100/);
    assert.throws(() => checkPolicy({ kind: 'shadow' }), /needs "candidate"/);
    assert.deepStrictEqual(checkPolicy({ kind: 'shadow', candidate: '2' }), { kind: 'shadow', candidate: '2', percent: 100 });
  });
});

describe('audit 27: a shadow of the primary itself', () => {
  test('a shadow candidate that is the primary is not mirrored to (it would answer and be recorded twice)', () => {
    const r = seededRandom(3);
    assert.deepEqual(route({ primary: '2.0.0', policy: { kind: 'shadow', candidate: '2.0.0', percent: 100 } }, null, r), { version: '2.0.0', mirror: null, arm: 'primary' });
    assert.equal(route({ primary: '1.0.0', policy: { kind: 'shadow', candidate: '2.0.0', percent: 100 } }, null, r).mirror, '2.0.0');
  });
});
