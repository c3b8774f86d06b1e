import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { DeploymentRecord } from '../storage/registry.js';
import { ArtifactStore, artifactRef } from './artifacts.js';
import { RegistryError } from './errors.js';
import { rollbackTarget } from './history.js';
import { checkServing } from './serving.js';

const d = (to: string, kind: DeploymentRecord['kind'] = 'set', alias = 'production'): DeploymentRecord => ({ id: to + kind, model: 'm', at: 0, alias, from: null, to, by: 'x', reason: 'r', kind });

describe('issue 5: registry units', () => {
  test('rollback target: the alias history is a stack (twice goes two versions back)', () => {
    const h = [d('1'), d('2', 'promote'), d('3'), d('9', 'set', 'staging')];
    assert.equal(rollbackTarget(h, 'production', '3'), '2');
    const after = [...h, d('2', 'rollback')];
    assert.equal(rollbackTarget(after, 'production', '2'), '1');
    assert.equal(rollbackTarget([...after, d('1', 'rollback')], 'production', '1'), null);
    assert.equal(rollbackTarget([d('1'), d('1')], 'production', '1'), null, 'setting the same version twice is one entry');
    assert.equal(rollbackTarget(h, 'production', '7'), null, 'history that does not end at the current target: no guess');
  });

  test('artifact store: content-addressed, idempotent, leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-artifacts-'));
    const a = new ArtifactStore(dir);
    const bytes = new TextEncoder().encode('model weights');
    const ref = artifactRef(bytes);
    assert.equal(ref.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(await a.put(bytes), true);
    assert.equal(await a.put(bytes), false, 'already stored: nothing written');
    assert.deepStrictEqual(readdirSync(a.dir), [ref.sha256]);
    assert.equal(readFileSync(a.path(ref.sha256), 'utf8'), 'model weights');
    assert.equal(await a.get('0'.repeat(64)), null);
    assert.throws(() => a.path('../etc/passwd'), /not a SHA-256/);
    await Promise.all([1, 2, 3].map(() => a.put(new TextEncoder().encode('concurrent'))));
    assert.equal(readdirSync(a.dir).length, 2);
    await a.remove(ref.sha256);
    assert.equal(await a.get(ref.sha256), null);
  });

  test('serving configuration: defaults, and readable refusals', () => {
    assert.deepStrictEqual(checkServing({}), { alias: 'production', timeoutMs: 1000, fallback: [], policy: { kind: 'single' } });
    const bad = (v: unknown, re: RegExp): void => assert.throws(() => checkServing(v), (e: unknown) => e instanceof RegistryError && re.test(e.message));
    bad({ timeoutMs: 0 }, /timeoutMs must be from 1/);
    bad({ fallback: [{ nothing: 1 }] }, /fallback\[0\] must be/);
    bad({ policy: { kind: 'mirror' } }, /known policies: single, canary, shadow, blue-green/);
    bad({ extra: 1 }, /unknown serving field/);
    bad([], /must be an object/);
  });
});
