import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { registryContract } from '../registry-contract.js';
import { checkSchemaName } from './schema.js';
import { PostgresStore } from './store.js';

const url = process.env.LOOKOUT_TEST_PG_URL;

if (url === undefined || url === '') {
  test('registry store contract: postgres', { skip: 'LOOKOUT_TEST_PG_URL not set: PostgreSQL registry contract skipped' }, () => undefined);
} else {
  const schema = `lookout_test_reg_${randomBytes(6).toString('hex')}`;
  registryContract('postgres', () => PostgresStore.open(url, { schema }), async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`DROP SCHEMA IF EXISTS "${checkSchemaName(schema)}" CASCADE`);
    } finally {
      await c.end();
    }
  });
}
