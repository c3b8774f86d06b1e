import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemas = testSchemas('lookout_a17config', pgUrl);

/** lookout.yaml in a fresh dir holding `body`. */
function configFile(body: string): string {
  const path = join(tempDir('lookout-audit17-config-'), 'lookout.yaml');
  writeFileSync(path, body);
  return path;
}

const model = `models:
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1", reference: { file: "\${A17_REFS}/ref.csv" } }]
`;

describe('audit 17: environment variables in lookout.yaml (secrets and per-host values out of the file)', () => {
  test('a server started from a file whose data dir, reference, sample rate and notifier come from the environment', async () => {
    const root = tempDir('lookout-audit17-env-');
    const data = join(root, 'elsewhere', 'data');
    const refs = join(root, 'refs');
    mkdirSync(refs);
    writeFileSync(join(refs, 'ref.csv'), 'x,prediction,label\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2},${i % 3 === 0 ? 1 : 0}`).join('\n') + '\n');
    const path = configFile(`dataDir: \${A17_DATA}\ningest:\n  sampleRate: \${A17_RATE}\n${model}alerting:\n  notifiers:\n    - { id: ops, kind: webhook, url: "\${A17_HOOK}", secret: "\${A17_SECRET:-unset}" }\n`);
    const env = { ...process.env, A17_DATA: data, A17_REFS: refs, A17_RATE: '0.5', A17_HOOK: 'http://127.0.0.1:9/hook/T0-secret-path' };
    const s = await spawnServe(['--config', path], 120_000, env);
    try {
      assert.ok(existsSync(data), `the data dir is the variable's (${data})`);
      const m = await call(s.url, 'GET', '/v1/models/churn');
      assert.equal(m.status, 200, JSON.stringify(m.body));
      const v = (m.body['versions'] as Array<Record<string, unknown>>)[0];
      assert.ok(v?.['reference'], `the reference file under \${A17_REFS} was read: ${JSON.stringify(v).slice(0, 300)}`);
    } finally {
      await s.stop();
    }
  });

  test('an unset variable stops the start naming the key and the variable; a value made from variables is never printed', async () => {
    const unset = await lookoutAsync(['serve', '--config', configFile('dataDir: ./data\nalerting:\n  notifiers:\n    - { id: ops, kind: slack, url: "${A17_SLACK_UNSET}" }\n'), '--port', '0'], 15_000);
    assert.equal(unset.code, 2, unset.stderr);
    assert.match(unset.stderr, /invalid config .*lookout\.yaml: alerting\.notifiers\[0\]\.url: the environment variable A17_SLACK_UNSET is not set/);
    const env = { ...process.env, A17_PORT: 'p-secret-4242', A17_HOOK: 'ftp://user:hunter2-secret@hooks.example/x' };
    for (const body of ['server:\n  port: ${A17_PORT}\n', 'dataDir: ./data\nalerting:\n  notifiers:\n    - { id: ops, kind: webhook, url: "${A17_HOOK}" }\n']) {
      const r = await lookoutAsync(['serve', '--config', configFile(body), '--port', '0'], 15_000, env);
      assert.equal(r.code, 2, `${body}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /secret/, r.stderr);
      assert.match(r.stderr, /\$\{A17_(PORT|HOOK)\}/, r.stderr);
    }
  });

  test('a value that is one reference alone is read as the number or boolean the schema wants', () => {
    const path = configFile('server:\n  port: ${P}\n  host: ${H:-0.0.0.0}\n# in a flow mapping, { and } are YAML\'s: quoted there\ningest: { sampleRate: "${R}", deltaWorker: "${W}" }\n');
    const c = loadConfig(path, { P: '9091', R: '0.25', W: 'false' });
    assert.deepEqual([c.server.port, c.server.host, c.ingest.sampleRate, c.ingest.deltaWorker], [9091, '0.0.0.0', 0.25, false]);
    assert.throws(() => loadConfig(path, { P: '0x50', R: '0.25', W: 'false' }), /server\.port must be integer \(got the value of \$\{P\}, not shown\)/);
    assert.throws(() => loadConfig(path, { P: '80', R: '2', W: 'false' }), /ingest\.sampleRate must be <= 1 \(got the value of \$\{R\}, not shown\)/);
    // Written in the file, a string stays a string: only a variable's text is read as the schema's type.
    assert.throws(() => loadConfig(configFile('server: { port: "9091" }\n'), {}), /server\.port must be integer \(got "9091"\)/);
  });

  test('storage: ${VAR} opens the store it names (PostgreSQL)', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: skipped' }, async () => {
    const path = configFile(`dataDir: ./data\nstorage: \${A17_STORE}\n${model.replace('reference: { file: "${A17_REFS}/ref.csv" }', '')}`);
    const store = schemas.url('store');
    const s = await spawnServe(['--config', path], 120_000, { ...process.env, A17_STORE: store });
    try {
      assert.equal((await call(s.url, 'GET', '/v1/models/churn')).status, 200);
    } finally {
      await s.stop();
    }
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const schema = new URL(store).searchParams.get('schema');
      const r = await client.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema]);
      assert.ok((r.rows[0] as { n: number }).n > 0, `the server's tables are in ${schema}`);
    } finally {
      await client.end();
    }
  });
});
