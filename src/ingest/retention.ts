import { notificationLogFrom } from '../alerting/pipeline.js';
import { RESOLVE_RETRY_MS } from '../alerting/owed.js';
import type { AlertHistoryTimes } from '../storage/alerts.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Granularity } from '../storage/types.js';
import { DEFAULT_MINUTE_RETENTION_MS } from './options.js';

/** The granularities whose windows exist only for events newer than the minute-window retention. */
export const PRUNED_GRANULARITIES: readonly Granularity[] = ['minute', '10min'];
/** How far past the retention they are kept (queries near the cutoff still read them: a range's first minutes). */
const MARGIN_MS = 86_400_000;
const DAY_MS = 86_400_000;

/**
 * The cutoffs a prune from `oldest` to `before` goes through: a day further each, `before` last. Each is its own
 * transaction, so the first prune of a store holding months does not hold the write connection (and ingest commits
 * behind it) for the whole deletion; a regular hourly run is one step.
 */
export function daySteps(oldest: number, before: number): number[] {
  const steps: number[] = [];
  for (let t = Math.floor(oldest / DAY_MS) * DAY_MS + DAY_MS; t < before; t += DAY_MS) steps.push(t);
  steps.push(before);
  return steps;
}

/** What one run deleted. */
export interface Pruned {
  /** Minute and 10-minute window summaries. */
  windows: number;
  /** Events (retention.eventsDays), with their labels and rejected rows of the same time. */
  events: number;
  /** Monitor and SLO evaluations (retention.evaluationsDays). */
  evaluations: number;
  /** Resolved alerts, notifications and actions over (retention.alertsDays; AlertStore.pruneAlertHistory). */
  alerts: number;
  notifications: number;
  actions: number;
}

/**
 * Deletes minute and 10-minute window summaries (and their window values) a day older than the minute-window retention,
 * and, when the config sets `retention.eventsDays`, events older than that (with their labels and the rejected rows
 * received then; the window summaries that count them are kept, so health, drift and series over that time answer as
 * before, while /performance, /events and labels sent for those ids find no event).
 * Events older than the retention update only hour and day windows, and a query reaching back past it is answered from
 * hour windows (SummaryReader.effectiveRange), so those windows are never read or written again; kept, they grew the
 * store by ~20 MB a day for the demo's two models (13,819 minute windows, 40.8 MB, over its two days; measured), without
 * bound. Hour, 6-hour and day windows are kept; events, labels and rejects too unless `eventsMs` is given.
 * With `evaluationsMs` (`retention.evaluationsDays`), monitor and SLO evaluations older than that go too, but each
 * monitor's newest (AlertStore.pruneEvaluations): an SLO is evaluated every minute, ~525,000 rows a year each.
 * With `alertsMs` (`retention.alertsDays`), alert history older than that goes too, but what the alerting still reads
 * (alertHistoryTimes).
 */
export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Pruned> | null = null;

  constructor(
    private readonly store: Pick<StorageBackend, 'pruneWindows' | 'pruneEvents' | 'querySummaryKeys' | 'queryEvents' | 'alertStore'>,
    private readonly models: () => ReadonlyArray<{ name: string }>,
    private readonly clock: () => number,
    private readonly opts: {
      minuteRetentionMs?: number; eventsMs?: number; evaluationsMs?: number; alertsMs?: number;
      /** The longest action cooldown configured (alerting.actions.*.cooldown): actions that recent are kept. */
      actionCooldownMs?: number;
      onEventsPruned?: (model: string) => void;
    } = {},
  ) {}

  /**
   * Before when each kind of alert history is deleted (null: kept for ever): `alertsMs` ago, or earlier for what the
   * alerting still reads.
   * - Resolved alerts: at least RESOLVE_RETRY_MS (7 days) after they ended: a resolve a notifier missed is sent again
   *   that long (collectOwed reads the alert), and a restart looks as far back for resolves not sent yet.
   * - Notifications: none a restart reads (AlertPipeline.restore, from notificationLogFrom: the oldest active alert's
   *   start, at least 7 days back). An alert acknowledged for longer than the retention, its notification deleted,
   *   would be paged again at the next start.
   * - Actions: only those over (the store keeps pending_approval, queued and running ones), and none younger than the
   *   longest cooldown configured: the cooldown looks for the model's last action in the stored ones, so one pruned
   *   earlier would let an action run again within its cooldown. (The cooldown has no maximum in the config schema:
   *   keeping that long was chosen over capping a setting that exists.)
   */
  async alertHistoryTimes(): Promise<AlertHistoryTimes | null> {
    if (this.opts.alertsMs === undefined) return null;
    const now = this.clock();
    const cutoff = now - this.opts.alertsMs;
    const s = this.store.alertStore();
    const active = await s.listAlerts({ unresolved: true });
    return {
      alerts: Math.min(cutoff, now - RESOLVE_RETRY_MS),
      notifications: Math.min(cutoff, notificationLogFrom(active, now)),
      actions: Math.min(cutoff, now - (this.opts.actionCooldownMs ?? 0)),
    };
  }

  /** The start of the oldest window kept: windows starting before it are deleted. */
  cutoff(): number {
    return this.clock() - (this.opts.minuteRetentionMs ?? DEFAULT_MINUTE_RETENTION_MS) - MARGIN_MS;
  }

  /** Events with a timestamp before this are deleted (null: events are kept). */
  eventsCutoff(): number | null {
    return this.opts.eventsMs === undefined ? null : this.clock() - this.opts.eventsMs;
  }

  /** retention.eventsDays (null: events are kept). */
  eventsDays(): number | null {
    return this.opts.eventsMs === undefined ? null : this.opts.eventsMs / DAY_MS;
  }

  /** Deletes what is past the cutoffs, model by model. One run at a time. */
  run(): Promise<Pruned> {
    this.running ??= (async () => {
      const out: Pruned = { windows: 0, events: 0, evaluations: 0, alerts: 0, notifications: 0, actions: 0 };
      try {
        const before = this.cutoff();
        const eventsBefore = this.eventsCutoff();
        if (this.opts.evaluationsMs !== undefined) out.evaluations = await this.store.alertStore().pruneEvaluations(this.clock() - this.opts.evaluationsMs);
        const history = await this.alertHistoryTimes();
        if (history !== null) Object.assign(out, await this.store.alertStore().pruneAlertHistory(history));
        for (const { name } of this.models()) {
          const oldestWindow = (await this.store.querySummaryKeys({ model: name, granularity: 'minute', from: 0, to: before }))
            .reduce((min, k) => Math.min(min, k.windowStart), before);
          for (const to of daySteps(oldestWindow, before)) out.windows += await this.store.pruneWindows(name, PRUNED_GRANULARITIES, to);
          if (eventsBefore === null) continue;
          const oldestEvent = (await this.store.queryEvents({ model: name, from: 0, to: eventsBefore, limit: 1 }))[0]?.ts ?? eventsBefore;
          let n = 0;
          for (const to of daySteps(oldestEvent, eventsBefore)) n += await this.store.pruneEvents(name, to);
          out.events += n;
          if (n > 0) this.opts.onEventsPruned?.(name);
        }
        return out;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Runs every `intervalMs` (the first run after `firstMs`); errors go to `onError` (the next run tries again). */
  start(intervalMs: number, firstMs: number, onError: (e: unknown) => void, onRun?: (pruned: Pruned) => void): void {
    const tick = (): void => {
      void this.run().then((n) => onRun?.(n), onError);
    };
    const first = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, intervalMs);
      this.timer.unref();
    }, firstMs);
    first.unref();
    this.timer = first;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
    }
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
