import type { ActionRecord, AlertRecord, AlertStore } from '../../storage/alerts.js';
import { runCommand } from '../notifiers/command/command.js';
import { postJson } from '../notifiers/http.js';
import { webhookSignature } from '../notifiers/webhook/webhook.js';
import type { Logger } from '../types.js';
import type { RollbackRequester } from './rollback.js';

export interface ActionSettings {
  /** Retraining job trigger: a webhook (POST JSON with the alert context) or a command (context JSON on stdin). */
  retrain?: { url?: string; secret?: string; command?: string[]; cooldownMs: number; approval: boolean; timeoutMs?: number };
  rollback?: { cooldownMs: number; approval: boolean };
}

export const ACTION_KINDS = ['retrain', 'rollback'] as const;

/** Approving or rejecting an action that is not waiting for approval (any more). */
export class ActionStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionStateError';
  }
}

/**
 * Actions on severity: queue a retraining job or request a rollback, at most once per cooldown per model and
 * kind, optionally waiting for a human approval (POST /v1/actions/:id/approve) before running.
 */
export class ActionRunner {
  constructor(
    private readonly store: AlertStore,
    private readonly settings: () => ActionSettings,
    private readonly rollback: () => RollbackRequester,
    private readonly newId: () => string,
    private readonly log: Logger,
  ) {}

  async trigger(kind: string, alert: AlertRecord, now: number): Promise<ActionRecord> {
    const cfg = kind === 'retrain' ? this.settings().retrain : kind === 'rollback' ? this.settings().rollback : undefined;
    const base: ActionRecord = { id: this.newId(), at: now, kind, model: alert.model, alertId: alert.id, state: 'queued', detail: { context: alert.context, severity: alert.severity }, updatedAt: now };
    if (!(ACTION_KINDS as readonly string[]).includes(kind)) return this.save({ ...base, state: 'skipped', detail: { ...base.detail, note: `unknown action "${kind}"; known actions: ${ACTION_KINDS.join(', ')}` } });
    if (kind === 'retrain' && !cfg) return this.save({ ...base, state: 'skipped', detail: { ...base.detail, note: 'no retrain action configured (alerting.actions.retrain)' } });
    const cooldown = cfg?.cooldownMs ?? 0;
    const recent = (await this.store.listActions({ model: alert.model, kind })).find((a) => a.state !== 'skipped' && a.state !== 'rejected' && a.state !== 'failed' && now - a.at < cooldown);
    if (recent) return this.save({ ...base, state: 'skipped', detail: { ...base.detail, note: `cooldown: action ${recent.id} ran ${Math.round((now - recent.at) / 60_000)} min ago` } });
    if (cfg?.approval) return this.save({ ...base, state: 'pending_approval' });
    return this.run(await this.save(base), now);
  }

  async approve(id: string, by: string, now: number): Promise<ActionRecord | null> {
    const a = await this.store.getAction(id);
    if (!a) return null;
    if (a.state !== 'pending_approval') throw new ActionStateError(`action ${id} is ${a.state}, not pending_approval: it cannot be approved`);
    return this.run(await this.save({ ...a, state: 'queued', updatedAt: now, detail: { ...a.detail, approvedBy: by } }), now);
  }

  async reject(id: string, by: string, now: number): Promise<ActionRecord | null> {
    const a = await this.store.getAction(id);
    if (!a) return null;
    if (a.state !== 'pending_approval') throw new ActionStateError(`action ${id} is ${a.state}, not pending_approval: it cannot be rejected`);
    return this.save({ ...a, state: 'rejected', updatedAt: now, detail: { ...a.detail, rejectedBy: by } });
  }

  private async run(a: ActionRecord, now: number): Promise<ActionRecord> {
    try {
      if (a.kind === 'rollback') {
        const r = await this.rollback().requestRollback(a.model, `alert ${a.alertId ?? ''} (${String(a.detail['severity'])})`, a.detail);
        return this.save({ ...a, state: r.ok ? 'done' : 'failed', updatedAt: now, detail: { ...a.detail, ...(r.detail ?? {}) } });
      }
      const cfg = this.settings().retrain;
      const body = JSON.stringify({ action: 'retrain', id: a.id, model: a.model, alertId: a.alertId, context: a.detail['context'] });
      if (cfg?.url) {
        const ts = String(now);
        await postJson(cfg.url, body, { 'x-lookout-timestamp': ts, ...(cfg.secret && { 'x-lookout-signature': `sha256=${webhookSignature(cfg.secret, ts, body)}` }) }, cfg.timeoutMs ?? 10_000);
      } else if (cfg?.command) {
        await runCommand(cfg.command, body, { LOOKOUT_MODEL: a.model, LOOKOUT_ACTION: 'retrain' }, cfg.timeoutMs ?? 60_000);
      }
      return this.save({ ...a, state: 'done', updatedAt: now });
    } catch (e) {
      this.log.warn(`action ${a.kind} for ${a.model} failed`, { error: String(e) });
      return this.save({ ...a, state: 'failed', updatedAt: now, detail: { ...a.detail, error: e instanceof Error ? e.message : String(e) } });
    }
  }

  private async save(a: ActionRecord): Promise<ActionRecord> {
    await this.store.putAction(a);
    return a;
  }
}
