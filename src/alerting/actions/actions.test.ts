import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlertRecord } from '../../storage/alerts.js';
import { DuckDbStore } from '../../storage/duckdb/store.js';
import type { Logger } from '../types.js';
import { NoRegistryRollback, type RollbackRequester } from './rollback.js';
import { ActionRunner, type ActionSettings } from './runner.js';

const T = 1_700_000_000_000;
const alert = (id: string): AlertRecord => ({
  id, fingerprint: id, monitorId: 'm', model: 'churn', version: '1', severity: 'critical', state: 'open', falsePositive: false, labels: {},
  startsAt: T, endsAt: null, updatedAt: T, silenced: false, inhibited: false, context: { metric: 'accuracy', observed: 0.7 },
});

describe('issue 4: actions (retrain, rollback) with cooldown and approval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-actions-'));
  let store: DuckDbStore;
  const warnings: string[] = [];
  const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m) };
  let n = 0;
  before(async () => {
    store = await DuckDbStore.open(join(dir, 'a.duckdb'));
    await store.init();
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('rollback without a registry: a clearly logged no-op, recorded as failed; a wired requester is called', async () => {
    let rollback: RollbackRequester = new NoRegistryRollback(log);
    const settings: ActionSettings = { rollback: { cooldownMs: 3_600_000, approval: false } };
    const r = new ActionRunner(store.alertStore(), () => settings, () => rollback, () => `x${n++}`, log);
    const a = await r.trigger('rollback', alert('a1'), T);
    assert.equal(a.state, 'failed');
    assert.match(String(a.detail['note']), /no model registry is wired/);
    assert.match(warnings.join('\n'), /rollback of "churn" requested .* no model registry is wired/);
    const calls: string[] = [];
    rollback = { requestRollback: async (model, reason) => { calls.push(`${model}: ${reason}`); return { ok: true, detail: { version: '0.9' } }; } };
    const b = await r.trigger('rollback', alert('a2'), T + 1000);
    // the failed no-op does not start a cooldown: the wired registry is asked
    assert.equal(b.state, 'done');
    assert.deepEqual(calls, ['churn: alert a2 (critical)']);
    const c = await r.trigger('rollback', alert('a3'), T + 2000);
    assert.equal(c.state, 'skipped');
    assert.match(String(c.detail['note']), /cooldown/);
    assert.equal((await r.trigger('rollback', alert('a4'), T + 3_700_000)).state, 'done');
    assert.equal((await r.trigger('explode', alert('a5'), T)).state, 'skipped');
  });

  test('retrain needing approval waits; approve runs the command, reject does not', async () => {
    const out = join(dir, 'retrain.json');
    const settings: ActionSettings = { retrain: { command: [process.execPath, '-e', `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)},s))`], cooldownMs: 0, approval: true } };
    const r = new ActionRunner(store.alertStore(), () => settings, () => new NoRegistryRollback(log), () => `y${n++}`, log);
    const p = await r.trigger('retrain', alert('b1'), T);
    assert.equal(p.state, 'pending_approval');
    const done = await r.approve(p.id, 'carol', T + 5);
    assert.equal(done?.state, 'done');
    assert.equal(done?.detail['approvedBy'], 'carol');
    const { readFileSync } = await import('node:fs');
    const job = JSON.parse(readFileSync(out, 'utf8')) as { action: string; model: string; context: { metric: string } };
    assert.deepEqual([job.action, job.model, job.context.metric], ['retrain', 'churn', 'accuracy']);
    const q = await r.trigger('retrain', alert('b2'), T + 10);
    assert.equal((await r.reject(q.id, 'dave', T + 11))?.state, 'rejected');
    await assert.rejects(r.approve(q.id, 'eve', T + 12), /is rejected, not pending_approval: it cannot be approved/);
    assert.equal((await store.alertStore().getAction(q.id))?.state, 'rejected', 'a rejected action stays rejected');
  });
});
