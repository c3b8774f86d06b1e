import type {
  EventRecord, Granularity, LabelledEvent, LabelledOutcome, ModelRecord, OutputKind, SummaryKey, SummaryRecord, VersionRecord
} from '../types.js';

/** A result row as returned by the driver (column name -> JS value). */
export type Row = Record<string, unknown>;

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') return Number(v);
  throw new TypeError(`expected a number, got ${typeof v}`);
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`expected a string, got ${typeof v}`);
  return v;
}

function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : str(v);
}

function jsonOrNull<T>(v: unknown): T | null {
  return v === null || v === undefined ? null : JSON.parse(str(v)) as T;
}

/** JSON text for a nullable/optional value (undefined and null are both SQL NULL). */
export function toJson(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** A fresh plain Uint8Array copy (Buffer and driver views are normalised). */
export function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  throw new TypeError('expected bytes');
}

export function toModel(r: Row): ModelRecord {
  const m: ModelRecord = {
    name: str(r.name),
    outputKind: str(r.output_kind) as OutputKind,
    inputSchema: JSON.parse(str(r.input_schema)) as Record<string, unknown>,
    segmentKeys: JSON.parse(str(r.segment_keys)) as string[],
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
  const classes = jsonOrNull<string[]>(r.classes);
  if (classes !== null) m.classes = classes;
  const description = strOrNull(r.description);
  if (description !== null) m.description = description;
  return m;
}

export function toVersion(r: Row): VersionRecord {
  const v: VersionRecord = { model: str(r.model), version: str(r.version), createdAt: num(r.created_at) };
  const reference = jsonOrNull<Record<string, unknown>>(r.reference);
  if (reference !== null) v.reference = reference;
  const metadata = jsonOrNull<Record<string, unknown>>(r.metadata);
  if (metadata !== null) v.metadata = metadata;
  return v;
}

export function toEvent(r: Row): EventRecord {
  return {
    id: str(r.id),
    model: str(r.model),
    version: str(r.version),
    ts: num(r.ts),
    segment: str(r.segment),
    prediction: strOrNull(r.prediction),
    score: numOrNull(r.score),
    scores: jsonOrNull<number[]>(r.scores),
    latencyMs: numOrNull(r.latency_ms),
    error: strOrNull(r.error),
    costUsd: numOrNull(r.cost_usd),
    features: jsonOrNull<Record<string, unknown>>(r.features),
  };
}

export function toLabelled(r: Row): LabelledEvent {
  return { event: toEvent(r), label: str(r.label), receivedAt: num(r.received_at) };
}

/** A row of labelledOutcomesQuery (PostgreSQL; DuckDB reads them from the vectors: outcome-chunks.ts). */
export function toOutcome(r: Row): LabelledOutcome {
  return {
    event: { ts: num(r.ts), segment: str(r.segment), prediction: strOrNull(r.prediction), score: numOrNull(r.score), scores: jsonOrNull<number[]>(r.scores) },
    label: str(r.label), receivedAt: num(r.received_at),
  };
}

export function toSummary(r: Row): SummaryRecord {
  return { ...toSummaryKey(r), data: bytes(r.data) };
}

export function toSummaryKey(r: Row): SummaryKey {
  const k: SummaryKey = { model: str(r.model), version: str(r.version), segment: str(r.segment), granularity: str(r.granularity) as Granularity, windowStart: num(r.window_start) };
  if (r.events !== null && r.events !== undefined) k.events = num(r.events);
  return k;
}

/** Keeps the last item per key (an upsert of the same key twice in one call: the later one wins). */
export function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const m = new Map<string, T>();
  for (const it of items) {
    const k = key(it);
    m.delete(k);
    m.set(k, it);
  }
  return [...m.values()];
}

export function summaryKey(s: SummaryKey): string {
  return JSON.stringify([s.model, s.version, s.segment, s.granularity, s.windowStart]);
}
