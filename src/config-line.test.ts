import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineOfPath, messagePath } from './config-line.js';

test('audit 27: the key path of a config error, an entry\'s own path after its id', () => {
  assert.deepEqual(messagePath('monitors[1] (id "b"): levels[0].threshold must be a number'), ['monitors', 1, 'levels', 0, 'threshold']);
  assert.deepEqual(messagePath('server.prot is unknown'), ['server', 'prot']);
  assert.deepEqual(messagePath('"objective" must be'), []);
});

test('audit 27: the line of the deepest part of a path the YAML holds', () => {
  const text = 'server:\n  port: 1\nmonitors:\n  - id: a\n  - id: b\n    window: 1 hour\n';
  assert.equal(lineOfPath(text, ['monitors', 1, 'window', 'must']), 6);
  assert.equal(lineOfPath(text, ['monitors', 1]), 5);
  assert.equal(lineOfPath(text, ['server', 'prot']), 1);
  assert.equal(lineOfPath(text, ['nothing']), undefined);
  assert.equal(lineOfPath('{ server: { port: 80.0 } }', ['server', 'port']), 1);
});
