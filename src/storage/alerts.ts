/**
 * Storage of the monitoring-and-alerting side: monitor and SLO definitions, every evaluation, alerts,
 * silences, the notification log and actions. One interface, implemented for DuckDB and PostgreSQL by the
 * shared SQL code in sql-alerts.ts, tested by the shared contract suite alerts-contract.ts.
 */

export interface StoredMonitor {
  id: string;
  model: string;
  /** 'monitor' or 'slo'. */
  type: 'monitor' | 'slo';
  /** The validated definition (opaque JSON to storage). */
  definition: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface EvaluationRecord {
  monitorId: string;
  at: number;
  status: string;
  value: number | null;
  baseline: number | null;
  threshold: number | null;
  samples: number;
  change?: number | null;
  /** Method, window, notes: what was actually used. */
  detail?: Record<string, unknown>;
}

export type AlertState = 'open' | 'acknowledged' | 'resolved';

export interface AlertRecord {
  id: string;
  fingerprint: string;
  monitorId: string;
  model: string;
  version: string | null;
  severity: string;
  state: AlertState;
  falsePositive: boolean;
  labels: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  updatedAt: number;
  acknowledgedBy?: string;
  resolvedBy?: string;
  note?: string;
  silenced: boolean;
  inhibited: boolean;
  context: Record<string, unknown>;
}

export interface SilenceRecord {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex?: boolean; isNegative?: boolean }>;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
}

export interface NotificationRecord {
  id: string;
  at: number;
  notifier: string;
  groupKey: string;
  alertIds: string[];
  firing: number;
  resolved: number;
  status: 'sent' | 'failed';
  attempts: number;
  error?: string;
}

/** Where an action stands: waiting for a human, queued or running, or over (done, failed, rejected, skipped). */
export const ACTION_STATES = ['pending_approval', 'queued', 'running', 'done', 'failed', 'rejected', 'skipped'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export interface ActionRecord {
  id: string;
  at: number;
  kind: string;
  model: string;
  alertId: string | null;
  state: ActionState;
  detail: Record<string, unknown>;
  updatedAt: number;
}

/** Where a page of a list starts: after the item of this sort time and id (exclusive), in the list's order. */
export interface PageCursor {
  at: number;
  id: string;
}

export interface AlertQuery {
  state?: AlertState;
  model?: string;
  monitorId?: string;
  fingerprint?: string;
  /** Only alerts not resolved (open or acknowledged): at most one per fingerprint (dedup), however long its history. */
  unresolved?: boolean;
  /** startsAt in [from, to). */
  from?: number;
  to?: number;
  /**
   * Only alerts active at some moment of [activeFrom, activeTo) (audit 24): started before activeTo, and not resolved
   * or ended (endsAt, else updatedAt, of a resolved alert, false positives included) at or after activeFrom. Either
   * bound may be given alone.
   */
  activeFrom?: number;
  activeTo?: number;
  limit?: number;
  /** Only alerts after this one in the list's order (started before it, or at the same time with a smaller id; `at` its start). */
  before?: PageCursor;
}

export interface SilenceQuery {
  /** Only silences with endsAt after it (those not expired at that time). */
  endingAfter?: number;
  /**
   * Only silences muting at some moment of [activeFrom, activeTo) (audit 25): a silence mutes from startsAt until
   * endsAt (excluded), so those with startsAt before activeTo and endsAt after activeFrom; one that never muted
   * (expired before it started: startsAt not before endsAt) is in no range. Either bound may be given alone.
   */
  activeFrom?: number;
  activeTo?: number;
  after?: PageCursor;
  limit?: number;
}

export interface AlertStore {
  putMonitor(m: StoredMonitor): Promise<void>;
  getMonitor(id: string): Promise<StoredMonitor | null>;
  listMonitors(q?: { model?: string; type?: StoredMonitor['type'] }): Promise<StoredMonitor[]>;
  deleteMonitor(id: string): Promise<boolean>;

  /** Inserts evaluations (one per monitor and time; a second one for the same key replaces the first). */
  appendEvaluations(e: readonly EvaluationRecord[]): Promise<void>;
  /** Evaluations with `at` in [from, to), oldest first; the first `limit` of them when given. */
  listEvaluations(monitorId: string, from: number, to: number, limit?: number): Promise<EvaluationRecord[]>;
  /** The newest evaluation of every monitor. */
  latestEvaluations(): Promise<EvaluationRecord[]>;
  /**
   * Deletes the evaluations with `at` before `before` (retention.evaluationsDays) but each monitor's newest one; returns
   * how many it deleted.
   */
  pruneEvaluations(before: number): Promise<number>;
  /**
   * Deletes alert history (retention.alertsDays), each kind before its own time: resolved alerts that ended before
   * `before.alerts`, notifications sent before `before.notifications`, and actions over (done, failed, rejected,
   * skipped) taken before `before.actions`. Open and acknowledged alerts and actions not over are never deleted; the
   * caller chooses the times (ingest/retention.ts: what a restart, an owed resolve or a cooldown still reads). Returns
   * how many of each it deleted.
   */
  pruneAlertHistory(before: AlertHistoryTimes): Promise<AlertHistoryTimes>;

  putAlert(a: AlertRecord): Promise<void>;
  getAlert(id: string): Promise<AlertRecord | null>;
  /** The alerts of these ids that exist, in no set order (a few queries whatever the number: e.g. at restart). */
  getAlerts(ids: readonly string[]): Promise<AlertRecord[]>;
  /** Newest first. */
  listAlerts(q?: AlertQuery): Promise<AlertRecord[]>;

  putSilence(s: SilenceRecord): Promise<void>;
  getSilence(id: string): Promise<SilenceRecord | null>;
  /**
   * Every silence, latest expiry first (then by id); with `endingAfter`, only those that expire after it (the ones that
   * may still mute); with activeFrom/activeTo, those muting at some moment of the range; `after` (`at` an expiry) and
   * `limit` page them.
   */
  listSilences(q?: SilenceQuery): Promise<SilenceRecord[]>;

  /** Inserts notifications (one transaction; a second one of the same id replaces the first). */
  appendNotifications(n: readonly NotificationRecord[]): Promise<void>;
  getNotification(id: string): Promise<NotificationRecord | null>;
  /** Oldest first (then by id), `at` in [from, to); `after` and `limit` page them. */
  listNotifications(q?: { from?: number; to?: number; groupKey?: string; after?: PageCursor; limit?: number }): Promise<NotificationRecord[]>;

  putAction(a: ActionRecord): Promise<void>;
  getAction(id: string): Promise<ActionRecord | null>;
  /** Newest first (then by id, descending); `before` and `limit` page them. */
  listActions(q?: { model?: string; kind?: string; before?: PageCursor; limit?: number }): Promise<ActionRecord[]>;
}

/** Per kind of alert history: the time before which it is deleted, or how many were deleted (pruneAlertHistory). */
export interface AlertHistoryTimes {
  alerts: number;
  notifications: number;
  actions: number;
}

/** The action states that are over: their actions can be pruned (retention.alertsDays). */
export const FINAL_ACTION_STATES: readonly ActionState[] = ['done', 'failed', 'rejected', 'skipped'];
