import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { UnavailableError } from '../../io/errors.js';
import { openStore } from '../open.js';
import { pgUnreachable } from './unreachable.js';

const url = process.env.LOOKOUT_TEST_PG_URL;
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';

/** The error a query on `client` fails with. */
async function failure(client: pg.Client, sql: string): Promise<unknown> {
  return client.query(sql).then(() => assert.fail(`${sql} did not fail`), (e: unknown) => e);
}

test('pgUnreachable: PostgreSQL ending the connection (57P01), a refused connection and a lost socket are "unavailable"; a statement PostgreSQL refuses is not', { skip }, async () => {
  const a = new pg.Client({ connectionString: url });
  const b = new pg.Client({ connectionString: url });
  await a.connect();
  await b.connect();
  a.on('error', () => undefined);
  try {
    const refused = await failure(a, 'SELECT 1/0');
    assert.equal((refused as pg.DatabaseError).code, '22012');
    assert.equal(pgUnreachable(refused), refused, 'a division by zero is the statement\'s fault');

    const pid = (await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await b.query('SELECT pg_terminate_backend($1)', [pid]);
    const ended = await failure(a, 'SELECT 1');
    const mapped = pgUnreachable(ended);
    assert.ok(mapped instanceof UnavailableError, `${String(ended)} was not taken as unavailable`);
    assert.match(mapped.message, /^the PostgreSQL store cannot be reached \(.+\); retry later$/);
    assert.equal(mapped.cause, ended);
    assert.equal(pgUnreachable(mapped), mapped, 'not wrapped twice');
  } finally {
    await a.end().catch(() => undefined);
    await b.end();
  }

  // nothing listens on port 1
  const nowhere = new URL(url as string);
  nowhere.hostname = '127.0.0.1';
  nowhere.port = '1';
  const c = new pg.Client({ connectionString: nowhere.toString() });
  const notConnected = await c.connect().then(() => assert.fail('connected to port 1'), (e: unknown) => e);
  assert.ok(pgUnreachable(notConnected) instanceof UnavailableError, String(notConnected));
});

test('store URL: query_timeout must be a whole number of milliseconds (refused before connecting)', async () => {
  for (const bad of ['abc', '0', '-5', '1.5', '']) {
    await assert.rejects(openStore(`postgres://nobody@127.0.0.1:1/x?query_timeout=${bad}`), /query_timeout in the store URL must be a whole number of milliseconds/);
  }
});
