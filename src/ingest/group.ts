import { deserialize, serialize } from 'node:v8';
import type { SummarisedEvent } from '../core/summary/window.js';
import type { RejectRecord } from '../storage/types.js';
import type { ValidEvent } from './event-input.js';
import { segmentKey } from './validate-event.js';

/** What one ingest group adds to the window summaries: all the journal keeps of it. */
export interface GroupInput {
  /** Events older than this (epoch ms) update hour and day windows only (the minute retention, at ingest time). */
  minuteCutoff: number;
  events: GroupEvent[];
  rejects: GroupReject[];
}

export interface GroupEvent extends SummarisedEvent {
  model: string;
  version: string;
  /** Canonical segment key ("" for none). */
  segment: string;
  ts: number;
}

export interface GroupReject {
  model: string;
  version: string;
  /** Canonical segment key ("" for none). */
  segment: string;
  ts: number;
  code: string;
}

export function groupInput(events: readonly ValidEvent[], rejects: readonly RejectRecord[], minuteCutoff: number): GroupInput {
  const rs: GroupReject[] = [];
  for (const r of rejects) if (r.model !== null && r.version !== null) rs.push({ model: r.model, version: r.version, segment: r.placement?.segment ?? '', ts: r.placement?.ts ?? r.ts, code: r.code });
  return {
    minuteCutoff,
    events: events.map((e) => ({
      model: e.model, version: e.version, segment: segmentKey(e.segment), ts: e.ts, features: e.features,
      prediction: e.prediction, score: e.score, scores: e.scores, latencyMs: e.latencyMs, error: e.error, costUsd: e.costUsd,
    })),
    rejects: rs,
  };
}

/** The scores (11th) were added later: records written before have 10 elements. */
type EventRow = [string, string, string, number, Readonly<Record<string, unknown>>, string | number | null, number | null, number | null, string | null, number | null, (readonly number[] | null)?];

/**
 * V8's structured serialisation (node:v8; its format is backward compatible, so safe to keep on disk) with
 * events as positional arrays: twice as fast as JSON.stringify here and 30% smaller; doubles exact.
 */
export function encodeGroup(g: GroupInput): Buffer {
  const rows: EventRow[] = g.events.map((e) => [e.model, e.version, e.segment, e.ts, e.features, e.prediction, e.score, e.latencyMs, e.error, e.costUsd, e.scores ?? null]);
  return serialize({ c: g.minuteCutoff, e: rows, r: g.rejects.map((r) => [r.model, r.version, r.ts, r.code, r.segment]) });
}

export function decodeGroup(buf: Buffer): GroupInput {
  // A reject's segment (5th) was added later: records written before have 4 elements (counted under no segment, as then).
  const o = deserialize(buf) as { c: number; e: EventRow[]; r: Array<[string, string, number, string, string?]> };
  return {
    minuteCutoff: o.c,
    events: o.e.map(([model, version, segment, ts, features, prediction, score, latencyMs, error, costUsd, scores]) => ({
      model, version, segment, ts, features, prediction, score, scores: scores ?? null, latencyMs, error, costUsd,
    })),
    rejects: o.r.map(([model, version, ts, code, segment]) => ({ model, version, segment: segment ?? '', ts, code })),
  };
}

/** The group without the rows of model versions `known` refuses, and how many rows that dropped. */
export function knownRows(g: GroupInput, known: (model: string, version: string) => boolean): { group: GroupInput; dropped: number } {
  const events = g.events.filter((e) => known(e.model, e.version));
  const rejects = g.rejects.filter((r) => known(r.model, r.version));
  return { group: { ...g, events, rejects }, dropped: g.events.length - events.length + g.rejects.length - rejects.length };
}
