import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RegistryServices } from '../src/gateway/services.js';
import { rolloutFixture } from './helpers/rollout.js';

// Audit 12: data written by earlier releases, read by this one.

/**
 * A running canary rollout as Lookout stored it before c271557 (2026-12-03; driftAlpha) and 5fb7890/19e52af
 * (interimAlpha, slo.errorRateAlpha): the registry_rollouts.data JSON written by commit 431e899 (2026-12-02, read back
 * from its PostgreSQL store), with the model, versions and times of this fixture.
 */
function rolloutOf431e899(id: string, at: number): Record<string, unknown> {
  return {
    candidate: '1.1.0', policy: 'canary', steps: [10, 100], stepDurationMs: 60_000, maxStepDurationMs: 600_000, bakeMs: 3_600_000,
    analysis: { minSamples: 20, errorRateAlpha: 0.01, maxErrorRateIncrease: 0.01, maxLatencyRatio: 1.5, latencySlackMs: 5, maxDisagreement: 0.2, maxDrift: 0.25, maxPerformanceDrop: 0.05 },
    slo: { maxErrorRate: 0.05, maxP95Ms: 1000, minSamples: 20 },
    id, model: 'churn', alias: 'production', primary: '1.0.0', step: 0, weight: 10, state: 'running', stepStartedAt: at, createdAt: at, updatedAt: at,
    by: 'admin', reason: 'upgrade audit rollout', promotedAt: null, endedAt: null, endReason: null, analyses: [],
  };
}

describe('audit 12: upgrade compatibility', { timeout: 120_000 }, () => {
  test('a rollout in progress stored by a release before driftAlpha (2026-12-02) goes on after the upgrade: analysed and promoted, no "normalIsf: p must be in (0, 1), got NaN"', async () => {
    // Before the fix every tick failed (lastError "normalIsf: p must be in (0, 1), got NaN": the stored analysis has no
    // driftAlpha, so the look's drift level was NaN) and the rollout stayed at 10% for ever, neither promoted nor rolled back.
    const f = await rolloutFixture({}, {});
    try {
      await f.start({ steps: [10, 100], stepDurationMs: 60_000 });
      const svc = (): RegistryServices => f.server.deps.registry as RegistryServices;
      const rec = (await svc().registry.store.listRolloutPage('churn', 1))[0];
      assert.ok(rec);
      await svc().registry.store.putRollout({ ...rec, data: rolloutOf431e899(rec.id, rec.createdAt) });
      await f.restart();
      for (let i = 0; i < 40; i++) {
        svc().stats.answer('churn', '1.0.0', true, 10, 'no', null);
        svc().stats.answer('churn', '1.1.0', true, 10, 'no', null);
      }
      await f.tick(30_000); // a look half-way through the step
      const mid = await f.rollout();
      assert.equal(mid['lastError'], undefined, JSON.stringify(mid['lastError']));
      await f.tick(31_000);
      const r = await f.rollout();
      assert.equal(r['lastError'], undefined, JSON.stringify(r['lastError']));
      assert.equal((r['analyses'] as unknown[]).length, 1, 'the first step was analysed');
      assert.equal(r['step'], 1, 'and passed: the rollout is at its next step');
      assert.equal(r['weight'], 100);
    } finally {
      await f.close();
    }
  });
});
