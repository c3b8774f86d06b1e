import { severityRank } from '../core/rules/types.js';
import type { AlertRecord, AlertStore } from '../storage/alerts.js';
import type { Stage } from './stage.js';

/** Context key: when the alert's severity last changed (a notification sent before then is out of date). */
export const SEVERITY_CHANGED_AT = 'severityChangedAt';

/**
 * Context key: every severity the alert has fired at (audit 27). A notifier filtering on severity (`minSeverity: page`,
 * a `severity` matcher) that got it firing at one of them is owed its resolve, whatever severity it resolves at: a
 * page that went down to warning, then resolved, was never resolved in the pager.
 */
export const FIRED_SEVERITIES = 'firedSeverities';

/** The severities the alert has fired at (its current one for an alert stored before audit 27). */
export function firedSeverities(a: AlertRecord): string[] {
  const fired = a.context[FIRED_SEVERITIES];
  const list = Array.isArray(fired) ? fired.filter((x): x is string => typeof x === 'string') : [];
  return list.includes(a.severity) ? list : [...list, a.severity];
}

export function severityChangedAt(a: AlertRecord): number {
  const at = a.context[SEVERITY_CHANGED_AT];
  return typeof at === 'number' ? at : a.startsAt;
}

/**
 * Dedup: candidates (one per signal; state 'open' = firing, 'resolved' = back to normal) are merged into the
 * stored alerts: at most one open alert per fingerprint. Firing again updates it (escalating the severity),
 * resolving closes it. Returns the alerts that changed in a way worth notifying: new, escalated, resolved.
 */
export function dedupStage(store: AlertStore): Stage {
  return async (candidates, ctx) => {
    const changed: AlertRecord[] = [];
    for (const c of candidates) {
      // the fingerprint's open or acknowledged alert (one at most): not every alert it raised since the store began
      const existing = (await store.listAlerts({ fingerprint: c.fingerprint, unresolved: true }))[0];
      if (c.state === 'resolved') {
        if (!existing) continue;
        const closed: AlertRecord = { ...existing, state: 'resolved', endsAt: c.endsAt ?? ctx.now, updatedAt: ctx.now, context: { ...existing.context, resolvedContext: c.context } };
        await store.putAlert(closed);
        changed.push(closed);
        continue;
      }
      if (!existing) {
        const opened: AlertRecord = { ...c, context: { ...c.context, [FIRED_SEVERITIES]: [c.severity] } };
        await store.putAlert(opened);
        changed.push(opened);
        continue;
      }
      const escalated = severityRank(c.severity as never) > severityRank(existing.severity as never);
      // the action this alert already ran stays linked to it (else every repeat would trigger the same action again)
      const ran = c.context['action'] === existing.context['action'] && existing.context['actionId'] !== undefined
        ? { actionId: existing.context['actionId'], actionState: existing.context['actionState'] } : {};
      const updated: AlertRecord = {
        ...existing, severity: c.severity, labels: c.labels, updatedAt: ctx.now,
        context: {
          ...c.context, ...ran, segments: (c.context['segments'] as unknown[] | undefined)?.length ? c.context['segments'] : existing.context['segments'],
          [SEVERITY_CHANGED_AT]: c.severity === existing.severity ? severityChangedAt(existing) : ctx.now,
          [FIRED_SEVERITIES]: [...new Set([...firedSeverities(existing), c.severity])],
        },
      };
      await store.putAlert(updated);
      if (escalated) changed.push(updated);
      else ctx.log.info('duplicate alert suppressed', { id: existing.id, fingerprint: c.fingerprint });
    }
    return changed;
  };
}
