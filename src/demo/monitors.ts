import type { AppDeps } from '../http/deps.js';

const HOUR = 3_600_000;

/** Monitors of the demo models (pinned to the versions that carry the demo traffic). */
export const DEMO_MONITORS: Array<Record<string, unknown>> = [
  { id: 'churn-drift-share', model: 'churn', version: '1.0.0', name: 'churn: share of drifted features', metric: 'driftShare', window: '1d', minSamples: 500,
    levels: [{ severity: 'warning', threshold: 0.3 }, { severity: 'page', threshold: 0.5 }], runbookUrl: 'https://runbooks.example/churn-drift' },
  { id: 'churn-drift-monthly-spend', model: 'churn', version: '1.0.0', name: 'churn: monthly_spend drift (PSI)', metric: 'drift:monthly_spend', method: 'psi', window: '1d', minSamples: 500,
    levels: [{ severity: 'warning', threshold: 0.1 }, { severity: 'page', threshold: 0.25 }], runbookUrl: 'https://runbooks.example/churn-drift' },
  { id: 'churn-accuracy', model: 'churn', version: '1.0.0', name: 'churn: accuracy vs reference', metric: 'accuracy', kind: 'baseline', window: '1d', minSamples: 300,
    levels: [{ severity: 'warning', threshold: 0.05 }, { severity: 'page', threshold: 0.1 }] },
  { id: 'churn-label-drift', model: 'churn', version: '1.0.0', name: 'churn: label drift (Jensen-Shannon)', metric: 'labelDrift', method: 'jensenshannon', window: '1d', minSamples: 300,
    levels: [{ severity: 'warning', threshold: 0.1 }] },
  { id: 'eta-latency-p95', model: 'eta', version: '2.1.0', name: 'eta: latency p95', metric: 'latencyP95', window: '1h', minSamples: 50,
    levels: [{ severity: 'warning', threshold: 150 }, { severity: 'page', threshold: 300 }], runbookUrl: 'https://runbooks.example/eta-latency' },
  { id: 'eta-error-rate', model: 'eta', version: '2.1.0', name: 'eta: error rate', metric: 'errorRate', window: '1h', minSamples: 50,
    levels: [{ severity: 'warning', threshold: 0.01 }, { severity: 'page', threshold: 0.03 }] },
];

export const DEMO_SLOS: Array<Record<string, unknown>> = [
  { id: 'eta-availability', model: 'eta', name: 'eta availability 99.5%', kind: 'availability', objective: 0.995, minEvents: 20 },
  { id: 'eta-latency', model: 'eta', name: 'eta latency < 250 ms for 99%', kind: 'latency', latencyMs: 250, objective: 0.99, minEvents: 20 },
];

/**
 * Declares the demo monitors and SLOs and evaluates them over the demo period as if the server had been
 * running (a backfill: the schedule's tick at simulated times, every `stepMs`), so the incidents of the
 * data appear as alerts, resolved or still open as the data says, with their evaluation history. Ends early once
 * `stopped()` (a signal during the demo fill).
 */
export async function fillDemoMonitors(deps: AppDeps, start: number, now: number, stepMs = 24 * HOUR, stopped = (): boolean => false): Promise<{ ticks: number; alerts: number }> {
  const alerting = deps.alerting;
  if (!alerting) return { ticks: 0, alerts: 0 };
  for (const m of DEMO_MONITORS) await alerting.monitors.putMonitor(m);
  let ticks = 0;
  for (let t = Math.ceil(start / stepMs) * stepMs; t <= now; t = Math.min(t + stepMs, t >= now ? Infinity : now)) {
    if (stopped()) break; // a signal: the caller stops the start
    await alerting.monitors.tick(t);
    ticks++;
  }
  // SLOs start with the live schedule (their burn rates are evaluated per minute: too many points to backfill);
  // their error budget is computed over the 30 days at query time, incidents included
  for (const s of DEMO_SLOS) await alerting.monitors.putSlo(s);
  const alerts = await deps.store.alertStore().listAlerts({});
  return { ticks, alerts: alerts.length };
}
