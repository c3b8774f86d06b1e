/** PostgreSQL tables of the store, inside one schema (the schema name is validated, never a value). */

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!IDENT.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  return schema;
}

/** Key and ordering columns use COLLATE "C" so ordering by id matches the DuckDB backend (byte order). */
export function postgresSchema(schema: string): string[] {
  const s = `"${checkSchemaName(schema)}"`;
  const key = 'text COLLATE "C" NOT NULL';
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.models (
      name ${key} PRIMARY KEY, output_kind text NOT NULL, input_schema text NOT NULL, segment_keys text NOT NULL,
      classes text, description text, created_at bigint NOT NULL, updated_at bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.versions (
      model ${key}, version ${key}, created_at bigint NOT NULL, reference text, metadata text,
      PRIMARY KEY (model, version))`,
    `CREATE TABLE IF NOT EXISTS ${s}.events (
      id ${key} PRIMARY KEY, model ${key}, version ${key}, ts bigint NOT NULL, segment ${key},
      prediction text, score double precision, scores text, latency_ms double precision, error text,
      cost_usd double precision, features text)`,
    `CREATE INDEX IF NOT EXISTS events_model_ts ON ${s}.events (model, ts)`,
    `CREATE TABLE IF NOT EXISTS ${s}.rejects (
      ts bigint NOT NULL, model text, version text, code text NOT NULL, reason text NOT NULL, excerpt text NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS rejects_model ON ${s}.rejects (model)`,
    // The client's id of a rejected row (RejectRecord.id), once per id.
    `ALTER TABLE ${s}.rejects ADD COLUMN IF NOT EXISTS id text COLLATE "C"`,
    `CREATE UNIQUE INDEX IF NOT EXISTS rejects_id ON ${s}.rejects (id)`,
    `CREATE TABLE IF NOT EXISTS ${s}.labels (
      id ${key} PRIMARY KEY, model ${key}, label text NOT NULL, received_at bigint NOT NULL, ts bigint)`,
    // The labelled prediction's time (LabelRecord.ts); filled below, once, for labels written before the column.
    `ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS ts bigint`,
    `CREATE TABLE IF NOT EXISTS ${s}.summaries (
      model ${key}, version ${key}, segment ${key}, granularity ${key}, window_start bigint NOT NULL,
      data bytea NOT NULL, head bytea, PRIMARY KEY (model, granularity, window_start, version, segment))`,
    // Stores created before summary heads existed get the column (empty: such windows are read in full).
    `ALTER TABLE ${s}.summaries ADD COLUMN IF NOT EXISTS head bytea`,
    // The events each stored summary counts (NULL: written before the column; such windows keep no window values).
    `ALTER TABLE ${s}.summaries ADD COLUMN IF NOT EXISTS events bigint`,
    // Per-window values of feature metrics computed from the summaries (WindowValue in ../types.ts): one row per window,
    // its values as JSON (../window-value-sets.ts). The table of the first layout (a row per metric, a cache) is dropped.
    `DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = '${checkSchemaName(schema)}' AND table_name = 'window_values' AND column_name = 'metric')
      THEN DROP TABLE ${s}.window_values; END IF; END $$`,
    `CREATE TABLE IF NOT EXISTS ${s}.window_values (
      model ${key}, version ${key}, segment ${key}, granularity ${key}, window_start bigint NOT NULL,
      basis text NOT NULL, events bigint NOT NULL, vals jsonb NOT NULL,
      PRIMARY KEY (model, granularity, window_start, version, segment))`,
    `CREATE TABLE IF NOT EXISTS ${s}.state (key ${key} PRIMARY KEY, value text NOT NULL)`,
    `DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM ${s}.state WHERE key = 'labels.ts-filled') THEN
        UPDATE ${s}.labels l SET ts = e.ts FROM ${s}.events e WHERE l.ts IS NULL AND l.id = e.id;
        INSERT INTO ${s}.state (key, value) VALUES ('labels.ts-filled', '1');
      END IF; END $$`,
  ];
}

/** Parameterised writes (`s` is the quoted schema). Bulk rows go through unnest() of one array per column. */
export function postgresWrites(schema: string) {
  const s = `"${checkSchemaName(schema)}"`;
  return {
    events: `INSERT INTO ${s}.events
      (id, model, version, ts, segment, prediction, score, scores, latency_ms, error, cost_usd, features)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
        $7::float8[], $8::text[], $9::float8[], $10::text[], $11::float8[], $12::text[])`,
    rejects: `INSERT INTO ${s}.rejects (ts, model, version, code, reason, excerpt, id)
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    summaries: `INSERT INTO ${s}.summaries (model, version, segment, granularity, window_start, data, head, events)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bytea[], $7::bytea[], $8::bigint[])
      ON CONFLICT (model, granularity, window_start, version, segment) DO UPDATE SET data = excluded.data, head = excluded.head,
        events = excluded.events`,
    // Values under the stored row's basis and count are added to it; under another, they replace it.
    windowValues: `INSERT INTO ${s}.window_values AS w (model, version, segment, granularity, window_start, basis, events, vals)
      SELECT m, v, sg, g, ws, b, e, j::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::text[])
        AS u(m, v, sg, g, ws, b, e, j)
      ON CONFLICT (model, granularity, window_start, version, segment) DO UPDATE SET
        vals = CASE WHEN w.basis = excluded.basis AND w.events = excluded.events THEN w.vals || excluded.vals ELSE excluded.vals END,
        basis = excluded.basis, events = excluded.events`,
    labels: `INSERT INTO ${s}.labels AS l (id, model, label, received_at, ts)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
      ON CONFLICT (id) DO UPDATE SET model = excluded.model, label = excluded.label, received_at = least(l.received_at, excluded.received_at),
        ts = coalesce(excluded.ts, l.ts)`,
    model: `INSERT INTO ${s}.models
      (name, output_kind, input_schema, segment_keys, classes, description, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (name) DO UPDATE SET output_kind = excluded.output_kind, input_schema = excluded.input_schema,
        segment_keys = excluded.segment_keys, classes = excluded.classes, description = excluded.description,
        created_at = excluded.created_at, updated_at = excluded.updated_at`,
    version: `INSERT INTO ${s}.versions (model, version, created_at, reference, metadata) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (model, version) DO UPDATE SET created_at = excluded.created_at,
        reference = excluded.reference, metadata = excluded.metadata`,
    state: `INSERT INTO ${s}.state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  };
}
