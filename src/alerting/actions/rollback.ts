import type { Logger } from '../types.js';

/** What the alert pipeline needs from a model registry to roll a model back (issue 5 wires the real one). */
export interface RollbackRequester {
  requestRollback(model: string, reason: string, context: Record<string, unknown>): Promise<{ ok: boolean; detail?: Record<string, unknown> }>;
}

/** Used while no registry is wired: does nothing, says so in the log and in the recorded action. */
export class NoRegistryRollback implements RollbackRequester {
  constructor(private readonly log: Logger) {}

  async requestRollback(model: string, reason: string): Promise<{ ok: boolean; detail?: Record<string, unknown> }> {
    this.log.warn(`rollback of "${model}" requested (${reason}) but no model registry is wired: nothing was rolled back`);
    return { ok: false, detail: { note: 'no model registry is wired: rollback not performed' } };
  }
}
