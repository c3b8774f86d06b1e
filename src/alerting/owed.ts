import type { AlertRecord, NotificationRecord } from '../storage/alerts.js';
import type { Group } from './group.js';
import { sendTo, wants } from './notify.js';
import type { Notifier } from './notifiers/types.js';
import type { StageContext } from './stage.js';

/**
 * A resolve a notifier missed (its delivery failed) is tried again at the group's flushes for this long after the
 * alert resolved, then given up (logged): the receiver's own expiry (e.g. Alertmanager's endsAt) has to close it.
 */
export const RESOLVE_RETRY_MS = 7 * 86_400_000;

/** After a flush: the resolved alerts it sent that a notifier wanting them failed to get are owed to that notifier. */
export function recordOwed(g: Group, out: readonly AlertRecord[], failed: ReadonlySet<string>, notifiers: readonly Notifier[]): void {
  for (const a of out) {
    if (a.state !== 'resolved') continue;
    const owed = notifiers.filter((n) => failed.has(n.config.id) && wants(n, a)).map((n) => n.config.id);
    if (owed.length > 0) g.owed.set(a.id, new Set([...(g.owed.get(a.id) ?? []), ...owed]));
  }
}

/**
 * The resolves of the group each notifier is owed (as Alertmanager's notification log: only those that have not got
 * them), by notifier id. A resolve older than RESOLVE_RETRY_MS, or whose notifier is gone or no longer wants it, is
 * dropped.
 */
export async function collectOwed(g: Group, notifiers: readonly Notifier[], getAll: (ids: readonly string[]) => Promise<AlertRecord[]>, ctx: StageContext): Promise<Map<string, AlertRecord[]>> {
  const byNotifier = new Map<string, AlertRecord[]>();
  if (g.owed.size === 0) return byNotifier;
  const alerts = new Map<string, AlertRecord>();
  const read = new Map((await getAll([...g.owed.keys()])).map((a) => [a.id, a]));
  for (const [id, to] of g.owed) {
    const a = read.get(id);
    if (a === undefined || a.state !== 'resolved') {
      g.owed.delete(id);
      continue;
    }
    if (ctx.now - (a.endsAt ?? a.updatedAt) >= RESOLVE_RETRY_MS) {
      ctx.log.warn(`giving up sending the resolve of alert ${id} to ${[...to].join(', ')}: still not delivered ${RESOLVE_RETRY_MS / 86_400_000} days after it resolved`, { id, group: g.key });
      g.owed.delete(id);
      continue;
    }
    alerts.set(id, a);
  }
  const known = new Set(notifiers.map((n) => n.config.id));
  for (const [id, to] of g.owed) {
    for (const n of to) if (!known.has(n)) to.delete(n);
    if (to.size === 0) g.owed.delete(id);
  }
  for (const n of notifiers) {
    const mine = [...g.owed].filter(([, to]) => to.has(n.config.id)).map(([id]) => alerts.get(id)).filter((a): a is AlertRecord => a !== undefined);
    if (mine.length > 0) byNotifier.set(n.config.id, mine);
  }
  return byNotifier;
}

/** The notifier got its owed resolves `alerts`: it owes nothing more for them. */
export function settleOwed(g: Group, notifier: string, alerts: readonly AlertRecord[]): void {
  for (const a of alerts) {
    const to = g.owed.get(a.id);
    to?.delete(notifier);
    if (to?.size === 0) g.owed.delete(a.id);
  }
}

/**
 * Sends each of `notifiers` its owed resolves (`owed`, from collectOwed) alone, in one notification; one that gets
 * them owes nothing more. For the notifiers the flush did not send the group to (else they go with it: OWED note).
 */
export async function sendOwed(g: Group, notifiers: readonly Notifier[], owed: ReadonlyMap<string, readonly AlertRecord[]>, ctx: StageContext, newId: () => string): Promise<void> {
  await Promise.all(notifiers.map(async (n) => {
    const mine = owed.get(n.config.id);
    if (mine === undefined) return;
    const rec: NotificationRecord | null = await sendTo(n, mine, ctx, newId);
    if (rec?.status !== 'failed') settleOwed(g, n.config.id, mine);
  }));
}

/**
 * After a restart: the resolved alert's resolve is owed to each notifier (still configured, wanting it) that got it
 * firing (a delivery before it resolved) but got no delivery since (`span`: per notifier, first and last deliveries
 * that succeeded, from the notification log).
 */
export function restoreOwed(group: () => Group, a: AlertRecord, span: ReadonlyMap<string, readonly [number, number]> | undefined, notifiers: readonly Notifier[]): void {
  const endsAt = a.endsAt ?? a.updatedAt;
  const owed = notifiers.filter((n) => {
    const s = span?.get(n.config.id);
    return s !== undefined && s[0] < endsAt && s[1] < endsAt && wants(n, a);
  }).map((n) => n.config.id);
  if (owed.length === 0) return;
  const g = group();
  g.owed.set(a.id, new Set(owed));
}
