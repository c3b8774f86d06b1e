import type { Alerting } from '../alerting/setup.js';
import type { RolloutEvent, RolloutNotifier } from '../rollout/notifier.js';

/** Labels of the rollout alert of a model: one open alert per model (a later promotion, or a later rollback, resolves it). */
const LABELS = { category: 'rollout' };

/**
 * Rollout events into the alert pipeline (issue 5 -> issue 4): an automatic rollback raises a "page" alert carrying
 * the reason and the failed analysis; a manual abort (a person just did it: nobody needs paging) a "warning" alert,
 * the lowest severity the pipeline has, saying it was manual and by whom; a promotion (or blue-green switch) resolves it. Every event also goes to the wrapped notifiers
 * (the log, or a test's memory). Alerting is attached after start (it is built after the registry).
 */
export class RolloutAlerts implements RolloutNotifier {
  private alerting: Alerting | null = null;

  constructor(private readonly also: readonly RolloutNotifier[] = []) {}

  attach(alerting: Alerting): void {
    this.alerting = alerting;
  }

  async notify(e: RolloutEvent): Promise<void> {
    for (const n of this.also) await n.notify(e).catch(() => undefined);
    const a = this.alerting;
    if (!a) return;
    if (e.type === 'rolled_back') {
      const failed = e.analysis?.checks.filter((c) => !c.pass) ?? [];
      const manual = e.manualBy !== undefined;
      // A rollout ends once: an alert still open is an earlier rollout's. Closed first, so this rollback is an alert of
      // its own (its candidate, notified): merged into the open one, same severity, it was never notified.
      await a.resolve({ source: 'rollout', model: e.model, labels: LABELS });
      await a.raise({
        source: 'rollout', model: e.model, version: e.candidate, severity: manual ? 'warning' : 'page', labels: LABELS,
        summary: `rollout ${e.rolloutId} of ${e.model} ${manual ? `aborted manually by ${e.manualBy}` : 'rolled back'} (${e.candidate} -> ${e.primary}): ${e.reason}`,
        context: {
          metric: 'rollout', rolloutId: e.rolloutId, primary: e.primary, candidate: e.candidate, reason: e.reason,
          ...(manual && { manual: true, by: e.manualBy }),
          ...(failed[0] && { observed: failed[0].canary, baseline: failed[0].primary, threshold: failed[0].limit }),
          ...(e.analysis && { checks: e.analysis.checks }),
        },
      });
    } else if (e.type === 'promoted' || (e.type === 'started' && e.weight === 100)) {
      // promoted, or a blue-green switch (all traffic on the candidate at once)
      await a.resolve({ source: 'rollout', model: e.model, version: e.candidate, labels: LABELS });
    }
  }
}
