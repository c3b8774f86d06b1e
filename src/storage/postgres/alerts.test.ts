import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { alertStoreContract } from '../alerts-contract.js';
import { dropSchema } from './drop-schema.js';
import { PostgresStore } from './store.js';

const url = process.env.LOOKOUT_TEST_PG_URL;

if (url === undefined || url === '') {
  test('issue 4: alert store contract: postgres', { skip: 'LOOKOUT_TEST_PG_URL not set: PostgreSQL alert store contract skipped' }, () => undefined);
} else {
  const schema = `lookout_alerts_${randomBytes(6).toString('hex')}`;
  alertStoreContract('postgres', () => PostgresStore.open(url, { schema }), () => dropSchema(url, schema));
}
