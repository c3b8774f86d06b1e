import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

/*
 * U+0000 cannot be stored in PostgreSQL text. Both stores must behave alike: NUL is refused (per row, or 400 for a
 * declaration or a URL) wherever it would reach a text column, and kept inside features (stored as JSON text).
 */
const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schema = `lookout_nul_${process.pid}_${Date.now()}`;
const backends: Array<{ name: string; skip: string | false; storage?: string }> = [
  { name: 'DuckDB file', skip: false },
  { name: 'PostgreSQL', skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL run is skipped', ...(pgUrl && { storage: `${pgUrl}?schema=${schema}` }) },
];

after(async () => {
  if (!pgUrl) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

for (const b of backends) {
  describe(`U+0000 on the ${b.name} store`, { skip: b.skip }, () => {
    let s: Server | undefined;
    after(async () => s?.close());

    test('issue 3: NUL is refused in stored text alike on both stores, and kept inside features', async () => {
      s = await testServer({ configure: (c) => { c.ingest.sampleRate = 1; if (b.storage) c.storage = b.storage; } });
      const model = { name: 'nul', outputKind: 'binary', classes: ['a', 'b'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { c: { type: 'string' } } } };
      for (const bad of [{ ...model, description: 'x\u0000' }, { ...model, classes: ['a\u0000', 'b'] }, { ...model, segmentKeys: ['r\u0000'] }]) {
        const r = await call(s.url, 'POST', '/v1/models', bad);
        assert.equal(r.status, 400, JSON.stringify(r.body));
      }
      assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(s.url, 'POST', '/v1/models/nul/versions', { version: '1' })).status, 201);
      const ev = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, model: 'nul', version: '1', features: { c: 'x' }, prediction: 'a', ...extra });
      const r = await call(s.url, 'POST', '/v1/events', { events: [
        ev('n\u0000id'), ev('n-pred', { prediction: 'a\u0000' }), ev('n-err', { error: 'boom\u0000' }), ev('n-seg', { segment: { region: 'e\u0000u' } }),
        { ...ev('n-model'), model: 'nul\u0000' }, ev('n-ok', { features: { c: 'x\u0000y', free: { k: '\u0000' } }, segment: { region: 'eu' } }),
      ] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const codes = (r.body['results'] as Array<{ code?: string; status: string }>).map((x) => x.code ?? x.status);
      assert.deepEqual(codes, ['invalid_id', 'invalid_prediction', 'invalid_error', 'invalid_segment', 'unknown_model', 'accepted']);
      const [stored] = await s.deps.store.getEvents(['n-ok']);
      assert.deepEqual(stored?.features, { c: 'x\u0000y', free: { k: '\u0000' } }, 'features keep NUL (JSON text)');
      assert.equal(await s.deps.store.countRejects(), 5);
      const l = await call(s.url, 'POST', '/v1/labels', [{ id: 'n-ok', label: 'b\u0000' }, { id: 'n\u0000ok', label: 'a' }, { id: 'n-ok', label: 'b' }]);
      assert.deepEqual((l.body['results'] as Array<{ code?: string; status: string }>).map((x) => x.code ?? x.status), ['invalid_label', 'invalid_id', 'accepted']);
      for (const path of ['/v1/models/nul/drift?segment=region%3De%00u', '/v1/models/nul%00/health', '/v1/models/nul/quality?version=1%00']) {
        const q = await call(s.url, 'GET', path);
        assert.equal(q.status, 400, `${path}: ${JSON.stringify(q.body)}`);
        assert.equal((q.body['error'] as { code: string }).code, 'bad_request');
      }
      assert.equal((await call(s.url, 'GET', '/v1/models/nul/quality?version=1')).status, 200);
    });
  });
}
