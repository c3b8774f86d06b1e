import { STORED_GRANULARITIES } from '../../core/time/windows.js';

/** DuckDB tables of the embedded store (idempotent DDL; identifiers are fixed). */
export const DUCKDB_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS models (
    name VARCHAR PRIMARY KEY, output_kind VARCHAR NOT NULL, input_schema VARCHAR NOT NULL,
    segment_keys VARCHAR NOT NULL, classes VARCHAR, description VARCHAR,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS versions (
    model VARCHAR NOT NULL, version VARCHAR NOT NULL, created_at BIGINT NOT NULL,
    reference VARCHAR, metadata VARCHAR, PRIMARY KEY (model, version))`,
  `CREATE TABLE IF NOT EXISTS events (
    id VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, version VARCHAR NOT NULL, ts BIGINT NOT NULL,
    segment VARCHAR NOT NULL, prediction VARCHAR, score DOUBLE, scores VARCHAR, latency_ms DOUBLE,
    error VARCHAR, cost_usd DOUBLE, features VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS rejects (
    ts BIGINT NOT NULL, model VARCHAR, version VARCHAR, code VARCHAR NOT NULL,
    reason VARCHAR NOT NULL, excerpt VARCHAR NOT NULL)`,
  // The client's id of a rejected row (RejectRecord.id), once per id; added last, so old and new tables have one column order.
  `ALTER TABLE rejects ADD COLUMN IF NOT EXISTS id VARCHAR`,
  `CREATE UNIQUE INDEX IF NOT EXISTS rejects_id ON rejects (id)`,
  `CREATE TABLE IF NOT EXISTS labels (
    id VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, label VARCHAR NOT NULL, received_at BIGINT NOT NULL, ts BIGINT)`,
  // The labelled prediction's time (LabelRecord.ts); stores written before it get the column, filled by init().
  `ALTER TABLE labels ADD COLUMN IF NOT EXISTS ts BIGINT`,
  // Window summaries: one table per granularity (same columns). A query reads one granularity, and DuckDB
  // scans (no range index): a 30-day query over day windows reads the small day table only, ~15x faster
  // from a cold start than from one table holding the minute windows too.
  ...STORED_GRANULARITIES.map((g) => `CREATE TABLE IF NOT EXISTS summaries_${g} (
    model VARCHAR NOT NULL, version VARCHAR NOT NULL, segment VARCHAR NOT NULL, granularity VARCHAR NOT NULL,
    window_start BIGINT NOT NULL, data BLOB NOT NULL, head BLOB,
    PRIMARY KEY (model, version, segment, granularity, window_start))`),
  // Stores created before summary heads existed get the column (empty: such windows are read in full).
  ...STORED_GRANULARITIES.map((g) => `ALTER TABLE summaries_${g} ADD COLUMN IF NOT EXISTS head BLOB`),
  // The events each stored summary counts (NULL: written before the column; such windows keep no window values).
  ...STORED_GRANULARITIES.map((g) => `ALTER TABLE summaries_${g} ADD COLUMN IF NOT EXISTS events BIGINT`),
  // The row's key as one string (window-row-key.ts), for index scans; filled for older rows by init() before its index.
  ...STORED_GRANULARITIES.map((g) => `ALTER TABLE summaries_${g} ADD COLUMN IF NOT EXISTS k VARCHAR`),
  // Per-window values of feature metrics computed from the summaries (WindowValue in ../types.ts).
  // One row per window: its values by metric (storage/window-value-sets.ts).
  `CREATE TABLE IF NOT EXISTS window_values (
    model VARCHAR NOT NULL, version VARCHAR NOT NULL, segment VARCHAR NOT NULL, granularity VARCHAR NOT NULL,
    window_start BIGINT NOT NULL, basis VARCHAR NOT NULL, events BIGINT NOT NULL, vals MAP(VARCHAR, DOUBLE) NOT NULL,
    PRIMARY KEY (model, version, segment, granularity, window_start))`,
  `CREATE TABLE IF NOT EXISTS state (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
];

/** The events columns, in table order. */
export const EVENT_COLUMNS =
  'id, model, version, ts, segment, prediction, score, scores, latency_ms, error, cost_usd, features';

export const UPSERT_MODEL = `INSERT INTO models
  (name, output_kind, input_schema, segment_keys, classes, description, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (name) DO UPDATE SET output_kind = excluded.output_kind, input_schema = excluded.input_schema,
    segment_keys = excluded.segment_keys, classes = excluded.classes, description = excluded.description,
    created_at = excluded.created_at, updated_at = excluded.updated_at`;

export const UPSERT_VERSION = `INSERT INTO versions (model, version, created_at, reference, metadata)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (model, version) DO UPDATE SET created_at = excluded.created_at,
    reference = excluded.reference, metadata = excluded.metadata`;

/** Per-connection staging table for summary upserts (temp tables are not logged; rolled back with the call). */
export const SUMMARIES_STAGE = 'summaries_stage';

export const CREATE_SUMMARIES_STAGE = `CREATE TEMP TABLE IF NOT EXISTS ${SUMMARIES_STAGE} (
  model VARCHAR, version VARCHAR, segment VARCHAR, granularity VARCHAR, window_start BIGINT, data BLOB, head BLOB, events BIGINT, k VARCHAR)`;

/** Indexes on the summary tables' `k` (created once every row has its key; non-unique: upserts check the primary key only). */
export const SUMMARY_KEY_INDEXES = STORED_GRANULARITIES.map((g) => `CREATE INDEX IF NOT EXISTS summaries_${g}_k ON summaries_${g} (k)`);

/** Per-connection staging table for the keys of rows written before `k` existed (init()). */
export const SUMMARY_KEYS_STAGE = 'summary_keys_stage';

export const CREATE_SUMMARY_KEYS_STAGE = `CREATE TEMP TABLE IF NOT EXISTS ${SUMMARY_KEYS_STAGE} (
  model VARCHAR, version VARCHAR, segment VARCHAR, granularity VARCHAR, window_start BIGINT, k VARCHAR)`;

/** Sets the stage's keys on the rows of a granularity's table. */
export const FILL_SUMMARY_KEYS = (g: string): string => `UPDATE ${summariesTable(g)} SET k = st.k FROM temp.main.${SUMMARY_KEYS_STAGE} st
  WHERE ${summariesTable(g)}.model = st.model AND ${summariesTable(g)}.version = st.version AND ${summariesTable(g)}.segment = st.segment
    AND ${summariesTable(g)}.window_start = st.window_start`;

/** The table of a granularity's summaries. */
export const summariesTable = (g: string): string => `summaries_${g}`;

export const UPSERT_STAGED_SUMMARIES = STORED_GRANULARITIES.map((g) => `INSERT INTO ${summariesTable(g)} (model, version, segment, granularity, window_start, data, head, events, k)
  SELECT model, version, segment, granularity, window_start, data, head, events, k FROM temp.main.${SUMMARIES_STAGE} WHERE granularity = '${g}'
  ON CONFLICT (model, version, segment, granularity, window_start) DO UPDATE SET data = excluded.data, head = excluded.head, events = excluded.events`);

/** Per-connection staging table for window values (Appender, then one upsert, as for summaries). */
export const WINDOW_VALUES_STAGE = 'window_values_stage';

export const CREATE_WINDOW_VALUES_STAGE = `CREATE TEMP TABLE IF NOT EXISTS ${WINDOW_VALUES_STAGE} (
  model VARCHAR, version VARCHAR, segment VARCHAR, granularity VARCHAR, window_start BIGINT, basis VARCHAR, events BIGINT,
  metrics VARCHAR[], vals DOUBLE[])`;

/** Values under the stored row's basis and count are added to it; under another, they replace it (window-value-sets.ts). */
export const UPSERT_STAGED_WINDOW_VALUES = `INSERT INTO window_values (model, version, segment, granularity, window_start, basis, events, vals)
  SELECT model, version, segment, granularity, window_start, basis, events, map(metrics, vals) FROM temp.main.${WINDOW_VALUES_STAGE}
  ON CONFLICT (model, version, segment, granularity, window_start) DO UPDATE SET
    vals = CASE WHEN window_values.basis = excluded.basis AND window_values.events = excluded.events
      THEN map_concat(window_values.vals, excluded.vals) ELSE excluded.vals END,
    basis = excluded.basis, events = excluded.events`;

/** The window_values table of the first layout (one row per window and metric, a cache): dropped by init(). */
export const OLD_WINDOW_VALUES = `SELECT 1 FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'window_values' AND column_name = 'metric'`;

/** A store written before the split kept every granularity in one `summaries` table: moved once by init(). */
export const MIGRATE_SUMMARIES = [
  ...['minute', 'hour', 'day'].map((g) => `INSERT INTO ${summariesTable(g)} (model, version, segment, granularity, window_start, data) SELECT model, version, segment, granularity, window_start, data FROM summaries WHERE granularity = '${g}' ON CONFLICT DO NOTHING`),
  'DROP TABLE summaries',
];

/** Per-connection staging table for label upserts (same approach as summaries: Appender, then one upsert). */
export const LABELS_STAGE = 'labels_stage';

export const CREATE_LABELS_STAGE = `CREATE TEMP TABLE IF NOT EXISTS ${LABELS_STAGE} (
  id VARCHAR, model VARCHAR, label VARCHAR, received_at BIGINT, ts BIGINT)`;

/**
 * A label sent again replaces the stored one but keeps when the prediction was first labelled (the label delay is
 * measured from it); a known prediction time is kept when the new one has none.
 */
export const UPSERT_STAGED_LABELS = `INSERT INTO labels (id, model, label, received_at, ts)
  SELECT id, model, label, received_at, ts FROM temp.main.${LABELS_STAGE}
  ON CONFLICT (id) DO UPDATE SET model = excluded.model, label = excluded.label, received_at = least(labels.received_at, excluded.received_at),
    ts = coalesce(excluded.ts, labels.ts)`;

/** The `state` key that marks FILL_LABEL_TIMES done. */
export const LABEL_TIMES_FILLED = 'labels.ts-filled';

/** Labels of a store written before labels kept their prediction's time get it from their events (init(); idempotent). */
export const FILL_LABEL_TIMES = 'UPDATE labels SET ts = e.ts FROM events e WHERE labels.ts IS NULL AND labels.id = e.id';

export const UPSERT_STATE = `INSERT INTO state (key, value) VALUES ($1, $2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

/**
 * A state entry that exists already (putState in transactions.ts tries it first). Every group commit sets the journal's
 * committed mark: DuckDB's upsert above took 3-5 ms of a ~20 ms group transaction stand-alone (this UPDATE ~1 ms)
 * and 6-8 ms under bench:ingest, on the write connection that sets the ingest rate (docs/performance.md).
 */
export const UPDATE_STATE = 'UPDATE state SET value = $2 WHERE key = $1';
