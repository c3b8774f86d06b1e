import pg from 'pg';
import type { StorageBackend } from '../backend.js';
import {
  lastByKey, num, summaryKey, toEvent, toJson, toLabelled, toModel, toOutcome, toSummary, toSummaryKey, toVersion, type Row,
} from '../duckdb/rows.js';
import { fromValueRow, toValueSets, valuesJson } from '../window-value-sets.js';
import { countQuery, eventsQuery, labelledCountQuery, labelledOutcomesQuery, labelledQuery, summariesQuery, windowValuesQuery, type Sql } from '../duckdb/sql.js';
import { assertAligned } from '../window-align.js';
import type {
  CommitBatch, EventQuery, EventRecord, LabelledEvent, LabelledOutcome, LabelRecord, ModelRecord, RejectRecord, SummaryQuery,
  SummaryKey, SummaryRecord, VersionRecord, WindowValue, WindowValueQuery, Granularity,
} from '../types.js';
import type { AlertStore } from '../alerts.js';
import { postgresAlertSchema, postgresAlertStore } from './alerts.js';
import { checkSchemaName, postgresSchema, postgresWrites } from './schema.js';
import type { RegistryStore } from '../registry.js';
import { postgresRegistry } from './registry.js';
import { pgTransaction } from './transaction.js';
import { pgUnreachable } from './unreachable.js';

/**
 * How long a new connection may take to be established, unless the store URL sets `?connect_timeout=S` (storage/open.ts).
 * pg's default is none: a PostgreSQL that accepts the TCP connection and never answers (hung, or a proxy in front of a
 * stopped one) held `lookout serve`'s start-up for ever (and a SIGTERM meanwhile did not end it), and each request
 * needing a new connection too.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Rows per bulk INSERT statement (bounds the size of one array parameter). */
const CHUNK = 10_000;

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

function millis(v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`timestamp must be integer epoch milliseconds: ${v}`);
  return v;
}

/** One array per column, for INSERT ... SELECT * FROM unnest($1::type[], ...). */
function columns<T>(rows: readonly T[], pick: (row: T) => unknown[]): unknown[][] {
  const cols: unknown[][] = [];
  for (const row of rows) {
    pick(row).forEach((v, i) => (cols[i] ??= []).push(v));
  }
  return cols;
}

/** PostgreSQL store: tables in one schema, a connection pool, each call one transaction. */
export class PostgresStore implements StorageBackend {
  readonly kind = 'postgres';
  private readonly schema: string;
  private readonly writes: ReturnType<typeof postgresWrites>;
  private closed = false;
  private registryStore: RegistryStore | undefined;

  /** The connection holding the writer lock (claimWriter), while it is held. */
  private writer: pg.Client | null = null;

  private constructor(private readonly pool: pg.Pool, schema: string, private readonly url: string, private readonly connectTimeoutMs: number) {
    this.schema = checkSchemaName(schema);
    this.writes = postgresWrites(schema);
  }

  /**
   * A session advisory lock on a connection of its own, for the life of the process (PostgreSQL releases it when the
   * connection ends, so a killed server does not keep it). Refused while another process holds it. If the connection is
   * lost, the lock is claimed again on a new one, and an error is logged while another server holds it meanwhile.
   */
  async claimWriter(): Promise<void> {
    const key = `lookout-writer:${this.schema}`;
    const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.connectTimeoutMs });
    c.on('error', () => undefined);
    await c.connect();
    try {
      const r = await c.query<{ ok: boolean; holder: number | null }>(
        `SELECT pg_try_advisory_lock(hashtext($1)) AS ok,
           (SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objid = hashtext($1)::oid AND l.pid <> pg_backend_pid() LIMIT 1) AS holder`, [key]);
      if (r.rows[0]?.ok !== true) {
        throw new Error(`another Lookout server is writing PostgreSQL schema "${this.schema}" (connection pid ${r.rows[0]?.holder ?? 'unknown'}): one server per store (each keeps window summaries in memory and writes them whole); stop it, or give this one another schema (?schema=NAME)`);
      }
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    this.writer = c;
    c.once('end', () => {
      if (this.writer !== c || this.closed) return;
      this.writer = null;
      const retry = (): void => {
        if (this.closed || this.writer !== null) return;
        this.claimWriter().catch((e: unknown) => {
          process.stderr.write(`lookout: lost the PostgreSQL writer lock and cannot claim it again (retrying every 5 s): ${e instanceof Error ? e.message : String(e)}\n`);
          setTimeout(retry, 5000).unref();
        });
      };
      retry();
    });
  }

  static async open(url: string, opts: { schema?: string; connectTimeoutMs?: number } = {}): Promise<PostgresStore> {
    const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: connectTimeoutMs });
    // An idle client that loses its connection is dropped by the pool; the next query gets a new one.
    pool.on('error', () => undefined);
    try {
      const store = new PostgresStore(pool, opts.schema ?? 'lookout', url, connectTimeoutMs);
      await pool.query('SELECT 1');
      return store;
    } catch (err) {
      await pool.end();
      if (err instanceof Error && /connection timeout/.test(err.message)) {
        throw new Error(`PostgreSQL did not answer within ${connectTimeoutMs / 1000} s (connection timeout; the store URL's ?connect_timeout=S sets it)`, { cause: err });
      }
      throw err;
    }
  }

  init(): Promise<void> {
    return this.tx(async (c) => {
      // serialise concurrent init() of the same schema (CREATE ... IF NOT EXISTS can race)
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lookout-init:${this.schema}`]);
      for (const ddl of [...postgresSchema(this.schema), ...postgresAlertSchema(this.schema)]) await c.query(ddl);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const writer = this.writer;
    this.writer = null;
    await writer?.end().catch(() => undefined);
    await this.pool.end();
  }

  putModel(m: ModelRecord): Promise<void> {
    return this.tx((c) => c.query(this.writes.model, [
      m.name, m.outputKind, JSON.stringify(m.inputSchema), JSON.stringify(m.segmentKeys), toJson(m.classes),
      m.description ?? null, m.createdAt, m.updatedAt,
    ]));
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const rows = await this.read({ text: `SELECT * FROM ${this.t('models')} WHERE name = $1`, params: [name] });
    return rows[0] === undefined ? null : toModel(rows[0]);
  }

  async listModels(): Promise<ModelRecord[]> {
    return (await this.read({ text: `SELECT * FROM ${this.t('models')} ORDER BY name`, params: [] })).map(toModel);
  }

  putVersion(v: VersionRecord): Promise<void> {
    return this.tx((c) => c.query(this.writes.version, [
      v.model, v.version, v.createdAt, toJson(v.reference), toJson(v.metadata),
    ]));
  }

  async getVersion(model: string, version: string): Promise<VersionRecord | null> {
    const text = `SELECT * FROM ${this.t('versions')} WHERE model = $1 AND version = $2`;
    const rows = await this.read({ text, params: [model, version] });
    return rows[0] === undefined ? null : toVersion(rows[0]);
  }

  async listVersions(model?: string): Promise<VersionRecord[]> {
    if (model === undefined) return (await this.read({ text: `SELECT * FROM ${this.t('versions')} ORDER BY model, created_at, version`, params: [] })).map(toVersion);
    const text = `SELECT * FROM ${this.t('versions')} WHERE model = $1 ORDER BY created_at, version`;
    return (await this.read({ text, params: [model] })).map(toVersion);
  }

  appendEvents(events: readonly EventRecord[]): Promise<void> {
    return this.commit({ events });
  }

  async countEvents(model?: string): Promise<number> {
    return num((await this.read(countQuery(this.t('events'), model)))[0]?.n ?? 0);
  }

  async queryEvents(q: EventQuery): Promise<EventRecord[]> {
    return (await this.read(eventsQuery(q, (x) => this.t(x)))).map(toEvent);
  }

  async getEvents(ids: readonly string[]): Promise<EventRecord[]> {
    if (ids.length === 0) return [];
    const text = `SELECT * FROM ${this.t('events')} WHERE id = ANY($1::text[]) ORDER BY ts, id`;
    return (await this.read({ text, params: [[...ids]] })).map(toEvent);
  }

  appendRejects(rejects: readonly RejectRecord[]): Promise<void> {
    return this.commit({ rejects });
  }

  async storedRejectIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const text = `SELECT id FROM ${this.t('rejects')} WHERE id = ANY($1::text[])`;
    return (await this.read({ text, params: [[...ids]] })).map((r) => String(r.id));
  }

  async countRejects(model?: string): Promise<number> {
    return num((await this.read(countQuery(this.t('rejects'), model)))[0]?.n ?? 0);
  }

  putLabels(labels: readonly LabelRecord[]): Promise<void> {
    return this.commit({ labels });
  }

  async labelledEvents(q: EventQuery): Promise<LabelledEvent[]> {
    return (await this.read(labelledQuery(q, (x) => this.t(x)))).map(toLabelled);
  }

  async labelledOutcomes(q: EventQuery): Promise<LabelledOutcome[]> {
    return (await this.read(labelledOutcomesQuery(q, (x) => this.t(x)))).map(toOutcome);
  }

  async countLabelled(q: EventQuery): Promise<number> {
    return num((await this.read(labelledCountQuery(q, (x) => this.t(x))))[0]?.n ?? 0);
  }

  async pruneWindows(model: string, granularities: readonly Granularity[], before: number): Promise<number> {
    let deleted = 0;
    await this.tx(async (c) => {
      const r = await c.query(`DELETE FROM ${this.t('summaries')} WHERE model = $1 AND granularity = ANY($2) AND window_start < $3`, [model, granularities, before]);
      deleted = r.rowCount ?? 0;
      await c.query(`DELETE FROM ${this.t('window_values')} WHERE model = $1 AND granularity = ANY($2) AND window_start < $3`, [model, granularities, before]);
    });
    return deleted;
  }

  async pruneEvents(model: string, before: number): Promise<number> {
    let deleted = 0;
    await this.tx(async (c) => {
      deleted = (await c.query(`DELETE FROM ${this.t('events')} WHERE model = $1 AND ts < $2`, [model, before])).rowCount ?? 0;
      await c.query(`DELETE FROM ${this.t('labels')} WHERE model = $1 AND ts < $2`, [model, before]);
      await c.query(`DELETE FROM ${this.t('rejects')} WHERE model = $1 AND ts < $2`, [model, before]);
    });
    return deleted;
  }

  putSummaries(summaries: readonly SummaryRecord[]): Promise<void> {
    return this.commit({ summaries });
  }

  async querySummaries(q: SummaryQuery): Promise<SummaryRecord[]> {
    return (await this.read(summariesQuery(q, (x) => this.t(x)))).map(toSummary);
  }

  async querySummaryKeys(q: SummaryQuery): Promise<SummaryKey[]> {
    return (await this.read(summariesQuery(q, (x) => this.t(x), true))).map(toSummaryKey);
  }

  async summarySegments(granularity: Granularity): Promise<Array<{ model: string; version: string; segment: string }>> {
    const text = `SELECT DISTINCT model, version, segment FROM ${this.t('summaries')} WHERE granularity = $1 ORDER BY model, version, segment`;
    return (await this.read({ text, params: [granularity] })).map((r) => ({ model: String(r.model), version: String(r.version), segment: String(r.segment) }));
  }

  putWindowValues(values: readonly WindowValue[]): Promise<void> {
    const sets = toValueSets(values);
    if (sets.length === 0) return Promise.resolve();
    return this.tx(async (c) => {
      for (const part of chunks(sets)) {
        await c.query(this.writes.windowValues, columns(part, (v) => [
          v.model, v.version, v.segment, v.granularity, millis(v.windowStart), v.basis, v.events, valuesJson(v),
        ]));
      }
    });
  }

  async queryWindowValues(q: WindowValueQuery): Promise<WindowValue[]> {
    const sql = windowValuesQuery(q, (x) => this.t(x), (p, i) => `jsonb_exists(vals, ${p}::text) AS p${i}, (vals ->> ${p}::text)::float8 AS v${i}`);
    return (await this.read(sql)).flatMap((r) => fromValueRow(r, q));
  }

  async commit(batch: CommitBatch): Promise<void> {
    batch.summaries?.forEach(assertAligned);
    return this.tx(async (c) => {
      for (const part of chunks(batch.events ?? [])) {
        await c.query(this.writes.events, columns(part, (e) => [
          e.id, e.model, e.version, millis(e.ts), e.segment, e.prediction, e.score, toJson(e.scores),
          e.latencyMs, e.error, e.costUsd, toJson(e.features),
        ]));
      }
      for (const part of chunks(batch.rejects ?? [])) {
        await c.query(this.writes.rejects, columns(part, (r) => [
          millis(r.ts), r.model, r.version, r.code, r.reason, r.excerpt, r.id ?? null,
        ]));
      }
      for (const part of chunks(lastByKey(batch.summaries ?? [], summaryKey))) {
        await c.query(this.writes.summaries, columns(part, (s) => [
          s.model, s.version, s.segment, s.granularity, millis(s.windowStart), s.data, s.head ?? null, s.events ?? null,
        ]));
      }
      for (const part of chunks(lastByKey(batch.labels ?? [], (l) => l.id))) {
        await c.query(this.writes.labels, columns(part, (l) => [l.id, l.model, l.label, millis(l.receivedAt), l.ts === null ? null : millis(l.ts)]));
      }
      for (const [key, value] of batch.state ?? []) await c.query(this.writes.state, [key, value]);
      await batch.beforeCommit?.();
    });
  }

  async getState(key: string): Promise<string | null> {
    const rows = await this.read({ text: `SELECT value FROM ${this.t('state')} WHERE key = $1`, params: [key] });
    const v = rows[0]?.value;
    return typeof v === 'string' ? v : null;
  }

  setState(key: string, value: string): Promise<void> {
    return this.tx((c) => c.query(this.writes.state, [key, value]));
  }

  async statesWithPrefix(prefix: string): Promise<Map<string, string>> {
    const rows = await this.read({ text: `SELECT key, value FROM ${this.t('state')} WHERE left(key, length($1)) = $1`, params: [prefix] });
    return new Map(rows.map((r) => [String(r.key), String(r.value)]));
  }

  registry(): RegistryStore {
    return (this.registryStore ??= postgresRegistry(this.pool, this.schema, () => {
      if (this.closed) throw new Error('PostgresStore is closed');
    }));
  }

  private alerts?: AlertStore;

  /** Monitors, evaluations, alerts, silences, notifications and actions (issue 4), in the same schema. */
  alertStore(): AlertStore {
    return (this.alerts ??= postgresAlertStore(this.schema, (s) => this.read(s), (list) => this.tx(async (c) => {
      for (const s of list) await c.query(s.text, s.params);
    })));
  }

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  private async read(sql: Sql | { text: string; params: unknown[] }): Promise<Row[]> {
    if (this.closed) throw new Error('PostgresStore is closed');
    return (await this.pool.query(sql.text, sql.params).catch((e: unknown) => {
      throw pgUnreachable(e);
    })).rows as Row[];
  }

  /** Runs `work` in one transaction on one pooled client. */
  private async tx(work: (c: pg.PoolClient) => Promise<unknown>): Promise<void> {
    if (this.closed) throw new Error('PostgresStore is closed');
    await pgTransaction(this.pool, work);
  }
}
