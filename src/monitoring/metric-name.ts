/**
 * A metric name with an optional feature ("drift:age") as its id and feature, split at the first colon: a feature
 * name may hold colons ("missing:a:b" is feature "a:b"). Series metrics and monitor metrics are named this way.
 */
export function splitMetric(metric: string): { id: string; feature?: string } {
  const i = metric.indexOf(':');
  return i < 0 ? { id: metric } : { id: metric.slice(0, i), feature: metric.slice(i + 1) };
}
