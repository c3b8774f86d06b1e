import { parentPort } from 'node:worker_threads';
import type { SummarySpec } from '../core/summary/spec.js';
import { packedDeltas } from './deltas.js';
import { decodeGroup } from './group.js';

/** A group to summarise: its journal payload (encodeGroup) and the specs of its model versions. */
export interface DeltaJob {
  id: number;
  payload: Uint8Array;
  /** [model, version, spec id] of every version the group names that the catalog knows. */
  versions: Array<[string, string, number]>;
  /** Specs the worker has not been sent before. */
  specs: Array<[number, SummarySpec]>;
}

export type DeltaReply = { id: number; deltas: Awaited<ReturnType<typeof packedDeltas>> } | { id: number; error: string };

/**
 * The delta worker (delta-offload.ts starts it): computes groups' deltas off the event loop, with the same
 * function the in-thread path runs, and answers them packed.
 */
const port = parentPort;
if (port) {
  const specs = new Map<number, SummarySpec>();
  port.on('message', (job: DeltaJob) => {
    for (const [id, spec] of job.specs) specs.set(id, spec);
    const byVersion = new Map(job.versions.map(([model, version, id]) => [`${model}\u0000${version}`, specs.get(id)]));
    const group = decodeGroup(Buffer.from(job.payload.buffer, job.payload.byteOffset, job.payload.byteLength));
    packedDeltas(group, (model, version) => byVersion.get(`${model}\u0000${version}`)).then(
      (deltas) => port.postMessage({ id: job.id, deltas } satisfies DeltaReply),
      (e: unknown) => port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) } satisfies DeltaReply),
    );
  });
}
