import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { storageContract } from '../contract.js';
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
  });
}
