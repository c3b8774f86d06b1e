/**
 * The segment an alert's monitor measures, as a person reads it: its `segment` label (the canonical key, values
 * URI-encoded: "region=S%C3%A3o%20Paulo&tier=gold") with the values decoded ("region=São Paulo&tier=gold"), or
 * undefined for an alert of all traffic. Audit 27: a monitor of a segment and one of all traffic of the same metric
 * were notified (Slack, Alertmanager's summary) and listed (`lookout alerts list`) in the same words, "m errorRate":
 * the segment, in the labels only, was in none of the text an on-call reads.
 */
export function segmentText(labels: Readonly<Record<string, string>>): string | undefined {
  const seg = labels['segment'];
  if (seg === undefined || seg === '') return undefined;
  return seg.split('&').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  }).join('&');
}

/** " (segment region=us)" for an alert of a segment, "" for one of all traffic: what follows the alert's name. */
export function segmentSuffix(labels: Readonly<Record<string, string>>): string {
  const seg = segmentText(labels);
  return seg === undefined ? '' : ` (segment ${seg})`;
}
