import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { churnRegistryServer } from './helpers/registry.js';
import { call } from './helpers/server.js';

type Json = Record<string, unknown>;
const versionsOf = (b: Json): string[] => (b['versions'] as Array<{ version: string }>).map((v) => v.version);

describe('audit 6: version lists in semver order', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await churnRegistryServer(); // 1.0.0 (production), 1.1.0
  });
  after(async () => {
    await server.close();
  });

  test('audit 6: 1.10.0 registered before 1.9.0 lists after it; prereleases before their release (semver 2.0 precedence)', async () => {
    // registered in this (scrambled) order; the expected order is semver 2.0.0's own precedence example, §11
    const order = ['1.10.0', '1.9.0', '2.0.0', '2.0.0-rc.1', '2.0.0-beta.11', '2.0.0-alpha', '2.0.0-beta.2', '2.0.0-alpha.beta', '2.0.0-beta', '2.0.0-alpha.1'];
    for (const v of order) {
      await new Promise((r) => setTimeout(r, 3)); // a distinct creation time each
      assert.equal((await call(server.url, 'PUT', `/v1/models/churn/versions/${v}`, {})).status, 201);
    }
    await new Promise((r) => setTimeout(r, 3));
    // a version only declared for monitoring (not a semantic version) comes after the semantic ones
    assert.equal((await call(server.url, 'POST', '/v1/models/churn/versions', { version: 'legacy-a' })).status, 201);
    const semverOrder = ['1.0.0', '1.1.0', '1.9.0', '1.10.0', '2.0.0-alpha', '2.0.0-alpha.1', '2.0.0-alpha.beta', '2.0.0-beta', '2.0.0-beta.2', '2.0.0-beta.11', '2.0.0-rc.1', '2.0.0', 'legacy-a'];
    const def = await call(server.url, 'GET', '/v1/models/churn/versions');
    assert.equal(def.status, 200);
    assert.deepStrictEqual(versionsOf(def.body), semverOrder);
    assert.deepStrictEqual(versionsOf((await call(server.url, 'GET', '/v1/models/churn/versions?sort=semver')).body), semverOrder);
    // the creation order is still one parameter away
    assert.deepStrictEqual(versionsOf((await call(server.url, 'GET', '/v1/models/churn/versions?sort=created')).body), ['1.0.0', '1.1.0', ...order, 'legacy-a']);
    const bad = await call(server.url, 'GET', '/v1/models/churn/versions?sort=newest');
    assert.equal(bad.status, 400);
    assert.match((bad.body['error'] as { message: string }).message, /sort must be "semver" or "created"/);
    // the CLI prints the same orders
    const cli = await lookoutAsync(['versions', 'list', 'churn', '--url', server.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepStrictEqual(cli.stdout.split('\n').slice(1).filter((l) => l.trim() !== '' && !/^[-\s]+$/.test(l)).map((l) => l.trim().split(/\s+/)[0]), semverOrder);
    const created = await lookoutAsync(['versions', 'list', 'churn', '--url', server.url, '--sort', 'created', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepStrictEqual(versionsOf(JSON.parse(created.stdout) as Json), ['1.0.0', '1.1.0', ...order, 'legacy-a']);
  });

  test('audit 6: rollback follows the alias history, not the version order (a downgrade is rolled back to the newer version)', async () => {
    for (const [v, why] of [['1.10.0', 'up'], ['1.9.0', 'down: 1.10.0 leaks memory']] as const) {
      assert.equal((await call(server.url, 'PUT', '/v1/models/churn/aliases/production', { version: v, reason: why })).status, 200);
    }
    const rb = await call(server.url, 'POST', '/v1/models/churn/rollback', { reason: 'the leak was elsewhere' });
    assert.deepStrictEqual([rb.status, rb.body], [200, { alias: 'production', version: '1.10.0', previous: '1.9.0' }]);
    const rb2 = await call(server.url, 'POST', '/v1/models/churn/rollback', { reason: 'again' });
    assert.deepStrictEqual([rb2.status, rb2.body], [200, { alias: 'production', version: '1.0.0', previous: '1.10.0' }]);
  });
});
