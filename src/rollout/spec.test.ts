import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistryError } from '../registry/errors.js';
import { checkRolloutSpec } from './spec.js';

test('audit 23: stickyKey is a canary\'s; a shadow or blue-green rollout given one is refused, saying why', () => {
  assert.equal(checkRolloutSpec({ candidate: '1.1.0', stickyKey: 'user' }).stickyKey, 'user');
  for (const policy of ['shadow', 'blue-green']) {
    // before, it was accepted and did nothing
    assert.throws(() => checkRolloutSpec({ candidate: '1.1.0', policy, stickyKey: 'user' }),
      (e: unknown) => e instanceof RegistryError && e.code === 'bad_request' && e.message.includes(`a ${policy} rollout takes none`));
  }
});

test('default steps: 5, 25, 50, 100 for a canary, 100 for a shadow and a blue-green (as docs/gateway.md says)', () => {
  assert.deepEqual(checkRolloutSpec({ candidate: '1.1.0' }).steps, [5, 25, 50, 100]);
  assert.deepEqual(checkRolloutSpec({ candidate: '1.1.0', policy: 'shadow' }).steps, [100]);
  assert.deepEqual(checkRolloutSpec({ candidate: '1.1.0', policy: 'blue-green' }).steps, [100]);
});
