import type { VersionContext } from '../monitoring/catalog.js';
import { segmentParts } from '../monitoring/segment-match.js';
import type { StorageBackend } from '../storage/backend.js';
import type { RejectRecord } from '../storage/types.js';
import type { ValidEvent } from './event-input.js';
import { OTHER_SEGMENT_VALUE, segmentKey } from './validate-event.js';

/** The value every key of a segment takes once its model has reached its limit of distinct segments (reserved: clients cannot send it). */
export { OTHER_SEGMENT_VALUE };
/**
 * Is a canonical segment key the one events of segments past the model's limit are stored under ("region=__other__",
 * every value "__other__")? GET /segments marks it.
 */
export function isOverflowSegment(segment: string): boolean {
  return segment !== '' && segment.split('&').every((p) => p.endsWith(`=${OTHER_SEGMENT_VALUE}`));
}

/** Distinct segments (combinations of segment-key values) per model, unless the config's ingest.maxSegmentsPerModel says. */
export const DEFAULT_MAX_SEGMENTS_PER_MODEL = 1000;

/**
 * Bounds the distinct segments each model's events are summarised and stored under. Every segment has window summaries
 * of its own (a KLL sketch per feature, per minute, hour and day), so a segment key holding a value per user or per
 * request made a summary per value: 30,000 events with distinct values took 322 s to ingest (93 events/s) and the
 * server's memory grew to 2 GB (measured, 20 features), and more would have ended it. Once a model has `limit` distinct
 * segments, an event of a new one is placed under the segment whose keys (the ones the event gives) are all
 * "__other__", and counted (`onFold`); segments already seen keep theirs. The limit counts segments across the model's
 * versions; the "__other__" segments come beside it (at most one per subset of the keys).
 */
export class SegmentCap {
  private readonly known = new Map<string, Set<string>>();

  constructor(readonly limit: number, private readonly onFold: (model: string) => void = () => undefined) {}

  /** Marks a canonical segment key as one of the model's (segments already stored, at start). */
  seed(model: string, segment: string): void {
    if (segment !== '') this.segments(model).add(segment);
  }

  /**
   * Seeds the segments of every model's stored day windows (at start, once the journal's groups are stored): one scan of
   * the day windows (until audit 15 one per model and version, each scanning them: 1,500 models of 3 versions took 5 s
   * of an empty store's start, and the scans grew with the store).
   */
  async seedFrom(store: Pick<StorageBackend, 'summarySegments'>, catalog: { version(model: string, version: string): VersionContext | undefined }): Promise<void> {
    for (const { model, version, segment } of await store.summarySegments('day')) {
      if (catalog.version(model, version) !== undefined) this.seed(model, segment);
    }
  }

  /**
   * A submitted batch as it is summarised and stored: place() of each event, then rejectedKey() of each rejected row's
   * placement (after the events: a refused row of a segment the same batch brings counts under it).
   */
  placeAll(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): { events: ValidEvent[]; rejects: RejectRecord[] } {
    const placed = events.map((e) => this.place(e));
    return {
      events: placed,
      rejects: rejects.map((r) => {
        const segment = r.model === null || r.placement === undefined ? undefined : this.rejectedKey(r.model, r.placement.segment);
        return segment === undefined || segment === r.placement?.segment ? r : { ...r, placement: { ts: r.placement?.ts ?? r.ts, segment } };
      }),
    };
  }

  /** The event with the segment it is summarised and stored under: its own, or the "__other__" one. */
  place<E extends { model: string; segment: Readonly<Record<string, string>> }>(e: E): E {
    const keys = Object.keys(e.segment);
    if (keys.length === 0 || this.admit(e.model, segmentKey(e.segment))) return e;
    this.onFold(e.model);
    return { ...e, segment: Object.fromEntries(keys.map((k) => [k, OTHER_SEGMENT_VALUE])) };
  }

  /**
   * Where a rejected row (its canonical segment key) counts: its own segment when the model has it already (accepted
   * events, or stored); else, the model at its limit, the "__other__" segment its accepted events would go under; else
   * no segment (""). It never takes one of the model's `limit` slots: until audit 21 rejected rows were placed as events
   * are, so a flood of refused rows of new values (a client sending ids in the wrong field) took every slot, and every
   * valid segment after them went under "__other__", for good (the stored segments are counted again at start).
   */
  rejectedKey(model: string, segment: string): string {
    const known = this.segments(model);
    if (segment === '' || known.has(segment)) return segment;
    const parts = segmentParts(segment);
    if (parts === null || known.size < this.limit) return '';
    this.onFold(model);
    return segmentKey(Object.fromEntries(Object.keys(parts).map((k) => [k, OTHER_SEGMENT_VALUE])));
  }

  private admit(model: string, segment: string): boolean {
    const known = this.segments(model);
    if (known.has(segment)) return true;
    if (known.size >= this.limit && !isOverflowSegment(segment)) return false;
    known.add(segment);
    return true;
  }

  private segments(model: string): Set<string> {
    let s = this.known.get(model);
    if (!s) this.known.set(model, (s = new Set()));
    return s;
  }
}
