import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandEnv, redactEnv, typeWholeReference } from './config-env.js';

const env = { HOOK: 'https://hooks.example/T0/B0/xyz', EMPTY: '', PORT: '9091', RATE: '0.25', YES: 'true' };

test('${NAME} and ${NAME:-default} in string values, at any depth; keys, other types and $NAME without braces as written', () => {
  const raw = {
    alerting: { notifiers: [{ id: 'ops', url: '${HOOK}', secret: 'pre-${PORT}-post' }] },
    dataDir: '${MISSING:-/var/lib/lookout}', other: '${EMPTY:-fallback}', empty: '${EMPTY}', set: '${PORT:-1}',
    '${HOOK}': 1, plain: '$HOOK', n: 5, b: true, z: null,
  };
  const e = expandEnv(raw, env);
  assert.deepEqual(e.value, {
    alerting: { notifiers: [{ id: 'ops', url: 'https://hooks.example/T0/B0/xyz', secret: 'pre-9091-post' }] },
    dataDir: '/var/lib/lookout', other: 'fallback', empty: '', set: '9091', '${HOOK}': 1, plain: '$HOOK', n: 5, b: true, z: null,
  });
  assert.deepEqual([...e.variables.entries()].sort(), [
    ['/alerting/notifiers/0/secret', ['PORT']], ['/alerting/notifiers/0/url', ['HOOK']], ['/dataDir', ['MISSING']],
    ['/empty', ['EMPTY']], ['/other', ['EMPTY']], ['/set', ['PORT']],
  ]);
  assert.deepEqual([...e.whole].sort(), ['/alerting/notifiers/0/url', '/dataDir', '/empty', '/other', '/set']);
  assert.equal(raw.alerting.notifiers[0]?.url, '${HOOK}', 'the parsed file is not changed');
});

test('$${ is a literal ${ (and names no variable)', () => {
  const e = expandEnv({ a: '$${HOOK}', b: 'x$${y}${PORT}', c: '$$${PORT}' }, env);
  assert.deepEqual(e.value, { a: '${HOOK}', b: 'x${y}9091', c: '$${PORT}' });
  assert.deepEqual([...e.variables.keys()], ['/b']);
});

test('an unset variable without a default, a malformed reference: an error naming the key path', () => {
  assert.throws(() => expandEnv({ alerting: { notifiers: [{ url: '${SLACK_URL}' }] } }, env),
    { message: 'alerting.notifiers[0].url: the environment variable SLACK_URL is not set (give it a value, or a default: ${SLACK_URL:-default})' });
  assert.throws(() => expandEnv({ a: { 'b/c': 'x${HOOK' } }, env), /^Error: a\.b\/c: "\$\{" without a closing "\}"/);
  assert.throws(() => expandEnv({ a: '${1X}' }, env), /^Error: a: "\$\{1X\}" is not a variable reference/);
  assert.throws(() => expandEnv({ a: '${}' }, env), /is not a variable reference/);
  assert.throws(() => expandEnv({ a: '${HOOK:default}' }, env), /is not a variable reference/);
});

test('a value that was one reference alone takes the type the schema wants when its text is one', () => {
  const root = { server: { port: '9091' }, ingest: { sampleRate: '0.25' }, flag: 'true', bad: '0x50', list: ['7'] };
  assert.equal(typeWholeReference(root, '/server/port', 'integer'), true);
  assert.equal(typeWholeReference(root, '/ingest/sampleRate', 'number'), true);
  assert.equal(typeWholeReference(root, '/flag', 'boolean'), true);
  assert.equal(typeWholeReference(root, '/bad', 'integer'), false);
  assert.equal(typeWholeReference(root, '/list/0', 'integer'), true);
  assert.equal(typeWholeReference(root, '/ingest/sampleRate', 'integer'), false, 'already typed');
  assert.deepEqual(root, { server: { port: 9091 }, ingest: { sampleRate: 0.25 }, flag: true, bad: '0x50', list: [7] });
  for (const [text, want, ok] of [['1.5', 'integer', false], ['1e3', 'number', true], ['-.5', 'number', true], ['1.', 'number', true], ['', 'number', false], ['True', 'boolean', false], ['Infinity', 'number', false]] as const) {
    assert.equal(typeWholeReference({ v: text }, '/v', want), ok, `${text} as ${want}`);
  }
});

test('redactEnv: each value of 6 characters or more named by its variable (the longest first); short ones left', () => {
  const e = expandEnv({ url: 'https://hooks.example/${TOKEN}', pg: '${PG}', port: '${PORT}' }, { TOKEN: 'T0-abc123', PG: 'postgres://u:pw@db/x?token=T0-abc123', PORT: '8080' });
  assert.equal(redactEnv('cannot open postgres://u:pw@db/x?token=T0-abc123; url https://hooks.example/T0-abc123 on port 8080', e.values),
    'cannot open ${PG}; url https://hooks.example/${TOKEN} on port 8080');
  assert.equal(redactEnv('nothing to hide', new Map()), 'nothing to hide');
});
