/**
 * Labels Lookout sets on every alert (identity, routing, silences, grouping): a monitor's or SLO's own `labels` may not
 * set them, else an alert of model churn could carry `model: fraud` and be routed, silenced or grouped as fraud's.
 */
export const RESERVED_LABELS = ['alertname', 'monitor', 'slo', 'model', 'version', 'metric', 'category', 'segment', 'severity'] as const;

/** Why a definition's own labels are refused (they name reserved labels), or undefined when they are fine. */
export function reservedLabelsError(labels: Record<string, string>, k = 'labels', allowed: readonly string[] = []): string | undefined {
  const bad = Object.keys(labels).filter((n) => (RESERVED_LABELS as readonly string[]).includes(n) && !allowed.includes(n));
  if (bad.length === 0) return undefined;
  return `"${k}" may not set ${bad.map((n) => `"${n}"`).join(', ')}: reserved labels, set by Lookout (reserved: ${RESERVED_LABELS.filter((n) => !allowed.includes(n)).join(', ')})`;
}

/**
 * Labels an external alert (POST /v1/alerts) may set among the reserved ones: its `alertname` (as senders to
 * Alertmanager do). `category` is Lookout's (`external`): inhibition rules match on it, so an external alert with
 * `category: data` would mute the model's drift alerts.
 */
export const EXTERNAL_ALLOWED_LABELS = ['alertname'] as const;
