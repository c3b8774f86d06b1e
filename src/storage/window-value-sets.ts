import type { SummaryKey, WindowValue, WindowValueQuery } from './types.js';
import { summaryKey, type Row } from './duckdb/rows.js';

/**
 * How both backends store window values (WindowValue): one row per window holding its values by metric name (DuckDB:
 * a MAP(VARCHAR, DOUBLE); PostgreSQL: a jsonb object) with the one basis and event count they were computed under. A
 * series of one metric reads one row per window however many metrics are stored (the window-value filler stores ~100
 * per window of a 50-feature model; a row per metric made every query scan all of them). Writing values under the
 * row's basis and count adds them to it; under another basis or count they replace it (the old ones no longer hold).
 * Doubles are exact, NaN and infinities included; -0 is stored as 0.
 */
export interface WindowValueSet extends SummaryKey {
  basis: string;
  events: number;
  metrics: string[];
  values: Array<number | null>;
}

/** Groups values by window (the last basis and count given for a window wins, with its values only). */
export function toValueSets(values: readonly WindowValue[]): WindowValueSet[] {
  const sets = new Map<string, { key: SummaryKey; basis: string; events: number; values: Map<string, number | null> }>();
  for (const v of values) {
    const id = summaryKey(v);
    let s = sets.get(id);
    if (!s || s.basis !== v.basis || s.events !== v.events) {
      s = { key: { model: v.model, version: v.version, segment: v.segment, granularity: v.granularity, windowStart: v.windowStart }, basis: v.basis, events: v.events, values: new Map() };
      sets.set(id, s);
    }
    s.values.set(v.metric, v.value === 0 ? 0 : v.value);
  }
  return [...sets.values()].map((s) => ({ ...s.key, basis: s.basis, events: s.events, metrics: [...s.values.keys()], values: [...s.values.values()] }));
}

/** A set's values as the JSON object PostgreSQL stores (NaN and infinities, which JSON cannot hold, as strings). */
export function valuesJson(s: WindowValueSet): string {
  const o: Record<string, number | string | null> = {};
  s.metrics.forEach((m, i) => {
    const x = s.values[i] ?? null;
    o[m] = x === null || Number.isFinite(x) ? x : String(x);
  });
  return JSON.stringify(o);
}

/**
 * The values of one stored window row, as read by windowValuesQuery for `q`: columns p0, p1, ... say whether each
 * asked metric is stored, v0, v1, ... hold its value (NULL: a stored null); version and segment are columns only
 * when `q` does not name them.
 */
export function fromValueRow(r: Row, q: WindowValueQuery): WindowValue[] {
  const out: WindowValue[] = [];
  const key = {
    model: q.model, version: q.version ?? String(r['version']), segment: q.segment ?? String(r['segment']), granularity: q.granularity,
    windowStart: Number(r['window_start']),
  };
  q.metrics.forEach((metric, i) => {
    if (r[`p${i}`] !== true) return;
    const v = r[`v${i}`];
    out.push({ ...key, metric, basis: q.basis, events: Number(r['events']), value: v === null || v === undefined ? null : Number(v) });
  });
  return out;
}
