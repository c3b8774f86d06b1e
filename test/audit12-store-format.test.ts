/**
 * Audit 12 (upgrade compatibility): releases before 2026-12-05 could not tell a store written by a later release: run on
 * one, they answered 500 for every window summary they could not decode ("NumericSummary.fromBytes: unsupported form
 * 2") and 503 for ingest into them. The store now keeps the format it was written in; a release refuses, at start and in
 * one line, a store of a later format than its own, and leaves it untouched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, type LookoutConfig } from '../src/config.js';
import { InputError } from '../src/io/errors.js';
import { startServer, storeUrl } from '../src/server.js';
import { STORE_FORMAT } from '../src/storage/format.js';
import { openStore } from '../src/storage/open.js';
import { VERSION } from '../src/version.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemas = testSchemas('lookout_a12format', pgUrl);

function config(storage?: string): LookoutConfig {
  const c = defaultConfig();
  c.dataDir = tempDir('lookout-a12format-');
  c.server.port = 0;
  c.registry = { tickMs: 0, refreshMs: 0 };
  if (storage !== undefined) c.storage = storage;
  return c;
}

async function marker(c: LookoutConfig, set?: string): Promise<string | null> {
  const store = await openStore(storeUrl(c));
  try {
    await store.init();
    if (set !== undefined) await store.setState('store.format', set);
    return await store.getState('store.format');
  } finally {
    await store.close();
  }
}

const LATER = JSON.stringify({ format: STORE_FORMAT + 1, release: '9.9.9' });

const STORES: Array<{ name: string; storage: () => string | undefined; skip: string | false }> = [
  { name: 'DuckDB', storage: () => undefined, skip: false },
  {
    name: 'PostgreSQL', skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped',
    storage: () => schemas.url('pg'),
  },
];

for (const s of STORES) {
  describe(`audit12: the store's format marker (${s.name})`, { skip: s.skip, timeout: 60_000 }, () => {
    test('a start records this release\'s format; a store of a later format is refused in one line and left as it was; one written before the marker starts', async () => {
      const c = config(s.storage());
      // a store of a release before the marker: no key; it starts, and gets the marker
      assert.equal(await marker(c), null);
      const srv = await startServer({ config: c });
      await srv.close();
      assert.deepStrictEqual(JSON.parse(await marker(c) ?? 'null'), { format: STORE_FORMAT, release: VERSION });
      // written by a later release
      await marker(c, LATER);
      await assert.rejects(startServer({ config: c }), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.match(e.message, new RegExp(`^cannot start: the store .* was written by Lookout 9\\.9\\.9 in store format ${STORE_FORMAT + 1}; this release \\(${VERSION.replace(/\./g, '\\.')}\\) reads formats up to ${STORE_FORMAT}: run 9\\.9\\.9 or later$`));
        return true;
      });
      assert.equal(await marker(c), LATER, 'the marker is left as the later release wrote it');
      // and a marker nobody could have written
      await marker(c, 'not json');
      await assert.rejects(startServer({ config: c }), /unreadable format marker/);
    });
  });
}

test('audit12: lookout serve on a store of a later format exits 2 with one line', async () => {
  const c = config();
  await marker(c, LATER);
  const file = join(c.dataDir, 'lookout.yaml');
  writeFileSync(file, `dataDir: ${c.dataDir}\nserver: { port: 0 }\n`);
  const r = await lookoutAsync(['serve', '--config', file], 60_000);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /was written by Lookout 9\.9\.9 in store format/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
