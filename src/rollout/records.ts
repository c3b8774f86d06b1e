import type { Analysis } from '../core/rollout/analysis.js';
import type { RegistryStore } from '../storage/registry.js';
import type { RolloutEvent, RolloutNotifier } from './notifier.js';
import type { Rollout } from './spec.js';

/** Where a rollout's transitions go: its record in the registry store, then its notifier. */
export class RolloutRecords {
  constructor(private readonly store: RegistryStore, private readonly notifier: RolloutNotifier, private readonly clock: () => number) {}

  /** Stores the rollout, then announces the transition. */
  async save(r: Rollout, type: RolloutEvent['type'], reason: string, analysis?: Analysis, manualBy?: string): Promise<void> {
    await this.persist(r);
    await this.notify(r, type, reason, analysis, manualBy);
  }

  async notify(r: Rollout, type: RolloutEvent['type'], reason: string, analysis?: Analysis, manualBy?: string): Promise<void> {
    try {
      await this.notifier.notify({
        type, model: r.model, rolloutId: r.id, primary: r.primary, candidate: r.candidate, weight: r.weight, reason, at: r.updatedAt,
        ...(analysis && { analysis }), ...(manualBy !== undefined && { manualBy }),
      });
    } catch {
      // a failing notifier never stops a rollback or promotion
    }
  }

  /** Stores the rollout as it is now (its updatedAt set to the clock's time). */
  async persist(r: Rollout): Promise<void> {
    r.updatedAt = this.clock();
    await this.store.putRollout({ id: r.id, model: r.model, state: r.state, createdAt: r.createdAt, updatedAt: r.updatedAt, data: { ...r } as unknown as Record<string, unknown> });
  }
}

/** Puts back the fields of `r` as they were in `prev` (a shallow copy), removing those added since. */
export function restore(r: Rollout, prev: Rollout): void {
  for (const k of Object.keys(r)) if (!(k in prev)) delete (r as unknown as Record<string, unknown>)[k];
  Object.assign(r, prev);
}
