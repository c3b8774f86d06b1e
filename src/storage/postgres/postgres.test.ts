import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { checkHeadsAfterMigration, checkLabelTimesAfterMigration, checkWindowValuesAfterMigration, OLD_LABEL_ROWS, storageContract } from '../contract.js';
import { openStore } from '../open.js';
import { dropSchema } from './drop-schema.js';
import { PostgresStore } from './store.js';

const url = process.env.LOOKOUT_TEST_PG_URL;
const SKIP = 'LOOKOUT_TEST_PG_URL not set: PostgreSQL contract tests skipped';

const freshSchema = (): string => `lookout_test_${randomBytes(6).toString('hex')}`;

if (url === undefined || url === '') {
  test('storage contract: postgres', { skip: SKIP }, () => undefined);
} else {
  const schema = freshSchema();
  storageContract('postgres', () => PostgresStore.open(url, { schema }), () => dropSchema(url, schema));

  describe('postgres store', () => {
    test('openStore picks PostgreSQL for postgres:// and postgresql:// URLs', async () => {
      for (const u of [url, url.replace(/^postgres(ql)?:/, 'postgresql:')]) {
        const store = await openStore(u);
        assert.equal(store.kind, 'postgres');
        await store.close();
      }
    });

    test('concurrent init() of a new schema is safe; invalid schema names are refused', async () => {
      const s2 = freshSchema();
      const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open(url, { schema: s2 })));
      try {
        await Promise.all(stores.map((s) => s.init()));
        await stores[0]!.setState('k', 'v');
        assert.equal(await stores[2]!.getState('k'), 'v');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await dropSchema(url, s2);
      }
      await assert.rejects(PostgresStore.open(url, { schema: 'x"; DROP TABLE y; --' }), /invalid PostgreSQL schema/);
    });

    /** A store on a fresh schema whose tables `sql(schema)` wrote as an older release did; `check` runs on it. */
    const withOldTables = async (sql: (schema: string) => string[], check: (store: PostgresStore) => Promise<void>): Promise<void> => {
      const schema = freshSchema();
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA "${schema}"`);
        for (const q of sql(`"${schema}"`)) await client.query(q);
      } finally {
        await client.end();
      }
      const store = await PostgresStore.open(url, { schema });
      try {
        await check(store);
      } finally {
        await store.close();
        await dropSchema(url, schema);
      }
    };

    test('issue 3: a summaries table written before summary heads gets the head column; its windows read in full', async () => {
      await withOldTables((s) => [
        `CREATE TABLE ${s}.summaries (model text NOT NULL, version text NOT NULL, segment text NOT NULL, granularity text NOT NULL,
          window_start bigint NOT NULL, data bytea NOT NULL, PRIMARY KEY (model, granularity, window_start, version, segment))`,
        `INSERT INTO ${s}.summaries VALUES ('m', '1', '', 'hour', 0, '\\x02')`,
      ], checkHeadsAfterMigration);
    });

    test('issue 3: labels written before labels kept their prediction\'s time get it from their events, once', async () => {
      let schema = '';
      await withOldTables((s) => {
        schema = s;
        return [
          `CREATE TABLE ${s}.events (id text COLLATE "C" NOT NULL PRIMARY KEY, model text COLLATE "C" NOT NULL, version text COLLATE "C" NOT NULL,
            ts bigint NOT NULL, segment text COLLATE "C" NOT NULL, prediction text, score double precision, scores text, latency_ms double precision,
            error text, cost_usd double precision, features text)`,
          `CREATE TABLE ${s}.labels (id text COLLATE "C" NOT NULL PRIMARY KEY, model text COLLATE "C" NOT NULL, label text NOT NULL, received_at bigint NOT NULL)`,
          `INSERT INTO ${s}.events ${OLD_LABEL_ROWS.events}`,
          `INSERT INTO ${s}.labels ${OLD_LABEL_ROWS.labels}`,
        ];
      }, (store) => checkLabelTimesAfterMigration(store, async () => {
        const pg = await import('pg');
        const client = new pg.default.Client({ connectionString: url });
        await client.connect();
        try {
          const r = await client.query<{ id: string; ts: string | null }>(`SELECT id, ts FROM ${schema}.labels ORDER BY id`);
          return r.rows.map((x) => [x.id, x.ts === null ? null : Number(x.ts)]);
        } finally {
          await client.end();
        }
      }));
    });

    test('issue 3: a window_values table of the first layout (a row per metric) is replaced by one row per window', async () => {
      await withOldTables((s) => [
        `CREATE TABLE ${s}.window_values (model text NOT NULL, version text NOT NULL, segment text NOT NULL, granularity text NOT NULL,
          window_start bigint NOT NULL, metric text NOT NULL, basis text NOT NULL, events bigint NOT NULL, value double precision,
          PRIMARY KEY (model, granularity, window_start, version, segment, metric))`,
        `INSERT INTO ${s}.window_values VALUES ('m', '1', '', 'hour', 0, 'driftShare', 'old', 3, 0.25)`,
      ], checkWindowValuesAfterMigration);
    });
  });
}
