import { GRANULARITY_MS } from '../core/time/windows.js';
import type { Granularity, SummaryKey } from '../storage/types.js';
import type { ModelCatalog, VersionContext } from './catalog.js';
import type { SeriesMetric, SummaryReader } from './query.js';
import { seriesKey } from './summary-cache.js';
import { seriesMetric } from './timeseries.js';
import { storesWindowValues, windowValueBasis } from './window-values.js';

const DAY = 86_400_000;
/** A window is filled once it ended this long ago, by default (FillerOptions.graceMs). */
export const DEFAULT_FILL_GRACE_MS = 60_000;

export interface FillerOptions {
  /** A window is filled once it ended this long ago (late events of the last checkpoint; default 60 s). */
  graceMs?: number;
  /** Windows per series request (bounds the memory and the work of one step; default 48). */
  chunkWindows?: number;
}

export interface FillResult {
  /** Stored windows covered (their values computed and stored, or found stored and still holding). */
  windows: number;
  /** Steps that failed (their windows stay pending; the error is passed to onError). */
  failed: number;
  ms: number;
}

/**
 * The feature metrics stored per window ahead of any request: the drift share, and each feature's drift and missing
 * rate (what the dashboards chart). The statistics of one window are computed once for all of them (timeseries.ts).
 */
export function filledMetrics(v: VersionContext): SeriesMetric[] {
  const names = ['driftShare', ...v.spec.features.flatMap((f) => [`drift:${f.name}`, `missing:${f.name}`])];
  return names.map((name) => seriesMetric(name, v, GRANULARITY_MS.hour / 1000)); // the seconds matter to rates only
}

interface PendingSeries { model: string; version: string; segment: string; granularity: Granularity; starts: Set<number> }

/**
 * Computes the stored window values (WindowValue) of hour and day windows once they have closed, so that even the
 * first view of a feature series (drift share, a feature's drift or missing rate) over days reads stored values
 * instead of every window's feature sketches. Checkpoints tell it which windows they wrote (noteWritten); fillClosed()
 * (run periodically by the server) fills those that have closed, through the summary reader (which reads the values
 * still holding, computes the others and stores them); backfill() covers the windows of a past range (after a start).
 * A window written again later (late events) is filled again. One run at a time; work is done in chunks of windows.
 */
export class WindowValueFiller {
  private readonly pending = new Map<string, PendingSeries>();
  private running: Promise<FillResult> | null = null;
  private readonly graceMs: number;
  private readonly chunk: number;
  /** Told about a failed step (its windows stay pending and are tried again on the next run). */
  onError: (e: unknown) => void = () => undefined;
  /** Told the result of every run (metrics). */
  onRun: (r: FillResult) => void = () => undefined;

  constructor(private readonly reader: SummaryReader, private readonly catalog: ModelCatalog, private readonly clock: () => number, o: FillerOptions = {}) {
    this.graceMs = o.graceMs ?? DEFAULT_FILL_GRACE_MS;
    this.chunk = Math.max(1, o.chunkWindows ?? 48);
  }

  /** Windows written (by a checkpoint): their values are (re)computed once they have closed. */
  noteWritten(keys: readonly SummaryKey[]): void {
    for (const k of keys) {
      if (!storesWindowValues(k.granularity)) continue;
      const id = seriesKey(k);
      let p = this.pending.get(id);
      if (!p) this.pending.set(id, (p = { model: k.model, version: k.version, segment: k.segment, granularity: k.granularity, starts: new Set() }));
      p.starts.add(k.windowStart);
    }
  }

  /** A run (fillClosed or backfill) is in progress. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Windows noted and not yet filled (open ones included). */
  get pendingWindows(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.starts.size;
    return n;
  }

  /** Fills the noted windows that have closed (after a run in progress, if any). */
  fillClosed(stopped: () => boolean = () => false): Promise<FillResult> {
    return this.exclusive(() => this.fillPending(stopped));
  }

  /**
   * Fills every closed hour and day window of the last `days` days, of every version with a reference, whole traffic
   * and segments: where values are stored and hold already, this reads only window keys and values.
   */
  backfill(days: number, stopped: () => boolean = () => false): Promise<FillResult> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const out: FillResult = { windows: 0, failed: 0, ms: 0 };
      const closedBefore = this.clock() - this.graceMs;
      for (const m of this.catalog.models()) {
        for (const v of this.catalog.versions(m.name)) {
          if (stopped()) break;
          if (windowValueBasis(v) === null) continue;
          let segments: string[];
          try {
            segments = ['', ...(await this.reader.segments(v, closedBefore - days * DAY, closedBefore))];
          } catch (e) {
            out.failed++;
            this.onError(e);
            continue;
          }
          for (const segment of segments) {
            for (const g of ['day', 'hour'] as const) {
              const size = GRANULARITY_MS[g];
              const end = Math.floor(closedBefore / size) * size; // windows starting before end have closed
              const starts: number[] = [];
              for (let t = end - Math.ceil((days * DAY) / size) * size; t < end; t += size) starts.push(t);
              await this.fillStarts(v, segment, g, starts, stopped, out, true);
            }
          }
        }
      }
      out.ms = performance.now() - t0;
      return out;
    });
  }

  private async exclusive(f: () => Promise<FillResult>): Promise<FillResult> {
    while (this.running) await this.running.catch(() => undefined);
    const p = f();
    this.running = p;
    try {
      const r = await p;
      this.onRun(r);
      return r;
    } finally {
      this.running = null;
    }
  }

  private async fillPending(stopped: () => boolean): Promise<FillResult> {
    const t0 = performance.now();
    const out: FillResult = { windows: 0, failed: 0, ms: 0 };
    const closedBefore = this.clock() - this.graceMs;
    for (const [id, p] of [...this.pending]) {
      if (stopped()) break;
      const size = GRANULARITY_MS[p.granularity];
      const closed = [...p.starts].filter((s) => s + size <= closedBefore).sort((a, b) => a - b);
      if (closed.length === 0) continue;
      for (const s of closed) p.starts.delete(s);
      if (p.starts.size === 0) this.pending.delete(id);
      const v = this.catalog.version(p.model, p.version);
      if (!v || windowValueBasis(v) === null) continue; // no reference: nothing to store
      const left = await this.fillStarts(v, p.segment, p.granularity, closed, stopped, out);
      if (left.length > 0) this.noteWritten(left.map((windowStart) => ({ model: p.model, version: p.version, segment: p.segment, granularity: p.granularity, windowStart })));
    }
    out.ms = performance.now() - t0;
    return out;
  }

  /**
   * Fills these windows (sorted starts) in chunks; returns the starts not done (stopped, or their step failed). Paced
   * (the backfill, which can take minutes on a large store): after each chunk it waits as long as the chunk took, so
   * that it uses at most about half a core beside ingest and queries.
   */
  private async fillStarts(v: VersionContext, segment: string, g: Granularity, starts: readonly number[], stopped: () => boolean, out: FillResult, paced = false): Promise<number[]> {
    const left: number[] = [];
    const metrics = filledMetrics(v);
    for (let i = 0; i < starts.length; i += this.chunk) {
      const part = starts.slice(i, i + this.chunk);
      if (stopped()) {
        left.push(...part);
        continue;
      }
      const t0 = performance.now();
      try {
        const got = await this.reader.seriesValuesMany(v, segment, part[0] as number, (part[part.length - 1] as number) + 1, g, metrics, { awaitStore: true, keepSummaries: false });
        out.windows += got[0]?.size ?? 0;
      } catch (e) {
        out.failed++;
        left.push(...part);
        this.onError(e);
      }
      if (paced) await new Promise((r) => setTimeout(r, performance.now() - t0));
    }
    return left;
  }
}
