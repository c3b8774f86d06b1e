import { LABEL_METRICS } from './label-metrics.js';
import { SUMMARY_METRICS } from './summary-metrics.js';
import type { MonitorMetric } from './types.js';

const metrics = new Map<string, MonitorMetric>();

/** Registers a monitorable metric under its stable id (plugins call this; ids must be unique). */
export function registerMonitorMetric(m: MonitorMetric): void {
  if (metrics.has(m.id)) throw new Error(`monitor metric "${m.id}" is already registered`);
  metrics.set(m.id, m);
}

export function knownMonitorMetrics(): string[] {
  return [...metrics.keys()].sort();
}

export function getMonitorMetric(id: string): MonitorMetric {
  const m = metrics.get(id);
  if (!m) throw new Error(`unknown metric "${id}"; known metrics: ${knownMonitorMetrics().join(', ')}`);
  return m;
}

for (const m of [...SUMMARY_METRICS, ...LABEL_METRICS]) registerMonitorMetric(m);
