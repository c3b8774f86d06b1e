import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
type Exports = Record<string, { types: string; default: string }>;

test('issue 3: package exports "lookout" and "lookout/client" resolve to built modules with type declarations', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Exports };
  for (const [sub, target] of Object.entries(pkg.exports)) {
    assert.ok(existsSync(join(root, target.default)), `${sub}: ${target.default} exists`);
    assert.ok(existsSync(join(root, target.types)), `${sub}: ${target.types} exists`);
  }
  // Self-reference by package name goes through "exports", as an installed package would.
  const names = ['lookout', 'lookout/client'];
  const [main, client] = await Promise.all(names.map((n) => import(n) as Promise<Record<string, unknown>>));
  assert.equal(typeof main?.['startServer'], 'function');
  assert.equal(typeof main?.['LookoutClient'], 'function');
  assert.equal(typeof client?.['LookoutClient'], 'function');
  assert.equal(main?.['LookoutClient'], client?.['LookoutClient']);
});
