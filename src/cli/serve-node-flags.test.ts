import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVE_NODE_FLAGS } from './serve-node-flags.js';

test('npm start runs lookout serve with SERVE_NODE_FLAGS (the flags the benchmarks measure)', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const start = pkg.scripts['start'] ?? '';
  const m = /\bnode ((?:--\S+ )*)bin\/lookout\.js serve\b/.exec(start);
  assert.ok(m, `start script runs bin/lookout.js serve under node: ${start}`);
  assert.deepEqual((m[1] ?? '').trim().split(' ').filter(Boolean), [...SERVE_NODE_FLAGS]);
});
