import { GRANULARITY_MS, STORED_GRANULARITIES, windowStart } from '../core/time/windows.js';
import { WindowSummary } from '../core/summary/window.js';
import type { SummarySpec } from '../core/summary/spec.js';
import { summarySeed } from '../core/summary/seed.js';
import type { Granularity, SummaryKey } from '../storage/types.js';
import type { GroupInput } from './group.js';
import { TimeSlicer } from '../io/time-slice.js';

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

/** Map key of a model version. */
export const versionKey = (model: string, version: string): string => `${model}\u0000${version}`;

/** The summary spec of a model version (undefined when the version is unknown). */
export type SpecOf = (model: string, version: string) => SummarySpec | undefined;

/** What a group adds to one (model, version, segment) minute or hour: a delta summary. */
export interface Delta {
  model: string;
  version: string;
  segment: string;
  /** The delta's own window: its minute, or its hour for events older than the minute cutoff. */
  fine: Granularity;
  start: number;
  summary: WindowSummary;
}

/** A delta in its stored form (WindowSummary.toBytes), as the delta worker returns it (delta-offload.ts). */
export interface PackedDelta extends Omit<Delta, 'summary'> {
  bytes: Uint8Array;
}

/** How many deltas groupDeltas looks up by comparing their fields before building a key. */
const RECENT = 8;

const deltaSeed = (d: Omit<Delta, 'summary'>): number => summarySeed(d.model, d.version, d.segment, `delta-${d.fine}`, d.start);

/**
 * A group's contribution to the window summaries, without touching them. Each event is added once, to a
 * delta of its segment (or of the whole traffic when it has none) for its minute, or for its hour when it
 * is older than the minute cutoff (so a backfill of sparse traffic makes one delta per hour, not one per
 * event); segment deltas are merged into the whole-traffic delta. Deterministic: the deltas' seeds derive
 * from their keys. Paced (TimeSlicer) unless `paced` is false (the delta worker: no requests wait on its thread).
 */
export async function groupDeltas(g: GroupInput, specOf: SpecOf, paced = true): Promise<Delta[]> {
  const deltas = new Map<string, Delta>();
  const delta = (model: string, version: string, segment: string, ts: number): Delta => {
    const minute = windowStart(ts, 'minute');
    const fine: Granularity = minute >= g.minuteCutoff ? 'minute' : 'hour';
    const start = fine === 'minute' ? minute : windowStart(ts, 'hour');
    const k = `${model}\u0000${version}\u0000${segment}\u0000${fine}\u0000${start}`;
    let d = deltas.get(k);
    if (!d) {
      const spec = specOf(model, version);
      if (!spec) throw new Error(`unknown version ${model}@${version}`);
      const key = { model, version, segment, fine, start };
      d = { ...key, summary: new WindowSummary(spec, deltaSeed(key)) };
      deltas.set(k, d);
    }
    return d;
  };
  // Paced so that summarising a large group on the event loop (no delta worker) does not stall the requests being served.
  const slice = new TimeSlicer();
  // The delta of the previous events' (model, version, segment, minute), looked up without building the map's key: a
  // group's events are of a few segments and one or two minutes (the key and its lookup were a quarter of the summarising).
  const recent: Delta[] = [];
  for (const e of g.events) {
    if (paced) await slice.pace();
    let d: Delta | undefined;
    const minute = windowStart(e.ts, 'minute');
    if (minute >= g.minuteCutoff) {
      for (let i = 0; i < recent.length; i++) {
        const r = recent[i] as Delta;
        if (r.start === minute && r.segment === e.segment && r.model === e.model && r.version === e.version && r.fine === 'minute') {
          d = r;
          break;
        }
      }
    }
    if (d === undefined) {
      d = delta(e.model, e.version, e.segment, e.ts);
      if (d.fine === 'minute') {
        if (recent.length === RECENT) recent.shift();
        recent.push(d);
      }
    }
    d.summary.add(e);
  }
  // Rejected rows of a known model version count as data-quality events in the windows of their segment and time
  // (the merge below adds a segment's to the whole traffic's: each row once in each).
  for (const r of g.rejects) delta(r.model, r.version, r.segment, r.ts).summary.addReject(r.code);
  for (const d of [...deltas.values()]) if (d.segment !== '') delta(d.model, d.version, '', d.start).summary.merge(d.summary);
  return [...deltas.values()];
}

/** The deltas in their stored form: what crosses from the delta worker, and what the in-thread path goes through too. */
export async function packedDeltas(g: GroupInput, specOf: SpecOf, paced = true): Promise<PackedDelta[]> {
  return (await groupDeltas(g, specOf, paced)).map(({ summary, ...key }) => ({ ...key, bytes: summary.toBytes() }));
}

/**
 * The windows each delta is merged into: every stored granularity at least as coarse as the delta's own window (a
 * minute delta: minute, 10 minutes, hour, 6 hours, day; an hour delta: hour, 6 hours, day). Sketch merges per window
 * instead of several updates per value. Decoding the deltas is paced (TimeSlicer): it runs on the event loop.
 */
export async function deltaTargets(packed: readonly PackedDelta[], specOf: SpecOf): Promise<Target[]> {
  const targets: Target[] = [];
  const slice = new TimeSlicer();
  for (const { bytes, ...d } of packed) {
    await slice.pace();
    const spec = specOf(d.model, d.version);
    if (!spec) throw new Error(`unknown version ${d.model}@${d.version}`);
    const summary = WindowSummary.fromBytes(bytes, spec, deltaSeed(d));
    for (const granularity of STORED_GRANULARITIES) {
      if (GRANULARITY_MS[granularity] < GRANULARITY_MS[d.fine]) continue;
      const key: SummaryKey = { model: d.model, version: d.version, segment: d.segment, granularity, windowStart: windowStart(d.start, granularity) };
      targets.push({ key, k: keyString(key), delta: summary });
    }
  }
  return targets;
}
