import type { AlertRecord } from '../storage/alerts.js';
import { ONLY_NOTIFIERS } from './notify.js';
import type { Stage } from './stage.js';

/** A notification group (per model and version by default) and what it last sent. */
export interface Group {
  key: string;
  labels: Record<string, string>;
  alertIds: Set<string>;
  createdAt: number;
  flushedAt: number | null;
  sentHash: string;
  sentAt: number;
  /** Alerts notified as firing (only those get a resolve notification). */
  notified: Set<string>;
  /** Per notifier with a resend interval: when the group's firing alerts last went to it. */
  resentAt: Map<string, number>;
  /** Notifiers whose last delivery of the group failed: they get its content again at the next flush. */
  failed: Set<string>;
  /** Resolved alerts that left the group whose resolve some notifiers (the ids) have not got yet (see owed.ts). */
  owed: Map<string, Set<string>>;
}

/** First flush after group wait; later ones at most once per group interval. */
export function groupDue(g: Group, now: number, waitMs: number, intervalMs: number): boolean {
  return g.flushedAt === null ? now >= g.createdAt + waitMs : now >= g.flushedAt + intervalMs;
}

/** Content of a notification: which alerts fire at which severity and which resolved (acks do not count). */
export function contentHash(alerts: readonly AlertRecord[]): string {
  return alerts.map((a) => `${a.id}:${a.state === 'resolved' ? 'resolved' : `firing:${a.severity}`}`).sort().join(',');
}

/**
 * Repeat: a group whose content did not change since it was last sent is sent again only after the repeat
 * interval, and only while some alert in it is still open (not acknowledged); before that, only to the notifiers whose
 * last delivery failed. Otherwise the flush stops here.
 */
export function repeatStage(group: Group): Stage {
  return async (alerts, ctx) => {
    const visible = alerts.filter((a) => a.state !== 'resolved' || group.notified.has(a.id));
    if (visible.length === 0) return [];
    const hash = contentHash(visible);
    if (hash !== group.sentHash) return visible;
    const repeat = ctx.now - group.sentAt >= ctx.settings.repeatIntervalMs && visible.some((a) => a.state === 'open');
    if (repeat) return visible;
    if (group.failed.size === 0) return [];
    // unchanged, but some notifiers did not get it: they (only) are sent it again
    ctx.notes[ONLY_NOTIFIERS] = new Set(group.failed);
    return visible;
  };
}
