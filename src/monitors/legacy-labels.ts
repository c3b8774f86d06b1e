/** Alerts stored by earlier releases with labels a monitor no longer gives them: relabelled in place at start. */
import type { AlertStore } from '../storage/alerts.js';
import { fingerprint } from '../alerting/fingerprint.js';
import { splitMetric } from '../monitoring/metric-name.js';
import { monitorLabels } from './context.js';
import type { MonitorDefinition } from './definition.js';

/**
 * The label sets earlier versions gave a monitor's alerts, other than monitorLabels' now: the segment as written (until
 * audit 21), category `data` for labelDelay (until audit 24), and both.
 */
export function legacyMonitorLabels(def: MonitorDefinition): Record<string, string>[] {
  const now = monitorLabels(def);
  const segments = def.segment ? [now['segment'], def.segment] : [undefined];
  const categories = splitMetric(def.metric).id === 'labelDelay' ? [now['category'], 'data'] : [now['category']];
  const sets: Record<string, string>[] = [];
  for (const segment of new Set(segments)) {
    for (const category of new Set(categories)) {
      if (segment === now['segment'] && category === now['category']) continue;
      sets.push({ ...now, ...(segment !== undefined && { segment }), category: category as string });
    }
  }
  return sets;
}

/**
 * Alerts raised by earlier versions carry labels monitorLabels no longer gives (legacyMonitorLabels): the monitor's
 * segment as written ("tier=gold&region=eu", until audit 21; now the canonical "region=eu&tier=gold"), category `data`
 * of a labelDelay monitor (until audit 24; now `labels`), and the fingerprint of those labels. Left alone, such an
 * alert still firing would never be updated or resolved again (a second alert opened beside it, its acknowledgement
 * lost), and a config file's monitor, declared again at start, would resolve it. Its labels and fingerprint are
 * rewritten in place (same id, state, acknowledgement, notifications), once: before the config file's monitors are
 * declared and the alert pipeline restores its groups (MonitorService.load; `defs`: the valid stored monitors).
 */
export async function carryOverLegacyLabels(defs: readonly MonitorDefinition[], store: AlertStore): Promise<void> {
  for (const def of defs) {
    const labels = monitorLabels(def);
    const olds = new Set(legacyMonitorLabels(def).map((l) => fingerprint(def.id, l)));
    if (olds.size === 0) continue;
    for (const state of ['open', 'acknowledged'] as const) {
      for (const a of await store.listAlerts({ monitorId: def.id, state })) {
        if (!olds.has(a.fingerprint)) continue;
        await store.putAlert({ ...a, fingerprint: fingerprint(def.id, labels), labels: { ...a.labels, ...pick(labels, 'segment', 'category') } });
      }
    }
  }
}

/** The keys of `o` among `keys` (those it has). */
function pick(o: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k] as string]));
}
