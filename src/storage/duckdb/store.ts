import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StorageBackend } from '../backend.js';
import type {
  CommitBatch, EventQuery, EventRecord, LabelledEvent, LabelledOutcome, LabelRecord, ModelRecord, RejectRecord, SummaryQuery,
  SummaryKey, SummaryRecord, VersionRecord, WindowValue, WindowValueQuery, Granularity,
} from '../types.js';
import type { AlertStore } from '../alerts.js';
import { duckdbAlertStore } from './alerts.js';
import { appendEvents, appendRejects, upsertLabels, upsertSummaries, upsertWindowValues } from './append.js';
import { keyedWindows, windowRowKey } from './window-row-key.js';
import { DEFAULT_SUMMARY_FILES_BYTES, storeStamp, SUMMARY_FILES_TOKEN, SummaryFiles } from './summary-files.js';
import { MIN_MEMORY_LIMIT_MB, parseDuckDbSize } from './memory-limit.js';
import { instanceOptions, refuseForeignFile } from './open-options.js';
import { snapshotDatabase } from './snapshot.js';
import { randomBytes } from 'node:crypto';
import { summariesFromChunk } from './summary-chunks.js';
import { outcomesFromChunk } from './outcome-chunks.js';
import { ReadPool } from './read-pool.js';
import { assertAligned } from '../window-align.js';
import type { RegistryStore } from '../registry.js';
import { duckdbRegistry } from './registry.js';
import { pruneEvents, pruneWindows, type Pruning } from './prune.js';
import { execPrepared, putState, writer, WriteTransactions, type Writer } from './transactions.js';
import { createSummaryKeyIndexes, migrateSchema } from './migrate.js';
import {
  lastByKey, num, summaryKey, toEvent, toJson, toLabelled, toModel, toVersion, type Row,
} from './rows.js';
import {
  summariesTable, CREATE_SUMMARIES_STAGE, CREATE_LABELS_STAGE, UPSERT_MODEL, UPSERT_STATE, UPSERT_VERSION,
  CREATE_WINDOW_VALUES_STAGE, CREATE_SUMMARY_KEYS_STAGE,
} from './schema.js';
import { fromValueRow, toValueSets } from '../window-value-sets.js';
import { countQuery, eventsByIdQueries, eventsQuery, rejectIdsQueries, labelledCountQuery, labelledOutcomesQuery, labelledQuery, summariesQuery, windowValuesQuery, type Sql } from './sql.js';

const table = (name: string, granularity?: string): string => (name === 'summaries' && granularity !== undefined ? summariesTable(granularity) : name);

/** Connections for reads beside the one that writes (DuckDB runs queries of different connections in parallel). */
const READ_CONNECTIONS = 3;

/**
 * The embedded default store: one DuckDB file. Writes run one at a time on the write connection (an internal
 * queue serialises them) and every write is one transaction that resolves after COMMIT; commits marked `beside`
 * (CommitBatch: the ingest checkpoints' window summaries) run one at a time on a second write connection, beside the
 * others (DuckDB runs transactions of different connections concurrently; they write different rows). Reads of events,
 * labels, summaries and state run on a few read connections (read-pool.ts), each a serial queue too, so a slow query waits
 * neither for ingest commits nor for other queries; each read sees what was committed when it started.
 */
export class DuckDbStore implements StorageBackend {
  readonly kind = 'duckdb';
  private closed = false;
  /** Every write transaction, on either write connection, the registry's too; fail-stop after a failed COMMIT. */
  private readonly transactions = new WriteTransactions(() => this.assertOpen());
  private registryStore: RegistryStore | undefined;

  /** Reads of events, labels, summaries and state. */
  private readonly reads: ReadPool;
  /** Window summaries also kept as files (summary-files.ts), from init() on; not for ':memory:' or with `summaryFilesBytes: 0`. */
  private files: SummaryFiles | undefined;
  /** Removals of summary files that commits started (awaited by close). */
  private readonly fileRemovals = new Set<Promise<void>>();

  /** The write connection, and the second one, for `beside` commits. */
  private readonly main: Writer;
  private readonly beside: Writer;

  private constructor(
    private readonly instance: DuckDBInstance, conn: DuckDBConnection, besideConn: DuckDBConnection, readConns: DuckDBConnection[],
    private readonly path: string, private readonly filesDir: string | null, private readonly filesBytes: number,
    /** The store file's storeStamp before this process opened it. */
    private readonly openedStamp: string,
  ) {
    this.reads = new ReadPool(readConns, this.transactions, () => this.assertOpen());
    this.main = writer(conn);
    this.beside = writer(besideConn);
  }

  /** A consistent copy of the database in a new file (snapshot.ts); refused once the store stopped (fail-stop). */
  async snapshotTo(target: string, afterBegin: () => Promise<void>): Promise<void> {
    this.assertOpen();
    const failed = this.failure();
    if (failed !== null) throw new Error(`the store refuses writes since a failed commit (${failed}): restart the server before a snapshot`);
    await snapshotDatabase(this.instance, target, afterBegin);
  }

  /**
   * Opens (creating if needed) the database file at `path` (':memory:' for a throwaway store). Window summaries read by
   * key are kept as files too, in the directory PATH.windows, up to `summaryFilesBytes` (default 512 MiB; 0: none; see
   * summary-files.ts). `memoryLimitMb`: DuckDB's `memory_limit` in MiB (default DuckDB's: 80% of the machine's memory).
   */
  static async open(path: string, opts: { summaryFilesBytes?: number; memoryLimitMb?: number } = {}): Promise<DuckDbStore> {
    const filesBytes = opts.summaryFilesBytes ?? DEFAULT_SUMMARY_FILES_BYTES;
    if (!(Number.isSafeInteger(filesBytes) && filesBytes >= 0)) throw new RangeError(`summaryFilesBytes must be a whole number of bytes >= 0, not ${filesBytes}`);
    const limit = opts.memoryLimitMb;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= MIN_MEMORY_LIMIT_MB)) throw new RangeError(`memoryLimitMb must be a whole number of MiB >= ${MIN_MEMORY_LIMIT_MB}, not ${limit}`);
    const stamp = storeStamp(path);
    if (path !== ':memory:') refuseForeignFile(path);
    const instance = await DuckDBInstance.create(path, instanceOptions(limit));
    try {
      const writers: DuckDBConnection[] = [];
      for (let i = 0; i < 2; i++) {
        const conn = await instance.connect();
        for (const ddl of [CREATE_SUMMARIES_STAGE, CREATE_SUMMARY_KEYS_STAGE, CREATE_LABELS_STAGE, CREATE_WINDOW_VALUES_STAGE]) await conn.run(ddl);
        writers.push(conn);
      }
      const [conn, besideConn] = writers as [DuckDBConnection, DuckDBConnection];
      const readers: DuckDBConnection[] = [];
      for (let i = 0; i < READ_CONNECTIONS; i++) readers.push(await instance.connect());
      return new DuckDbStore(instance, conn, besideConn, readers, path, path === ':memory:' || filesBytes === 0 ? null : `${path}.windows`, filesBytes, stamp);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  async init(): Promise<void> {
    await this.write(() => migrateSchema(this.main));
    await this.write(() => createSummaryKeyIndexes(this.main.conn));
    if (this.filesDir !== null && this.files === undefined) {
      const token = await this.getState(SUMMARY_FILES_TOKEN);
      this.files = await SummaryFiles.open(this.filesDir, token === null || token === '' ? null : `${token} ${this.openedStamp}`, this.filesBytes);
    }
    // Opened without files: summaries written now would not reach them, so files a later open finds must not be trusted.
    if (this.filesDir === null && this.filesBytes === 0 && (await this.getState(SUMMARY_FILES_TOKEN) ?? '') !== '') await this.setState(SUMMARY_FILES_TOKEN, '');
  }

  /** Why the summary files' directory could not be set up at init() (they are then unused), or null. */
  summaryFilesError(): unknown {
    return this.files?.openError ?? null;
  }

  /** The summary files, when kept (for tests: `settled()` waits for their background writes). */
  get summaryFiles(): SummaryFiles | undefined {
    return this.files;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const files = this.files;
    this.files = undefined;
    await this.main.queue.drain();
    await this.beside.queue.drain();
    await this.reads.drain();
    // A clean close for the summary files (summary-files.ts): every commit done and its files removed, every write-back
    // done, a new token in the state, the store closed, then VALID with the token and the closed file's size and time.
    // Not marked if any of it fails: the next open empties the directory.
    let token: string | null = null;
    if (files !== undefined) {
      await Promise.all([...this.fileRemovals]);
      const t = randomBytes(16).toString('hex');
      // Refused, like every write, once a COMMIT failed (a commit could then checkpoint the failed keys: below).
      const written = this.main.queue.run(async () => {
        if (this.failure() !== null) return false;
        await execPrepared(this.main, UPSERT_STATE, [SUMMARY_FILES_TOKEN, t]);
        return true;
      });
      if (await written.then((ok) => ok && files.close(), () => false)) token = t;
    }
    for (const w of [this.main, this.beside]) {
      for (const stmt of w.prepared.values()) stmt.destroySync();
      w.prepared.clear();
    }
    // After a failed COMMIT, DuckDB's in-memory id index still holds that transaction's keys (WriteTransactions). A
    // checkpoint would write them into the file, and every later start would refuse those ids as duplicates although
    // no row has them (reproduced: transactions.test.ts). So no checkpoint at shutdown then: the next start replays
    // the WAL, which holds only what was committed, onto the index of the last checkpoint. (Once DuckDB has
    // invalidated the database it neither runs this nor checkpoints.)
    if (this.failure() !== null) await this.main.conn.run('PRAGMA disable_checkpoint_on_shutdown').catch(() => undefined);
    this.reads.closeSync();
    this.beside.conn.closeSync();
    this.main.conn.closeSync();
    this.instance.closeSync();
    if (files !== undefined && token !== null) await files.markValid(`${token} ${storeStamp(this.path)}`).catch(() => undefined);
  }

  putModel(m: ModelRecord): Promise<void> {
    return this.write(() => execPrepared(this.main, UPSERT_MODEL, [
      m.name, m.outputKind, JSON.stringify(m.inputSchema), JSON.stringify(m.segmentKeys), toJson(m.classes),
      m.description ?? null, m.createdAt, m.updatedAt,
    ]));
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const rows = await this.read({ text: 'SELECT * FROM models WHERE name = $1', params: [name] });
    return rows[0] === undefined ? null : toModel(rows[0]);
  }

  async listModels(): Promise<ModelRecord[]> {
    return (await this.read({ text: 'SELECT * FROM models ORDER BY name', params: [] })).map(toModel);
  }

  putVersion(v: VersionRecord): Promise<void> {
    return this.write(() => execPrepared(this.main, UPSERT_VERSION, [
      v.model, v.version, v.createdAt, toJson(v.reference), toJson(v.metadata),
    ]));
  }

  async getVersion(model: string, version: string): Promise<VersionRecord | null> {
    const rows = await this.read({
      text: 'SELECT * FROM versions WHERE model = $1 AND version = $2', params: [model, version],
    });
    return rows[0] === undefined ? null : toVersion(rows[0]);
  }

  async listVersions(model?: string): Promise<VersionRecord[]> {
    const sql = model === undefined ? { text: 'SELECT * FROM versions ORDER BY model, created_at, version', params: [] }
      : { text: 'SELECT * FROM versions WHERE model = $1 ORDER BY created_at, version', params: [model] };
    return (await this.read(sql)).map(toVersion);
  }

  appendEvents(events: readonly EventRecord[]): Promise<void> {
    return this.commit({ events });
  }

  async countEvents(model?: string): Promise<number> {
    return num((await this.read(countQuery('events', model)))[0]?.n ?? 0);
  }

  async queryEvents(q: EventQuery): Promise<EventRecord[]> {
    return (await this.read(eventsQuery(q, table))).map(toEvent);
  }

  async getEvents(ids: readonly string[]): Promise<EventRecord[]> {
    if (ids.length === 0) return [];
    // On the write connection: a label for an event acknowledged a moment ago must find it.
    return (await this.readWritten(eventsByIdQueries(ids, table))).map(toEvent);
  }

  async storedRejectIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await this.readWritten(rejectIdsQueries(ids, table))).map((r) => String(r.id));
  }

  /** Reads on the write connection (what was acknowledged a moment ago included). */
  private readWritten(queries: readonly Sql[]): Promise<Row[]> {
    return this.main.queue.run(async () => {
      this.assertOpen();
      return this.transactions.read(async () => {
        const out: Row[] = [];
        for (const q of queries) out.push(...(await this.main.conn.runAndReadAll(q.text, q.params)).getRowObjectsJS() as Row[]);
        return out;
      });
    });
  }

  appendRejects(rejects: readonly RejectRecord[]): Promise<void> {
    return this.commit({ rejects });
  }

  async countRejects(model?: string): Promise<number> {
    return num((await this.read(countQuery('rejects', model)))[0]?.n ?? 0);
  }

  putLabels(labels: readonly LabelRecord[]): Promise<void> {
    return this.commit({ labels });
  }

  async labelledEvents(q: EventQuery): Promise<LabelledEvent[]> {
    return (await this.read(labelledQuery(q, table))).map(toLabelled);
  }

  async labelledOutcomes(q: EventQuery): Promise<LabelledOutcome[]> {
    const out: LabelledOutcome[] = [];
    await this.readChunks(labelledOutcomesQuery(q, table, true), (c) => outcomesFromChunk(c, out));
    return out;
  }

  async countLabelled(q: EventQuery): Promise<number> {
    return num((await this.read(labelledCountQuery(q, table)))[0]?.n ?? 0);
  }

  putSummaries(summaries: readonly SummaryRecord[]): Promise<void> {
    return this.commit({ summaries });
  }

  async querySummaries(q: SummaryQuery): Promise<SummaryRecord[]> {
    // Read by key (an index scan, which fetches only those rows) when the range holds few windows: see window-row-key.ts.
    // Otherwise a scan, whose head-only form leaves the data column alone (splitHeads: its `head IS [NOT] NULL`
    // conditions would turn an index scan into a scan).
    const keys = keyedWindows(q);
    const files = this.files;
    if (files !== undefined && keys !== null && keys.length > 0 && q.headOnly !== true) {
      return files.readThrough(q, keys, async (unread) => {
        const rows: SummaryRecord[] = [];
        await this.readChunks(summariesQuery(q, table, false, unread), (c) => summariesFromChunk(c, true, rows));
        return rows;
      });
    }
    const out: SummaryRecord[] = [];
    await this.readChunks(summariesQuery(q, table, false, keys, keys === null), (c) => summariesFromChunk(c, true, out));
    return out;
  }

  async querySummaryKeys(q: SummaryQuery): Promise<SummaryKey[]> {
    const out: SummaryKey[] = [];
    await this.readChunks(summariesQuery(q, table, true), (c) => summariesFromChunk(c, false, out));
    return out;
  }

  async summarySegments(granularity: Granularity): Promise<Array<{ model: string; version: string; segment: string }>> {
    const rows = await this.read({ text: `SELECT DISTINCT model, version, segment FROM ${summariesTable(granularity)} ORDER BY model, version, segment`, params: [] });
    return rows.map((r) => ({ model: String(r.model), version: String(r.version), segment: String(r.segment) }));
  }

  putWindowValues(values: readonly WindowValue[]): Promise<void> {
    const sets = toValueSets(values);
    if (sets.length === 0) return Promise.resolve();
    return this.write(() => upsertWindowValues(this.main.conn, sets));
  }

  async queryWindowValues(q: WindowValueQuery): Promise<WindowValue[]> {
    const sql = windowValuesQuery(q, table, (p, i) => `map_contains(vals, ${p}) AS p${i}, vals[${p}] AS v${i}`);
    return (await this.read(sql)).flatMap((r) => fromValueRow(r, q));
  }

  pruneWindows(model: string, granularities: readonly Granularity[], before: number): Promise<number> {
    return pruneWindows(this.pruning(), model, granularities, before);
  }

  pruneEvents(model: string, before: number): Promise<number> {
    return pruneEvents(this.pruning(), model, before);
  }

  private pruning(): Pruning {
    return { main: this.main, files: this.files, write: (work) => this.write(work), keys: (q) => this.querySummaryKeys(q) };
  }

  async commit(batch: CommitBatch): Promise<void> {
    batch.summaries?.forEach(assertAligned);
    const files = this.files;
    const ids = files !== undefined && batch.summaries !== undefined ? batch.summaries.map((s) => SummaryFiles.id(s.granularity, windowRowKey(s))) : [];
    if (files === undefined || ids.length === 0) {
      await this.commitNow(batch);
      return;
    }
    files.beginWrite(ids);
    const committed = this.commitNow(batch);
    // Whether it committed or not, its windows' files go before it resolves (and before close marks the files valid).
    const removal = committed.then(() => undefined, () => undefined).then(() => files.endWrite(ids));
    this.fileRemovals.add(removal);
    void removal.then(() => this.fileRemovals.delete(removal));
    await removal;
    return committed;
  }

  private commitNow(batch: CommitBatch): Promise<void> {
    const w = batch.beside === true ? this.beside : this.main;
    return this.write(async () => {
      if (batch.events !== undefined && batch.events.length > 0) await appendEvents(w.conn, batch.events);
      if (batch.rejects !== undefined && batch.rejects.length > 0) await appendRejects(w.conn, batch.rejects);
      const summaries = lastByKey(batch.summaries ?? [], summaryKey);
      if (summaries.length > 0) await upsertSummaries(w.conn, summaries);
      const labels = lastByKey(batch.labels ?? [], (x) => x.id);
      if (labels.length > 0) await upsertLabels(w.conn, labels);
      for (const [key, value] of batch.state ?? []) await putState(w, key, value);
      await batch.beforeCommit?.();
    }, w);
  }

  /** DuckDB's `memory_limit`, in bytes (as DuckDB reports it: to a tenth of its unit). */
  async memoryLimit(): Promise<number> {
    const rows = await this.read({ text: "SELECT current_setting('memory_limit') AS v", params: [] });
    return parseDuckDbSize(String(rows[0]?.v));
  }

  /** DuckDB's own account (`duckdb_memory()`): the id index, table data, buffers, etc., without the driver's copies. */
  async memoryUsage(): Promise<Array<{ component: string; bytes: number }>> {
    const rows = await this.read({ text: 'SELECT tag, memory_usage_bytes AS bytes FROM duckdb_memory() ORDER BY tag', params: [] });
    return rows.map((r) => ({ component: String(r.tag), bytes: Number(r.bytes) }));
  }

  async getState(key: string): Promise<string | null> {
    const rows = await this.read({ text: 'SELECT value FROM state WHERE key = $1', params: [key] });
    const v = rows[0]?.value;
    return typeof v === 'string' ? v : null;
  }

  setState(key: string, value: string): Promise<void> {
    return this.write(() => putState(this.main, key, value));
  }

  async statesWithPrefix(prefix: string): Promise<Map<string, string>> {
    const rows = await this.read({ text: 'SELECT key, value FROM state WHERE starts_with(key, $1)', params: [prefix] });
    return new Map(rows.map((r) => [String(r.key), String(r.value)]));
  }

  registry(): RegistryStore {
    return (this.registryStore ??= duckdbRegistry(this.main, this.transactions, () => this.assertOpen()));
  }

  private alerts?: AlertStore;

  /** Monitors, evaluations, alerts, silences, notifications and actions (issue 4), in the same file. */
  alertStore(): AlertStore {
    return (this.alerts ??= duckdbAlertStore((s) => this.read(s), (list) => this.write(async () => {
      for (const s of list) await this.main.conn.run(s.text, s.params);
    })));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('DuckDbStore is closed');
  }

  /** Why the store refuses writes (a COMMIT failed: see WriteTransactions), or null. */
  failure(): string | null {
    return this.transactions.failure();
  }

  /** Runs `work` as one transaction, alone on the connection (the first write connection unless `w` says otherwise). */
  private async write(work: () => Promise<unknown>, w: Writer = this.main): Promise<void> {
    await this.transactions.run(w, work);
  }

  private read(sql: Sql): Promise<Row[]> {
    return this.reads.read(sql);
  }

  private readChunks(...a: Parameters<ReadPool['readChunks']>): Promise<void> {
    return this.reads.readChunks(...a);
  }
}
