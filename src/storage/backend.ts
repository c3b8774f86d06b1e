import type { AlertStore } from './alerts.js';
import type {
  CommitBatch, EventQuery, Granularity, EventRecord, LabelledEvent, LabelledOutcome, LabelRecord, ModelRecord, RejectRecord, SummaryKey, SummaryQuery, SummaryRecord, VersionRecord,
  WindowValue, WindowValueQuery,
} from './types.js';
import type { RegistryStore } from './registry.js';

/**
 * The one storage interface. Every backend (embedded DuckDB file, PostgreSQL) passes the shared contract
 * suite in contract.ts. Writes resolve only once the data is durable (committed); a rejected promise means
 * nothing of that call was stored (each call is one transaction).
 */
export interface StorageBackend {
  readonly kind: string;
  /** Creates tables if needed (idempotent). */
  init(): Promise<void>;
  /**
   * Makes this process the store's only writing server until close(), or rejects saying another one is (PostgreSQL;
   * a DuckDB file is locked by the process that opens it anyway). Servers keep window summaries in memory and write
   * them whole: two on one store would overwrite each other's counts.
   */
  claimWriter?(): Promise<void>;
  close(): Promise<void>;

  putModel(model: ModelRecord): Promise<void>;
  getModel(name: string): Promise<ModelRecord | null>;
  listModels(): Promise<ModelRecord[]>;
  putVersion(version: VersionRecord): Promise<void>;
  getVersion(model: string, version: string): Promise<VersionRecord | null>;
  /** The model's versions; without a model, every model's (one read at start-up instead of one per model). */
  listVersions(model?: string): Promise<VersionRecord[]>;

  /** Appends accepted events (ids are unique; appending an existing id is an error for the whole call). */
  appendEvents(events: readonly EventRecord[]): Promise<void>;
  countEvents(model?: string): Promise<number>;
  queryEvents(q: EventQuery): Promise<EventRecord[]>;
  /** Looks up stored events by id (missing ids are absent from the result). */
  getEvents(ids: readonly string[]): Promise<EventRecord[]>;

  /** Appends rejects; one whose id is already stored (RejectRecord.id) fails the call, as a stored event's id does. */
  appendRejects(rejects: readonly RejectRecord[]): Promise<void>;
  /** Of these ids, those of stored rejects (RejectRecord.id). */
  storedRejectIds(ids: readonly string[]): Promise<string[]>;
  countRejects(model?: string): Promise<number>;

  /** Stores labels; a later label for the same id replaces the earlier one. */
  putLabels(labels: readonly LabelRecord[]): Promise<void>;
  /** Events with event time in [from, to) that have a label. */
  labelledEvents(q: EventQuery): Promise<LabelledEvent[]>;
  /** labelledEvents(q), only what metrics read of each (several times faster to read: the query API's performance reads). */
  labelledOutcomes(q: EventQuery): Promise<LabelledOutcome[]>;
  /** How many events labelledEvents(q) would return without its limit (with q.sampleRate: its sample's). */
  countLabelled(q: EventQuery): Promise<number>;

  /** Inserts or replaces summaries by key. */
  putSummaries(summaries: readonly SummaryRecord[]): Promise<void>;
  querySummaries(q: SummaryQuery): Promise<SummaryRecord[]>;
  /** The keys querySummaries would return, without the data (cheap: lets readers use what they have cached). */
  querySummaryKeys(q: SummaryQuery): Promise<SummaryKey[]>;
  /** Every distinct (model, version, segment) that has a window summary of this granularity (one scan, at start-up). */
  summarySegments(granularity: Granularity): Promise<Array<{ model: string; version: string; segment: string }>>;

  /**
   * Deletes the model's window summaries of these granularities that start before `before`, and their window values
   * (window-retention.ts: minute and 10-minute windows once no query reads them); returns how many summaries it deleted.
   */
  pruneWindows(model: string, granularities: readonly Granularity[], before: number): Promise<number>;

  /**
   * Deletes the model's events with a timestamp before `before`, their labels, and its rejected rows received before it
   * (retention.ts: `retention.eventsDays`); window summaries are kept. Returns how many events it deleted.
   */
  pruneEvents(model: string, before: number): Promise<number>;

  /** Inserts or replaces per-window values by (window, metric) (see WindowValue). */
  putWindowValues(values: readonly WindowValue[]): Promise<void>;
  /** The stored values of these metrics computed under `basis` for windows in the range (validity is the reader's check). */
  queryWindowValues(q: WindowValueQuery): Promise<WindowValue[]>;

  /**
   * One transaction for the ingest path: appends events and rejects and upserts summaries together, so that
   * acknowledged events and the summaries that count them are stored atomically (all or nothing).
   */
  commit(batch: CommitBatch): Promise<void>;

  /** Small key-value state (e.g. the ingest log checkpoint). */
  getState(key: string): Promise<string | null>;
  setState(key: string, value: string): Promise<void>;
  /** Every state entry whose key starts with `prefix`, by key. */
  statesWithPrefix(prefix: string): Promise<Map<string, string>>;

  /** The model registry and gateway control state, in the same database (src/storage/registry.ts). */
  registry(): RegistryStore;
  /** The monitoring-and-alerting records (issue 4), stored beside the rest (same file or schema). */
  alertStore(): AlertStore;

  /** Memory an embedded store holds in this process, in bytes by component (absent: a database server's memory is not ours). */
  memoryUsage?(): Promise<Array<{ component: string; bytes: number }>>;
  /** The most memory an embedded store may hold, in bytes (DuckDB's memory_limit). */
  memoryLimit?(): Promise<number>;
  /**
   * Why the store refuses writes until the server restarts (an embedded store whose commit failed), or null; reads too
   * when the message says "reads and writes" (DuckDB invalidated the database).
   */
  failure?(): string | null;
  /**
   * The embedded store only: a consistent copy of its database in a new file at `target`, taken while writes go on;
   * `afterBegin` runs once the copy's snapshot is fixed (DuckDbStore; PostgreSQL has pg_dump).
   */
  snapshotTo?(target: string, afterBegin: () => Promise<void>): Promise<void>;
  /** DuckDB: why its summary-file cache (DATA_DIR/lookout.duckdb.windows) could not be set up at init(), or null. */
  summaryFilesError?(): unknown;
}
