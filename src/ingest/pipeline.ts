import type { Random } from '../core/random/rng.js';
import { GRANULARITIES, windowStart } from '../core/time/windows.js';
import { WindowSummary } from '../core/summary/window.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import { summarySeed } from '../monitoring/catalog.js';
import type { StorageBackend } from '../storage/backend.js';
import type { EventRecord, Granularity, RejectRecord, SummaryKey, SummaryRecord } from '../storage/types.js';
import type { ValidEvent } from './event-input.js';
import { segmentKey } from './validate-event.js';

export interface IngestOptions {
  /** Share of accepted events whose raw features are kept for debugging (default 0.01). */
  sampleRate: number;
  /** Source for the sampling decision (seeded: the adapter passes one). */
  random: Random;
  /** Most events committed in one transaction (group commit). */
  maxBatchEvents?: number;
  /** Window summaries kept in memory (the rest are read back from the store when touched again). */
  cacheWindows?: number;
  onCommit?: (events: number, rejects: number, seconds: number) => void;
  /** Called after a commit with the window summaries it wrote (readers drop what they cached of them). */
  onSummaries?: (keys: readonly SummaryKey[]) => void;
  /** Wall clock (epoch ms), for the minute-window retention. */
  clock?: () => number;
  /**
   * Minute windows are kept for events newer than this (default 2 days); older events (late arrivals,
   * backfills) update only hour and day windows, so queries that far back resolve to whole hours.
   */
  minuteRetentionMs?: number;
}

export const DEFAULT_MINUTE_RETENTION_MS = 2 * 86_400_000;

interface Pending {
  events: readonly ValidEvent[];
  rejects: readonly RejectRecord[];
  /** Resolves with the ids that were already stored (a client retrying a batch): not stored again. */
  resolve: (duplicates: ReadonlySet<string>) => void;
  reject: (e: unknown) => void;
}

interface Prepared {
  t0: bigint;
  commit: { events: EventRecord[]; rejects: readonly RejectRecord[]; summaries: SummaryRecord[] };
  /** Window keys whose in-memory summaries this group updated. */
  touched: Set<string>;
}

interface Key {
  model: string;
  version: string;
  segment: string;
  granularity: Granularity;
  windowStart: number;
}

/**
 * The ingest path: validated events are queued, and one committer at a time takes everything queued
 * (group commit), adds it to the window summaries it touches (minute, hour and day; the whole-traffic
 * segment "" and the event's own segment) and commits events, rejects and those summaries in one
 * transaction. A caller's promise resolves only after that commit: acknowledged means durable. If the
 * commit fails, nothing of the batch is kept, in the store or in memory.
 */
export class IngestPipeline {
  private queue: Pending[] = [];
  private running = false;
  private readonly cache = new Map<string, WindowSummary>();
  private readonly maxBatch: number;
  private readonly cacheSize: number;

  constructor(private readonly store: StorageBackend, private readonly catalog: ModelCatalog, private readonly opts: IngestOptions) {
    this.maxBatch = opts.maxBatchEvents ?? 20_000;
    this.cacheSize = opts.cacheWindows ?? 2_000;
  }

  /** Events waiting for a commit (for the queue-depth metric). */
  get queuedEvents(): number {
    return this.queue.reduce((s, p) => s + p.events.length, 0);
  }

  submit(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): Promise<ReadonlySet<string>> {
    if (events.length === 0 && rejects.length === 0) return Promise.resolve(new Set());
    return new Promise((resolve, reject) => {
      this.queue.push({ events, rejects, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Waits until everything queued so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 2));
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length > 0 && (batch.length === 0 || n + (this.queue[0]?.events.length ?? 0) <= this.maxBatch)) {
      const p = this.queue.shift() as Pending;
      batch.push(p);
      n += p.events.length;
    }
    return batch;
  }

  /**
   * Pipelined: while the store commits one group, the next one is summarised (on top of the in-memory
   * summaries, which already hold the group being committed) and serialised; its commit starts once the
   * previous one succeeded. If a commit fails, what was prepared after it is dropped, and both groups go
   * through the careful path (commitBatch: one group at a time, duplicates and per-request fallback).
   */
  private async drain(): Promise<void> {
    let prev: { batch: Pending[]; prepared: Prepared; done: Promise<boolean> } | null = null;
    try {
      while (this.queue.length > 0 || prev) {
        const batch = this.queue.length > 0 ? this.take() : null;
        let prepared = batch ? await this.prepare(batch) : null;
        if (prev) {
          const ok = await prev.done;
          const overlapSafe = prepared !== null && prev.prepared.touched.size + prepared.touched.size < this.cacheSize / 2;
          if (!ok || !overlapSafe) {
            if (prepared) this.forget(prepared.touched);
            prepared = null;
          }
          if (!ok) await this.commitBatch(prev.batch);
          prev = null;
        }
        if (!batch) continue;
        if (!prepared) {
          await this.commitBatch(batch);
          continue;
        }
        prev = { batch, prepared, done: this.write(batch, prepared) };
      }
    } finally {
      this.running = false;
    }
  }

  /** Summarises and serialises a group (updating the in-memory summaries); null, with nothing kept, when that fails. */
  private async prepare(batch: readonly Pending[]): Promise<Prepared | null> {
    const t0 = process.hrtime.bigint();
    const events = batch.flatMap((p) => p.events);
    const rejects = batch.flatMap((p) => p.rejects);
    const touched = new Set<string>();
    try {
      return { t0, commit: await this.build(events, rejects, touched), touched };
    } catch {
      this.forget(touched);
      return null;
    }
  }

  /** The transaction of a group: its events, rejects and the updated window summaries (touched in memory). */
  private async build(events: readonly ValidEvent[], rejects: readonly RejectRecord[], touched: Set<string>): Promise<Prepared['commit']> {
    const updated = await this.summarise(events, rejects, touched);
    return { events: events.map((e) => this.record(e)), rejects, summaries: await serialise(updated.values()) };
  }

  /** Commits a prepared group; true when stored (its callers are answered), false when not (nothing answered yet). */
  private async write(batch: readonly Pending[], p: Prepared): Promise<boolean> {
    try {
      await this.store.commit(p.commit);
    } catch {
      this.forget(p.touched);
      return false;
    }
    this.opts.onSummaries?.(p.commit.summaries);
    const none: ReadonlySet<string> = new Set();
    for (const q of batch) q.resolve(none);
    this.opts.onCommit?.(p.commit.events.length, p.commit.rejects.length, Number(process.hrtime.bigint() - p.t0) / 1e9);
    return true;
  }

  private forget(keys: Iterable<string>): void {
    for (const k of keys) this.cache.delete(k);
  }

  /**
   * Commits a group in one transaction. If that fails and the group holds several requests, each is committed
   * on its own, so that one bad request (a primary-key clash, a value the store refuses) fails only itself.
   */
  private async commitBatch(batch: Pending[]): Promise<void> {
    try {
      const duplicates = await this.commitGroup(batch);
      for (const p of batch) p.resolve(duplicates);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve(await this.commitGroup([p]));
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }

  /** Commits the requests in one transaction; resolves with the ids that were already stored (not stored again). */
  private async commitGroup(batch: readonly Pending[]): Promise<ReadonlySet<string>> {
    const t0 = process.hrtime.bigint();
    let events = batch.flatMap((p) => p.events);
    const rejects = batch.flatMap((p) => p.rejects);
    let duplicates: ReadonlySet<string> = new Set();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.commitOnce(events, rejects);
        break;
      } catch (err) {
        // A retried batch whose events are already stored: drop those and commit the rest once more.
        if (attempt > 0 || events.length === 0) throw err;
        const stored = await this.store.getEvents(events.map((e) => e.id));
        if (stored.length === 0) throw err;
        duplicates = new Set(stored.map((e) => e.id));
        events = events.filter((e) => !duplicates.has(e.id));
      }
    }
    this.opts.onCommit?.(events.length, rejects.length, Number(process.hrtime.bigint() - t0) / 1e9);
    return duplicates;
  }

  private async commitOnce(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): Promise<void> {
    const touched = new Set<string>();
    try {
      const commit = await this.build(events, rejects, touched);
      await this.store.commit(commit);
      this.opts.onSummaries?.(commit.summaries);
    } catch (err) {
      // Summaries are updated in place: forget the ones this batch touched, the store has their last committed state.
      this.forget(touched);
      throw err;
    }
  }

  /**
   * Every touched window updated in place with this batch (`touched` collects their keys, so that a failed
   * commit can drop them from memory). Each event is added once, to a delta of its segment (or of the whole
   * traffic when it has none) for its minute, or for its hour when it is older than the minute retention (so a
   * backfill of sparse traffic makes one delta per hour, not one per event); segment deltas are merged into the
   * whole-traffic delta, and the deltas into the minute, hour and day windows: sketch merges per window
   * instead of several updates per value.
   */
  private async summarise(events: readonly ValidEvent[], rejects: readonly RejectRecord[], touched: Set<string>): Promise<Map<string, { key: Key; summary: WindowSummary }>> {
    const minuteCutoff = (this.opts.clock ?? Date.now)() - (this.opts.minuteRetentionMs ?? DEFAULT_MINUTE_RETENTION_MS);
    const deltas = new Map<string, { model: string; version: string; segment: string; fine: Granularity; start: number; summary: WindowSummary }>();
    const delta = (model: string, version: string, segment: string, ts: number): WindowSummary => {
      const minute = windowStart(ts, 'minute');
      const fine: Granularity = minute >= minuteCutoff ? 'minute' : 'hour';
      const start = fine === 'minute' ? minute : windowStart(ts, 'hour');
      const k = `${model}\u0000${version}\u0000${segment}\u0000${fine}\u0000${start}`;
      let d = deltas.get(k);
      if (!d) {
        const vctx = this.catalog.version(model, version);
        if (!vctx) throw new Error(`unknown version ${model}@${version}`);
        d = { model, version, segment, fine, start, summary: new WindowSummary(vctx.spec, summarySeed(model, version, segment, `delta-${fine}`, start)) };
        deltas.set(k, d);
      }
      return d.summary;
    };
    let added = 0;
    for (const e of events) {
      // Yield now and then so that summarising a large group does not stall the requests being served.
      if (++added % 64 === 0) await yieldToLoop();
      delta(e.model, e.version, segmentKey(e.segment), e.ts).add(e);
    }
    for (const d of [...deltas.values()]) if (d.segment !== '') delta(d.model, d.version, '', d.start).merge(d.summary);
    // Rejected rows of a known model version count as data-quality events in its whole-traffic windows.
    for (const r of rejects) if (r.model !== null && r.version !== null) delta(r.model, r.version, '', r.ts).addReject(r.code);

    const targets: Array<{ key: Key; k: string; d: WindowSummary }> = [];
    for (const d of deltas.values()) {
      for (const granularity of GRANULARITIES) {
        if (granularity === 'minute' && d.fine !== 'minute') continue;
        const key: Key = { model: d.model, version: d.version, segment: d.segment, granularity, windowStart: windowStart(d.start, granularity) };
        targets.push({ key, k: keyString(key), d: d.summary });
      }
    }
    const bases = await this.loadAll(targets.map((t) => t.key));
    const updated = new Map<string, { key: Key; summary: WindowSummary }>();
    for (const t of targets) {
      let entry = updated.get(t.k);
      if (!entry) {
        entry = { key: t.key, summary: bases.get(t.k) as WindowSummary };
        updated.set(t.k, entry);
        // In memory at once: the next group (summarised while this one commits) must build on it.
        this.remember(t.k, entry.summary);
      }
      touched.add(t.k);
      entry.summary.merge(t.d);
    }
    return updated;
  }

  /** Current summaries of the keys: from memory, else from the store (one range query per model version and granularity), else empty. */
  private async loadAll(keys: readonly Key[]): Promise<Map<string, WindowSummary>> {
    const out = new Map<string, WindowSummary>();
    const missing = new Map<string, { model: string; version: string; granularity: Granularity; from: number; to: number; keys: Map<string, Key> }>();
    for (const key of keys) {
      const k = keyString(key);
      if (out.has(k)) continue;
      const cached = this.cache.get(k);
      if (cached) {
        out.set(k, cached);
        continue;
      }
      const g = `${key.model}\u0000${key.version}\u0000${key.granularity}`;
      const group = missing.get(g) ?? { model: key.model, version: key.version, granularity: key.granularity, from: key.windowStart, to: key.windowStart + 1, keys: new Map<string, Key>() };
      group.from = Math.min(group.from, key.windowStart);
      group.to = Math.max(group.to, key.windowStart + 1);
      group.keys.set(k, key);
      missing.set(g, group);
    }
    for (const group of missing.values()) {
      const vctx = this.catalog.version(group.model, group.version);
      if (!vctx) throw new Error(`unknown version ${group.model}@${group.version}`);
      const rows = await this.store.querySummaries({ model: group.model, version: group.version, granularity: group.granularity, from: group.from, to: group.to });
      const stored = new Map(rows.map((r) => [keyString(r), r]));
      for (const [k, key] of group.keys) {
        const seed = summarySeed(key.model, key.version, key.segment, key.granularity, key.windowStart);
        const row = stored.get(k);
        out.set(k, row ? WindowSummary.fromBytes(row.data, vctx.spec, seed) : new WindowSummary(vctx.spec, seed));
      }
    }
    return out;
  }

  private remember(k: string, s: WindowSummary): void {
    this.cache.delete(k);
    this.cache.set(k, s);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private record(e: ValidEvent): EventRecord {
    const sampled = this.opts.sampleRate > 0 && this.opts.random.next() < this.opts.sampleRate;
    return {
      id: e.id, model: e.model, version: e.version, ts: e.ts, segment: segmentKey(e.segment),
      prediction: String(e.prediction), score: e.score, scores: e.scores, latencyMs: e.latencyMs,
      error: e.error, costUsd: e.costUsd, features: sampled ? e.features : null,
    };
  }
}

/**
 * Serialising a window takes a fraction of a millisecond: yield between windows so that a commit never blocks
 * the event loop (and the requests it serves, e.g. the prediction gateway) for long at a time.
 */
async function serialise(updated: Iterable<{ key: Key; summary: WindowSummary }>): Promise<SummaryRecord[]> {
  const out: SummaryRecord[] = [];
  for (const { key, summary } of updated) {
    if (out.length > 0) await yieldToLoop();
    out.push({ ...key, data: summary.toBytes() });
  }
  return out;
}

/** Lets pending I/O callbacks run (setImmediate runs after the poll phase). */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function keyString(k: Key): string {
  return `${k.model}\u0000${k.version}\u0000${k.segment}\u0000${k.granularity}\u0000${k.windowStart}`;
}
