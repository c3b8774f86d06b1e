import { parentPort } from 'node:worker_threads';
import type { SummarySpec } from '../core/summary/spec.js';
import { packedDeltas, versionKey } from './deltas.js';
import { decodeGroup } from './group.js';

/** A group to summarise: its journal payload (encodeGroup) and the specs of its model versions. */
export interface DeltaJob {
  id: number;
  payload: Uint8Array;
  /** [model, version] of every version the group names that the catalog knows. */
  versions: Array<[string, string]>;
  /** [model, version, spec] where the spec is not the one last sent for that version. */
  specs: Array<[string, string, SummarySpec]>;
}

export type DeltaReply = { id: number; deltas: Awaited<ReturnType<typeof packedDeltas>> } | { id: number; error: string };

/**
 * The delta worker (delta-offload.ts starts it): computes groups' deltas off the event loop, with the same
 * function the in-thread path runs, and answers them packed.
 */
const port = parentPort;
if (port) {
  const specs = new Map<string, SummarySpec>();
  port.on('message', (job: DeltaJob) => {
    for (const [model, version, spec] of job.specs) specs.set(versionKey(model, version), spec);
    // This job's specs, taken now: a later job may replace a version's spec while this one is being computed.
    const byVersion = new Map(job.versions.map(([model, version]) => [versionKey(model, version), specs.get(versionKey(model, version))]));
    const group = decodeGroup(Buffer.from(job.payload.buffer, job.payload.byteOffset, job.payload.byteLength));
    // Not paced: nothing else runs on this thread.
    packedDeltas(group, (model, version) => byVersion.get(versionKey(model, version)), false).then(
      (deltas) => port.postMessage({ id: job.id, deltas } satisfies DeltaReply),
      (e: unknown) => port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) } satisfies DeltaReply),
    );
  });
}
