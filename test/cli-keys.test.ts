import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashKey } from '../src/http/auth.js';
import { lookout } from './helpers/cli.js';

test('lookout keys create prints a new key once and a config entry holding only its hash', () => {
  const a = lookout(['keys', 'create', '--name', 'ci', '--scopes', 'ingest,read']);
  const b = lookout(['keys', 'create', '--name', 'ci', '--scopes', 'ingest,read']);
  assert.equal(a.code, 0, a.stderr);
  const key = /^key: (lk_[A-Za-z0-9_-]{32})$/m.exec(a.stdout)?.[1];
  assert.ok(key, a.stdout);
  assert.match(a.stdout, new RegExp(`sha256: "${hashKey(key)}", scopes: \\[ingest, read\\]`));
  assert.notEqual(a.stdout, b.stdout, 'keys are random');
  const bad = lookout(['keys', 'create', '--name', 'x', '--scopes', 'root']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown scope root/);
});
