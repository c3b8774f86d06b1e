import type { AlertRecord } from '../storage/alerts.js';

export interface MonitorAlertStats {
  id: string;
  model: string;
  alerts: number;
  falsePositives: number;
  falsePositiveRate: number | null;
  alertsPerWeek: number;
}

/** Alerts, false positives and alerts per week of every monitor over [from, to): noisy thresholds show here. */
export function alertStats(alerts: readonly AlertRecord[], monitors: ReadonlyArray<{ id: string; model: string }>, from: number, to: number): MonitorAlertStats[] {
  const weeks = (to - from) / (7 * 86_400_000);
  const by = new Map<string, { model: string; n: number; fp: number }>();
  for (const m of monitors) by.set(m.id, { model: m.model, n: 0, fp: 0 });
  for (const a of alerts) {
    if (a.startsAt < from || a.startsAt >= to) continue;
    const e = by.get(a.monitorId) ?? { model: a.model, n: 0, fp: 0 };
    e.n++;
    if (a.falsePositive) e.fp++;
    by.set(a.monitorId, e);
  }
  return [...by].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, e]) => ({
    id, model: e.model, alerts: e.n, falsePositives: e.fp, falsePositiveRate: e.n ? e.fp / e.n : null, alertsPerWeek: weeks > 0 ? e.n / weeks : 0,
  }));
}
