import { GRANULARITIES, windowStart } from '../core/time/windows.js';
import { WindowSummary } from '../core/summary/window.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import { summarySeed } from '../monitoring/catalog.js';
import type { Granularity, SummaryKey } from '../storage/types.js';
import type { GroupInput } from './group.js';

/** One window a group's delta is merged into. */
export interface Target {
  key: SummaryKey;
  /** keyString(key). */
  k: string;
  delta: WindowSummary;
}

export function keyString(k: SummaryKey): string {
  return `${k.model}\u0000${k.version}\u0000${k.segment}\u0000${k.granularity}\u0000${k.windowStart}`;
}

/**
 * A group's contribution to the window summaries, without touching them. Each event is added once, to a
 * delta of its segment (or of the whole traffic when it has none) for its minute, or for its hour when it
 * is older than the minute cutoff (so a backfill of sparse traffic makes one delta per hour, not one per
 * event); segment deltas are merged into the whole-traffic delta. Every delta then targets its minute
 * (when fine), hour and day windows: sketch merges per window instead of several updates per value.
 * Deterministic: the deltas' seeds derive from their keys. Yields to the event loop every 64 events.
 */
export async function groupTargets(g: GroupInput, catalog: ModelCatalog): Promise<Target[]> {
  const deltas = new Map<string, { model: string; version: string; segment: string; fine: Granularity; start: number; summary: WindowSummary }>();
  const delta = (model: string, version: string, segment: string, ts: number): WindowSummary => {
    const minute = windowStart(ts, 'minute');
    const fine: Granularity = minute >= g.minuteCutoff ? 'minute' : 'hour';
    const start = fine === 'minute' ? minute : windowStart(ts, 'hour');
    const k = `${model}\u0000${version}\u0000${segment}\u0000${fine}\u0000${start}`;
    let d = deltas.get(k);
    if (!d) {
      const vctx = catalog.version(model, version);
      if (!vctx) throw new Error(`unknown version ${model}@${version}`);
      d = { model, version, segment, fine, start, summary: new WindowSummary(vctx.spec, summarySeed(model, version, segment, `delta-${fine}`, start)) };
      deltas.set(k, d);
    }
    return d.summary;
  };
  let added = 0;
  for (const e of g.events) {
    // Yield now and then so that summarising a large group does not stall the requests being served.
    if (++added % 64 === 0) await yieldToLoop();
    delta(e.model, e.version, e.segment, e.ts).add(e);
  }
  for (const d of [...deltas.values()]) if (d.segment !== '') delta(d.model, d.version, '', d.start).merge(d.summary);
  // Rejected rows of a known model version count as data-quality events in its whole-traffic windows.
  for (const r of g.rejects) delta(r.model, r.version, '', r.ts).addReject(r.code);

  const targets: Target[] = [];
  for (const d of deltas.values()) {
    for (const granularity of GRANULARITIES) {
      if (granularity === 'minute' && d.fine !== 'minute') continue;
      const key: SummaryKey = { model: d.model, version: d.version, segment: d.segment, granularity, windowStart: windowStart(d.start, granularity) };
      targets.push({ key, k: keyString(key), delta: d.summary });
    }
  }
  return targets;
}

/** Lets pending I/O callbacks run (setImmediate runs after the poll phase). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
