import type { RollbackRequester } from '../alerting/actions/rollback.js';
import type { RegistryServices } from '../gateway/services.js';
import { RegistryError } from '../registry/errors.js';

type Obj = Record<string, unknown>;
const fmt = (x: unknown): string => (typeof x === 'number' ? String(+x.toFixed(4)) : x === null || x === undefined ? 'n/a' : String(x));

/** One sentence from an alert's context: "latencyP95 observed 812 vs threshold 300 (baseline n/a)". */
export function alertReason(reason: string, detail: Obj): string {
  const c = (detail['context'] ?? {}) as Obj;
  if (c['metric'] === undefined) return reason;
  return `${reason}: ${String(c['metric'])} observed ${fmt(c['observed'])} vs threshold ${fmt(c['threshold'])} (baseline ${fmt(c['baseline'])})`;
}

/**
 * The alert pipeline's rollback action, wired to the registry (issue 4 -> issue 5): a running (or baking)
 * rollout of the model is aborted; otherwise the serving alias flips back to its previous version, recorded
 * in the deployment history with the alert context as the reason.
 */
export class RegistryRollback implements RollbackRequester {
  constructor(private readonly services: RegistryServices, private readonly by = 'alerting') {}

  async requestRollback(model: string, reason: string, detail: Obj): Promise<{ ok: boolean; detail?: Obj }> {
    const why = alertReason(reason, detail);
    try {
      const r = await this.services.rollouts.abort(model, this.by, why);
      return { ok: true, detail: { rollout: r.id, rolledBackTo: r.primary, reason: why } };
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e; // no active rollout: flip the serving alias back
    }
    try {
      const alias = this.services.registry.control(model).serving.alias;
      const r = await this.services.registry.rollback(model, alias, why, this.by);
      return { ok: true, detail: { alias: r.alias, rolledBackTo: r.version, previous: r.previous, reason: why } };
    } catch (e) {
      if (e instanceof RegistryError) return { ok: false, detail: { note: e.message } };
      throw e;
    }
  }
}
