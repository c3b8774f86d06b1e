import type { ModelCatalog } from '../monitoring/catalog.js';
import type { StorageBackend } from '../storage/backend.js';
import type { CheckpointedWindows, GroupDeltas } from './checkpointed-windows.js';
import { deltaTargets, packedDeltas, type SpecOf } from './deltas.js';
import { decodeGroup, knownRows } from './group.js';
import { Journal, replayable } from './journal.js';
import { JournalMarks } from './journal-marks.js';
import type { Recovered } from './pipeline-types.js';

/** What the recovery needs of the ingest pipeline (pipeline.ts). */
export interface RecoveryTarget {
  store: StorageBackend;
  catalog: ModelCatalog;
  specOf: SpecOf;
  windows: CheckpointedWindows;
  /** The journal, its marks and the last seq used, set before the replay (the recovery checkpoint writes through them). */
  adopt(journal: Journal, marks: JournalMarks, lastSeq: number): void;
  /** Merges a replayed group's deltas into the in-memory windows. */
  apply(deltas: GroupDeltas, seq: number): Promise<void>;
  /** Checkpoints every dirty window; false when it could not be stored. */
  checkpointWhole(): Promise<boolean>;
}

/**
 * Opens the summary journal in `dir` and recovers: replays the groups that committed after the last checkpoint
 * (replayable in journal.ts: by the store's marks, skipping aborted groups), then checkpoints them and deletes the
 * files the checkpoint covers.
 */
export async function recoverJournal(dir: string, t: RecoveryTarget): Promise<Recovered> {
  const j = Journal.open(dir);
  const marks = new JournalMarks(j.id);
  const { summarised, committed, aborted } = await marks.read(t.store);
  const { replay, lastSeq, missing } = replayable(j.readAll(), summarised, committed, j.oldestSeq(), aborted);
  t.windows.applied = t.windows.checkpointed = t.windows.summarised = summarised;
  await j.rotate(lastSeq + 1); // old files stay until the checkpoint below covers them
  t.adopt(j, marks, lastSeq);
  let skipped = 0;
  for (const r of replay) {
    // Rows of a model version no longer in the catalog cannot be summarised: skipped and counted. Any other
    // failure stops the start (nothing was checkpointed: the next start replays the same records).
    const { group, dropped } = knownRows(decodeGroup(r.payload), (model, version) => t.catalog.version(model, version) !== undefined);
    skipped += dropped;
    await t.apply({ targets: await deltaTargets(await packedDeltas(group, t.specOf), t.specOf), bases: new Map(), epoch: -1 }, r.seq);
  }
  t.windows.applied = Math.max(t.windows.applied, committed);
  if (!(await t.checkpointWhole())) throw new Error('ingest: the recovery checkpoint could not be stored');
  await j.removeBefore(j.current);
  return { replayed: replay.length, skipped, ...(missing > 0 && { missing }) };
}
