/** A group's preparation for its commit: its stored rows, its journal record, and its deltas set computing. */
import type { EventRecord, RejectRecord } from '../storage/types.js';
import type { CheckpointedWindows } from './checkpointed-windows.js';
import type { DeltaOffload } from './delta-offload.js';
import type { SpecOf } from './deltas.js';
import type { ValidEvent } from './event-input.js';
import { encodeGroup, groupInput } from './group.js';
import type { Journal } from './journal.js';
import { DEFAULT_MINUTE_RETENTION_MS, type IngestOptions } from './options.js';
import type { Prepared } from './pipeline-types.js';
import { segmentKey } from './validate-event.js';

/** What a group's preparation reads of the ingest pipeline (pipeline.ts). */
export interface PrepareDeps {
  opts: IngestOptions;
  /** The summary journal; null without one (then the group has no record). */
  journal: Journal | null;
  /** Where the group's deltas are computed: the delta worker, or this thread. */
  offload: DeltaOffload;
  specOf: SpecOf;
  windows: CheckpointedWindows;
}

/** Deltas, rows and journal record of a group's rows; store copies of the target windows not in memory. */
export async function prepareRows(events: readonly ValidEvent[], rejects: readonly RejectRecord[], d: PrepareDeps): Promise<Prepared> {
  const t0 = process.hrtime.bigint();
  const minuteCutoff = (d.opts.clock ?? Date.now)() - (d.opts.minuteRetentionMs ?? DEFAULT_MINUTE_RETENTION_MS);
  const input = groupInput(events, rejects, minuteCutoff);
  // The journal's record is also what the delta worker reads.
  const payload = d.journal || d.offload.offloaded ? encodeGroup(input) : null;
  // Not awaited here: the deltas (~8 µs per event in the worker on a slow machine, 80% of a group's preparation when
  // they were awaited) are computed while the previous group's transaction, and then this group's, run.
  const prepared: Prepared = {
    t0, tPrepared: t0, tDeltas: t0, records: [], rejects, payload: d.journal ? payload : null,
    deltas: d.offload.targets(input, payload, d.specOf).then(async (targets) => {
      const copies = await d.windows.storeCopies(targets);
      prepared.tDeltas = process.hrtime.bigint();
      return { targets, ...copies };
    }),
  };
  prepared.deltas.catch(() => undefined); // awaited before COMMIT; a failure rolls the transaction back
  prepared.records = events.map((e) => record(e, d.opts));
  prepared.tPrepared = process.hrtime.bigint();
  return prepared;
}

/** An event's stored row; its features kept when it is sampled (ingest.sampleRate). */
function record(e: ValidEvent, opts: IngestOptions): EventRecord {
  const sampled = opts.sampleRate > 0 && opts.random.next() < opts.sampleRate;
  return {
    id: e.id, model: e.model, version: e.version, ts: e.ts, segment: segmentKey(e.segment),
    prediction: e.prediction === null ? null : String(e.prediction), score: e.score, scores: e.scores, latencyMs: e.latencyMs,
    error: e.error, costUsd: e.costUsd, features: sampled ? e.features : null,
  };
}
