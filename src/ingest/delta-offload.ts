import { Worker } from 'node:worker_threads';
import type { SummarySpec } from '../core/summary/spec.js';
import type { DeltaJob, DeltaReply } from './delta-worker.js';
import { deltaTargets, packedDeltas, versionKey, type PackedDelta, type SpecOf, type Target } from './deltas.js';
import type { GroupInput } from './group.js';
import { DELTA_WORKER } from '../paths.js';

interface VersionSpec {
  model: string;
  version: string;
  spec: SummarySpec | undefined;
}

interface Job {
  group: GroupInput;
  specOf: SpecOf;
  resolve: (d: PackedDelta[]) => void;
  reject: (e: Error) => void;
}

/**
 * Where a group's deltas are computed: in a worker thread (the delta worker), so that summarising events takes no
 * time from the event loop, or in this thread when there is no worker (disabled, or it died: then every job,
 * including the ones it held, is computed here, and `onFailure` is told once). Either way the deltas go through
 * their stored form (packedDeltas, then deltaTargets), so both give the same windows bit for bit. The worker is
 * sent a model version's summary spec when it is not the one it last got for that version (specs are immutable: a new
 * reference makes a new one), so it holds one per version; the spec a group's deltas are computed with is the one
 * they are read back with.
 */
export class DeltaOffload {
  private worker: Worker | null = null;
  private readonly jobs = new Map<number, Job>();
  /** The spec last sent to the worker per model version (the worker keeps one per version). */
  private readonly sent = new Map<string, SummarySpec>();
  private nextJob = 1;

  constructor(useWorker: boolean, private readonly onFailure: (e: unknown) => void = () => undefined) {
    if (!useWorker) return;
    const w = new Worker(DELTA_WORKER);
    w.on('message', (m: DeltaReply) => this.reply(m));
    w.on('error', (e) => this.lost(w, e));
    w.on('exit', (code) => this.lost(w, new Error(`the delta worker exited (code ${code})`)));
    w.unref(); // an idle worker does not keep the process alive (after the listeners: adding one refs it); see run()
    this.worker = w;
  }

  /** True while jobs go to the worker. */
  get offloaded(): boolean {
    return this.worker !== null;
  }

  /** The group's targets; `payload` is encodeGroup(group) (the journal's record), needed only with a worker. */
  async targets(group: GroupInput, payload: Uint8Array | null, specOf: SpecOf): Promise<Target[]> {
    // The specs as they are now, for computing and for reading back (a reference upload may replace one meanwhile).
    const specs = new Map<string, VersionSpec>();
    const note = (model: string, version: string): void => {
      const k = versionKey(model, version);
      if (!specs.has(k)) specs.set(k, { model, version, spec: specOf(model, version) });
    };
    for (const e of group.events) note(e.model, e.version);
    for (const r of group.rejects) note(r.model, r.version);
    const fixed: SpecOf = (model, version) => specs.get(versionKey(model, version))?.spec;
    const packed = this.worker && payload ? await this.run(group, payload, [...specs.values()], fixed) : await packedDeltas(group, fixed);
    return await deltaTargets(packed, fixed);
  }

  /** Stops the worker (jobs it still held are computed here). */
  async close(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    this.rescue();
    await w.terminate();
  }

  private run(group: GroupInput, payload: Uint8Array, specs: readonly VersionSpec[], specOf: SpecOf): Promise<PackedDelta[]> {
    const id = this.nextJob++;
    const versions: DeltaJob['versions'] = [];
    const fresh: DeltaJob['specs'] = [];
    for (const { model, version, spec } of specs) {
      if (!spec) continue; // unknown: the worker fails the group as the in-thread path would
      versions.push([model, version]);
      if (this.sent.get(versionKey(model, version)) !== spec) fresh.push([model, version, spec]);
    }
    return new Promise((resolve, reject) => {
      // While it holds a job, the worker keeps the process alive (a one-shot tool awaiting a commit must not exit).
      if (this.jobs.size === 0) this.worker?.ref();
      this.jobs.set(id, { group, specOf, resolve, reject });
      try {
        this.worker?.postMessage({ id, payload, versions, specs: fresh } satisfies DeltaJob);
        for (const [model, version, spec] of fresh) this.sent.set(versionKey(model, version), spec);
      } catch {
        // Not sendable (should not happen: specs are plain data): this group is computed here.
        this.forget(id);
        packedDeltas(group, specOf).then(resolve, reject);
      }
    });
  }

  private reply(m: DeltaReply): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    this.forget(m.id);
    if ('error' in m) job.reject(new Error(m.error));
    else job.resolve(m.deltas);
  }

  private forget(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) this.worker?.unref();
  }

  private lost(w: Worker, e: unknown): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.onFailure(e);
    this.rescue();
  }

  /** The jobs the worker held, computed here. */
  private rescue(): void {
    const held = [...this.jobs.values()];
    this.jobs.clear();
    for (const j of held) packedDeltas(j.group, j.specOf).then(j.resolve, (e: unknown) => j.reject(e instanceof Error ? e : new Error(String(e))));
  }
}
