import type { AlertRecord } from '../storage/alerts.js';
import type { Group } from './group.js';
import { inhibitStage, silenceStage, timeWindowStage } from './mute.js';
import { sendTo } from './notify.js';
import type { Notifier } from './notifiers/types.js';
import { runStages, type StageContext } from './stage.js';

/** The notifiers with a resend interval that the group is due to re-send to at `now`. */
export function resendDue(g: Group, notifiers: readonly Notifier[], now: number): Notifier[] {
  if (g.notified.size === 0) return [];
  return notifiers.filter((n) => n.resendMs !== undefined && now - (g.resentAt.get(n.config.id) ?? -Infinity) >= n.resendMs);
}

/**
 * Re-send (state sync, as Prometheus does to Alertmanager): the group's alerts already notified and still firing
 * (acknowledged ones too) go again to each notifier due, with a new expiry, whatever the repeat interval for people.
 * Muted alerts are left out (the receiver lets them expire). Only failed attempts are logged.
 */
export async function resendGroup(g: Group, alerts: readonly AlertRecord[], due: readonly Notifier[], ctx: StageContext, newId: () => string): Promise<void> {
  const firing = alerts.filter((a) => g.notified.has(a.id) && a.state !== 'resolved');
  const out = await runStages([inhibitStage, silenceStage, timeWindowStage], firing, ctx);
  await Promise.all(due.map(async (n) => {
    g.resentAt.set(n.config.id, ctx.now);
    if (out.length > 0) await sendTo(n, out, ctx, newId, 'failed');
  }));
}
