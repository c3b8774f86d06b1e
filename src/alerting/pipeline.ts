import { labelsKey } from '../core/rules/matchers.js';
import type { Severity } from '../core/rules/types.js';
import type { AlertRecord, AlertStore } from '../storage/alerts.js';
import type { ActionRunner } from './actions/runner.js';
import { dedupStage, severityChangedAt } from './dedup.js';
import { fingerprint } from './fingerprint.js';
import { contentHash, groupDue, repeatStage, type Group } from './group.js';
import { dashboardLink } from './links.js';
import { inhibitStage, silenceStage, timeWindowStage } from './mute.js';
import { FAILED_NOTIFIERS, notifyStage, ONLY_NOTIFIERS, OWED, OWED_CARRIED, wants } from './notify.js';
import { collectOwed, recordOwed, restoreOwed, sendOwed, settleOwed } from './owed.js';
import { resendDue, resendGroup } from './resend.js';
import type { Notifier } from './notifiers/types.js';
import { runStages, type DeliveryObserver, type Stage, type StageContext } from './stage.js';
import type { Logger, PipelineSettings, Signal } from './types.js';

export interface PipelineDeps {
  store: AlertStore;
  newId: () => string;
  log: Logger;
  settings: () => PipelineSettings;
  notifiers: () => readonly Notifier[];
  actions: ActionRunner;
  /** Told of every delivery to a notifier (the server's /metrics). */
  onDelivery?: DeliveryObserver;
}

/** How far back a restart looks for resolves not sent yet (of alerts notified as firing). */
export const RESOLVE_LOOKBACK_MS = 7 * 86_400_000;

/**
 * Where a restart starts reading the notification log (`restore`): the oldest start or update of the active (open or
 * acknowledged) alerts, or RESOLVE_LOOKBACK_MS back when that is earlier. Retention (retention.alertsDays) keeps every
 * notification from there: one deleted, its alert would count as never notified and be paged again.
 */
export function notificationLogFrom(active: readonly AlertRecord[], now: number): number {
  return active.reduce((m, a) => Math.min(m, a.startsAt, a.updatedAt), now - RESOLVE_LOOKBACK_MS);
}

export class AlertStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertStateError';
  }
}

/** What other code (e.g. the rollout controller) passes to raise an alert through the pipeline. */
export interface RaiseInput {
  /** A stable name of what raises it, e.g. "rollout"; the alert's fingerprint is this plus the labels. */
  source: string;
  model: string;
  version?: string | null;
  severity: Severity;
  summary: string;
  labels?: Record<string, string>;
  context?: Record<string, unknown>;
}

/**
 * The alert pipeline: dedup ▶ group (wait / interval) ▶ inhibit ▶ silence ▶ time windows ▶ repeat ▶ notify ▶
 * actions. `ingest` takes signals (from monitors, SLOs or other code); `flush` sends the groups that are due.
 */
export class AlertPipeline {
  private readonly groups = new Map<string, Group>();
  private readonly dedup: Stage;
  private readonly notify: Stage;
  private readonly actionStage: Stage;
  /** Keys of the groups being flushed: a flush skips them (one flush of a group at a time). */
  private readonly flushing = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();

  constructor(private readonly deps: PipelineDeps) {
    this.dedup = dedupStage(deps.store);
    this.notify = notifyStage(deps.notifiers, deps.newId);
    // groups flush in parallel; actions run one at a time (a model's cooldown is checked, then recorded)
    let actionsDone: Promise<unknown> = Promise.resolve();
    this.actionStage = (alerts, ctx) => {
      const run = actionsDone.catch(() => undefined).then(async () => {
        for (const a of alerts) {
          const action = a.context['action'];
          if (a.state === 'resolved' || typeof action !== 'string' || a.context['actionId'] !== undefined) continue;
          const rec = await deps.actions.trigger(action, a, ctx.now);
          await deps.store.putAlert({ ...a, context: { ...a.context, actionId: rec.id, actionState: rec.state } });
        }
        return alerts;
      });
      actionsDone = run;
      return run;
    };
  }

  private ctx(now: number, groupKey = '', active: readonly AlertRecord[] = []): StageContext {
    return { now, groupKey, store: this.deps.store, settings: this.deps.settings(), log: this.deps.log, active, notes: {}, signal: this.closing.signal, ...(this.deps.onDelivery && { onDelivery: this.deps.onDelivery }) };
  }

  /** Merges signals into alerts (dedup) and puts the changed ones into their groups. */
  async ingest(signals: readonly Signal[], now: number): Promise<AlertRecord[]> {
    const candidates = signals.map((s): AlertRecord => {
      const labels = { ...s.labels, ...(s.severity && { severity: s.severity }) };
      return {
        id: this.deps.newId(), fingerprint: fingerprint(s.source, s.labels), monitorId: s.source, model: s.model, version: s.version,
        severity: s.severity ?? 'warning', state: s.severity ? 'open' : 'resolved', falsePositive: false, labels,
        startsAt: s.at, endsAt: s.severity ? null : s.at, updatedAt: now, silenced: false, inhibited: false,
        context: { ...s.context, ...(s.action !== undefined && { action: s.action }) },
      };
    });
    const changed = await this.dedup(candidates, this.ctx(now));
    for (const a of changed) this.enqueue(a, now);
    return changed;
  }

  /** The group the alert belongs in (created when there is none). */
  private groupFor(a: AlertRecord, now: number): Group {
    const { groupBy } = this.deps.settings();
    const labels: Record<string, string> = { ...a.labels, model: a.model, ...(a.version !== null && { version: a.version }) };
    const key = labelsKey(labels, groupBy);
    let g = this.groups.get(key);
    if (!g) {
      g = { key, labels: Object.fromEntries(groupBy.filter((k) => labels[k] !== undefined).map((k) => [k, labels[k] as string])), alertIds: new Set(), createdAt: now, flushedAt: null, sentHash: '', sentAt: 0, notified: new Set(), resentAt: new Map(), failed: new Set(), owed: new Map() };
      this.groups.set(key, g);
    }
    return g;
  }

  private enqueue(a: AlertRecord, now: number): void {
    const g = this.groupFor(a, now);
    // an alert is in one group: grouped by a label that changed (severity, on an escalation), it moves, taking with it
    // whether it was notified (its resolve is then due), so the group it left does not send it again
    for (const other of this.groups.values()) {
      if (other === g || !other.alertIds.delete(a.id)) continue;
      if (other.notified.delete(a.id)) g.notified.add(a.id);
      if (other.alertIds.size === 0 && other.owed.size === 0) this.groups.delete(other.key);
    }
    g.alertIds.add(a.id);
  }

  /**
   * Sends every group that is due, then re-sends the firing alerts of the groups due to notifiers with a resend
   * interval (Alertmanager); returns the number of groups that sent something (re-sends not counted).
   */
  flush(now: number): Promise<number> {
    if (this.closing.signal.aborted) return Promise.resolve(0);
    const run = this.flushDue(now);
    this.inFlight.add(run);
    void run.catch(() => undefined).finally(() => this.inFlight.delete(run));
    return run;
  }

  /**
   * Stops: deliveries in flight are cut short (the attempt's request is aborted, its command killed) and start no
   * more retries; each is recorded as failed, so the next start sends it again. The flushes in flight are waited for:
   * they end at once, but for an action in flight (a retrain hook, up to its timeoutMs: docs/alerting.md). Later
   * flushes do nothing.
   */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async flushDue(now: number): Promise<number> {
    const s = this.deps.settings();
    // a group still being flushed (a notifier slow or retrying) is left to that flush
    const idle = (): Group[] => [...this.groups.values()].filter((g) => !this.flushing.has(g.key));
    const due = idle().filter((g) => groupDue(g, now, s.groupWaitMs, s.groupIntervalMs));
    const resending = (): Array<[Group, Notifier[]]> => idle().map((g): [Group, Notifier[]] => [g, resendDue(g, this.deps.notifiers(), now)]).filter(([, n]) => n.length > 0);
    if (due.length === 0 && resending().length === 0) return 0;
    const active = [...await this.deps.store.listAlerts({ state: 'open' }), ...await this.deps.store.listAlerts({ state: 'acknowledged' })];
    // groups are sent in parallel: a notifier that hangs or retries for one group never holds back another's page
    const sent = (await Promise.all(due.map((g) => this.exclusive(g, () => this.flushGroup(g, now, active), false)))).filter(Boolean).length;
    await Promise.all(resending().map(([g, notifiers]) => this.exclusive(g, async () => {
      const ctx = this.ctx(now, g.key, active);
      ctx.notes['groupLabels'] = g.labels;
      await resendGroup(g, await this.alertsOf(g), notifiers, ctx, this.deps.newId);
    }, undefined)));
    return sent;
  }

  /** Runs `f` as the group's only flush (`skipped` when another flush of the group runs). */
  private async exclusive<T>(g: Group, f: () => Promise<T>, skipped: T): Promise<T> {
    if (this.flushing.has(g.key)) return skipped;
    this.flushing.add(g.key);
    try {
      return await f();
    } finally {
      this.flushing.delete(g.key);
    }
  }

  /** Runs a due group through the stages; true when it sent something. */
  private async flushGroup(g: Group, now: number, active: readonly AlertRecord[]): Promise<boolean> {
    const alerts = await this.alertsOf(g);
    const owedCtx = this.ctx(now, g.key, active);
    owedCtx.notes['groupLabels'] = g.labels;
    const owed = await collectOwed(g, this.deps.notifiers(), (ids) => this.deps.store.getAlerts(ids), owedCtx);
    const ctx = this.ctx(now, g.key, active);
    ctx.notes['groupLabels'] = g.labels;
    ctx.notes[OWED] = owed;
    const out = await runStages([inhibitStage, silenceStage, timeWindowStage, repeatStage(g), this.notify, this.actionStage], alerts, ctx);
    // owed resolves went with the group's notification to the notifiers it was sent to; the others get them alone
    const carried = (ctx.notes[OWED_CARRIED] as ReadonlySet<string> | undefined) ?? new Set<string>();
    const failedNow = (ctx.notes[FAILED_NOTIFIERS] as ReadonlySet<string> | undefined) ?? new Set<string>();
    for (const id of carried) if (!failedNow.has(id)) settleOwed(g, id, owed.get(id) ?? []);
    await sendOwed(g, this.deps.notifiers().filter((n) => !carried.has(n.config.id)), owed, owedCtx, this.deps.newId);
    g.flushedAt = now;
    const retry = ctx.notes[ONLY_NOTIFIERS] !== undefined;
    if (out.length > 0) {
      g.failed = (ctx.notes[FAILED_NOTIFIERS] as Set<string> | undefined) ?? new Set();
      // a resolve a notifier failed to get is owed to it (only): sent again at the next flushes
      recordOwed(g, out, g.failed, this.deps.notifiers());
      if (!retry) {
        // the resolved alerts sent leave the group below: what the receivers now hold is the rest (else the next
        // flush would see other content and page the alerts still firing again)
        g.sentHash = contentHash(out.filter((a) => a.state !== 'resolved'));
        g.sentAt = now;
      }
      for (const a of out) if (a.state !== 'resolved') g.notified.add(a.id);
      // what was sent is every visible alert of the group: a re-send is due one resend interval later
      for (const n of this.deps.notifiers()) if (n.resendMs !== undefined && !retry) g.resentAt.set(n.config.id, now);
    }
    // resolved alerts leave the group once their resolve went out (or if it never will: muted or never notified)
    for (const a of alerts) {
      if (a.state === 'resolved' && (out.some((o) => o.id === a.id) || !g.notified.has(a.id) || a.silenced || a.inhibited)) {
        g.alertIds.delete(a.id);
        g.notified.delete(a.id);
      }
    }
    if (g.alertIds.size === 0 && g.owed.size === 0) this.groups.delete(g.key);
    return out.length > 0;
  }

  private async alertsOf(g: Group): Promise<AlertRecord[]> {
    const read = new Map((await this.deps.store.getAlerts([...g.alertIds])).map((a) => [a.id, a]));
    return [...g.alertIds].map((id) => read.get(id)).filter((a): a is AlertRecord => a !== undefined);
  }

  /**
   * After a restart: active alerts go back into their groups; those the notification log shows as notified count
   * as already notified (no duplicate page), the others (raised just before the restart, still in group wait) are
   * sent at the group's next flush, as are those whose severity changed after they were last notified (an escalation
   * held by the group interval), and alerts notified as firing that resolved after their last notification (a resolve
   * held by the group interval; looked for in the notifications of the last `RESOLVE_LOOKBACK_MS`). Only deliveries
   * that succeeded count as sent; a notifier whose last delivery of a group failed gets the group again.
   */
  async restore(now: number): Promise<void> {
    const active = [...await this.deps.store.listAlerts({ state: 'open' }), ...await this.deps.store.listAlerts({ state: 'acknowledged' })];
    const from = notificationLogFrom(active, now);
    const lastSent = new Map<string, number>();
    // per alert and notifier, the first and last deliveries that succeeded (a resolve a notifier missed is owed to it)
    const span = new Map<string, Map<string, [number, number]>>();
    // per group, each notifier's last delivery: those that failed get the group again at its next flush
    const lastStatus = new Map<string, Map<string, string>>();
    for (const n of await this.deps.store.listNotifications({ from, to: now + 1 })) {
      lastStatus.set(n.groupKey, (lastStatus.get(n.groupKey) ?? new Map<string, string>()).set(n.notifier, n.status));
      if (n.status !== 'sent') continue;
      for (const id of n.alertIds) {
        lastSent.set(id, Math.max(lastSent.get(id) ?? -Infinity, n.at));
        const byNotifier = span.get(id) ?? new Map<string, [number, number]>();
        const [first, last] = byNotifier.get(n.notifier) ?? [Infinity, -Infinity];
        span.set(id, byNotifier.set(n.notifier, [Math.min(first, n.at), Math.max(last, n.at)]));
      }
    }
    const activeIds = new Set(active.map((a) => a.id));
    const unsentResolves: AlertRecord[] = [];
    // the alerts notified that no longer fire, read at once (until 2026-12 one read each: 2,000 reads for 2,000 alerts)
    const gone = [...lastSent].filter(([id, at]) => !activeIds.has(id) && at >= now - RESOLVE_LOOKBACK_MS).map(([id]) => id);
    const read = new Map((await this.deps.store.getAlerts(gone)).map((a) => [a.id, a]));
    for (const id of gone) {
      const a = read.get(id);
      const at = lastSent.get(id) as number;
      if (a?.state !== 'resolved' || a.endsAt === null) continue;
      if (a.endsAt > at) unsentResolves.push(a);
      else restoreOwed(() => this.groupFor(a, now), a, span.get(id), this.deps.notifiers());
    }
    const upToDate = new Set<string>();
    const byId = new Map(active.map((a) => [a.id, a]));
    for (const a of [...active, ...unsentResolves]) {
      this.enqueue(a, now);
      const g = [...this.groups.values()].find((x) => x.alertIds.has(a.id));
      const sentAt = lastSent.get(a.id);
      if (g && sentAt !== undefined) {
        g.notified.add(a.id);
        g.flushedAt = now;
        if (a.state !== 'resolved' && sentAt >= severityChangedAt(a)) upToDate.add(a.id);
      }
    }
    for (const g of this.groups.values()) {
      for (const [notifier, status] of lastStatus.get(g.key) ?? []) if (status === 'failed') g.failed.add(notifier);
      // audit 27: a notifier wanting a firing alert that has no successful delivery of it since its severity changed
      // gets the group again: a kill -9 while its delivery was in flight left no record of it (another notifier's,
      // done first, made the alert look notified, and that receiver was never paged)
      for (const id of g.notified) {
        const a = upToDate.has(id) ? byId.get(id) : undefined;
        if (a === undefined) continue;
        for (const n of this.deps.notifiers()) {
          const last = span.get(id)?.get(n.config.id)?.[1];
          if ((last === undefined || last < severityChangedAt(a)) && wants(n, a)) g.failed.add(n.config.id);
        }
      }
      // up to date: still firing, so among those listed above
      const alerts = [...g.notified].filter((id) => upToDate.has(id)).map((id) => byId.get(id)).filter((a): a is AlertRecord => a !== undefined);
      g.sentHash = contentHash(alerts);
      g.sentAt = now;
    }
  }

  /** Raises an alert from other code (deduplicated like monitor alerts: one open alert per source + labels). */
  async raise(input: RaiseInput, now: number): Promise<AlertRecord | null> {
    const changed = await this.ingest([this.externalSignal(input, input.severity, now)], now);
    return changed[0] ?? (await this.openAlert(`external:${input.source}`, this.externalLabels(input)));
  }

  /** Resolves an alert raised with `raise` (same source and labels). */
  async resolveRaised(input: Omit<RaiseInput, 'severity' | 'summary'> & { summary?: string }, now: number): Promise<AlertRecord | null> {
    const changed = await this.ingest([this.externalSignal({ ...input, severity: 'warning', summary: input.summary ?? 'resolved' }, null, now)], now);
    return changed[0] ?? null;
  }

  private externalLabels(input: Omit<RaiseInput, 'severity' | 'summary'>): Record<string, string> {
    return { alertname: input.source, category: 'external', ...(input.labels ?? {}), model: input.model };
  }

  private externalSignal(input: RaiseInput, severity: Severity | null, now: number): Signal {
    return {
      source: `external:${input.source}`, model: input.model, version: input.version ?? null, severity, at: now,
      labels: this.externalLabels(input),
      context: {
        metric: input.source, summary: input.summary, observed: null, baseline: null, threshold: null, change: null, segments: [],
        ...dashboardLink(this.deps.settings().dashboardUrl, `/ui/#/model/${encodeURIComponent(input.model)}`), ...(input.context ?? {}),
      },
    };
  }

  private async openAlert(source: string, labels: Record<string, string>): Promise<AlertRecord | null> {
    return (await this.deps.store.listAlerts({ fingerprint: fingerprint(source, labels), unresolved: true }))[0] ?? null;
  }

  async acknowledge(id: string, by: string, note: string | undefined, now: number): Promise<AlertRecord | null> {
    return this.update(id, now, (a) => {
      if (a.state === 'resolved') throw new AlertStateError(`alert ${id} is resolved: it cannot be acknowledged`);
      return { ...a, state: 'acknowledged', acknowledgedBy: by, ...(note !== undefined && { note }) };
    });
  }

  async resolve(id: string, by: string, note: string | undefined, now: number): Promise<AlertRecord | null> {
    return this.update(id, now, (a) => {
      if (a.state === 'resolved') throw new AlertStateError(`alert ${id} is already resolved`);
      return { ...a, state: 'resolved', endsAt: now, resolvedBy: by, ...(note !== undefined && { note }) };
    });
  }

  /** Marks an alert as a false positive (resolving it if it still fires); counted in the monitor stats. */
  async falsePositive(id: string, by: string, note: string | undefined, now: number): Promise<AlertRecord | null> {
    return this.update(id, now, (a) => ({
      ...a, falsePositive: true, ...(a.state !== 'resolved' && { state: 'resolved' as const, endsAt: now, resolvedBy: by }), ...(note !== undefined && { note }),
    }));
  }

  private async update(id: string, now: number, f: (a: AlertRecord) => AlertRecord): Promise<AlertRecord | null> {
    const a = await this.deps.store.getAlert(id);
    if (!a) return null;
    const next = { ...f(a), updatedAt: now };
    await this.deps.store.putAlert(next);
    if (next.state === 'resolved' && a.state !== 'resolved') this.enqueue(next, now);
    return next;
  }
}
