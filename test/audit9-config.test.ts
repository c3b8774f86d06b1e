import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/** A lookout.yaml in a fresh dir (its data dir beside it) holding `body`; returns its path and the data dir. */
function configFile(body: string): { path: string; dataDir: string } {
  const dir = tempDir('lookout-audit9-config-');
  const dataDir = join(dir, 'data');
  const path = join(dir, 'lookout.yaml');
  writeFileSync(path, `dataDir: ${dataDir}\nserver: { port: 0 }\n${body}\n`);
  return { path, dataDir };
}

const churn = `
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]`;

/** What a server started on `dataDir` without a config holds: model names, monitor and SLO ids. */
async function stored(dataDir: string): Promise<{ models: string[]; monitors: string[]; slos: string[] }> {
  const s = await testServer({ configure: (c) => { c.dataDir = dataDir; c.server.warmUpDays = 0; } });
  try {
    const names = async (path: string, key: string, field: string): Promise<string[]> =>
      ((await call(s.url, 'GET', path)).body[key] as Array<Record<string, string>>).map((x) => x[field] as string).sort();
    return { models: await names('/v1/models', 'models', 'name'), monitors: await names('/v1/monitors', 'monitors', 'id'), slos: await names('/v1/slos', 'slos', 'id') };
  } finally {
    await s.close();
  }
}

describe('issue 3: lookout.yaml', { timeout: 180_000 }, () => {
  test('issue 3: a monitor or SLO of lookout.yaml without an id is refused (each start added another copy under a new id)', async () => {
    for (const [section, item, message] of [
      ['monitors', '{ model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }] }', /monitors\[1\] needs an "id"/],
      ['slos', '{ model: churn, kind: availability, objective: 0.99 }', /slos\[1\] needs an "id"/],
    ] as const) {
      const withId = section === 'monitors' ? '{ id: err, model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }] }' : '{ id: av, model: churn, kind: availability, objective: 0.99 }';
      const { path } = configFile(`models:${churn}\n${section}:\n  - ${withId}\n  - ${item}`);
      const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
      assert.match(r.stderr, /lookout\.yaml/);
    }
  });
  test('issue 3: a refused lookout.yaml leaves the store as it was (models and monitors before the error were declared)', async () => {
    const monitor = (id: string, extra = ''): string => `  - { id: ${id}, model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }]${extra} }`;
    for (const [body, message] of [
      // a typo in the second monitor: the model and the first monitor were stored, then the start refused
      [`models:${churn}\nmonitors:\n${monitor('err')}\n${monitor('err2', ', windw: 1h')}`, /monitors\[1\] \(id "err2"\): "windw" is unknown/],
      // the second model's reference file is missing: the first model was stored
      [`models:${churn}\n  - { name: eta, outputKind: regression, inputSchema: { type: object }, versions: [{ version: "1", reference: { file: missing.csv } }] }`, /missing\.csv/],
      // the second model's schema has a typo: the first model was stored
      [`models:${churn}\n  - { name: eta, outputKind: regression, inputSchema: { type: object, propertes: {} } }`, /propertes/],
    ] as const) {
      const { path, dataDir } = configFile(body);
      const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.deepEqual(await stored(dataDir), { models: [], monitors: [], slos: [] }, body);
    }
  });
  test('issue 3: lookout.yaml refuses what POST /v1/models refuses (a version "2/rc" made its reference upload a 500; a segment key "" or "a=b" no segment= query could name)', async () => {
    const model = (extra: string, version = '"1"'): string => `models:\n  - { name: m1, outputKind: binary, inputSchema: { type: object, properties: { x: { type: number } } }${extra}, versions: [{ version: ${version} }] }`;
    for (const [body, message] of [
      [model('', '"2/rc"'), /models\[0\]\.versions\[0\]\.version must be 1 to 128 letters, digits, "\.", "_" or "-", starting with a letter or digit \(got "2\/rc"\)/],
      [model(', segmentKeys: [""]'), /models\[0\]\.segmentKeys\[0\] must NOT have fewer than 1 characters/],
      [model(', segmentKeys: ["a=b"]'), /models\[0\]\.segmentKeys\[0\] must not contain "=", ","/],
      [model(', segmentKeys: [k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10]'), /models\[0\]\.segmentKeys must NOT have more than 10 items/],
      [model(', name: "churn v2"').replace('name: m1, ', ''), /models\[0\]\.name must be 1 to 128 letters/],
    ] as const) {
      const { path } = configFile(body);
      const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
      assert.equal(r.code, 2, `${body}\n${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; } });
    try {
      for (const key of ['a=b', 'a,b']) {
        const r = await call(s.url, 'POST', '/v1/models', { name: 'm1', outputKind: 'binary', inputSchema: { type: 'object' }, segmentKeys: [key] });
        assert.equal(r.status, 400, key);
      }
    } finally {
      await s.close();
    }
  });
  test('issue 3: a segment value holding a comma ("Paris, FR") can be queried (segment= split it into a part without "=": 400), as the dashboard asks for it', async () => {
    const s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; } });
    try {
      const r = await call(s.url, 'POST', '/v1/models', { name: 'geo', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, segmentKeys: ['city', 'tier'] });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await call(s.url, 'POST', '/v1/models/geo/versions', { version: '1' });
      const event = (city: string, n: number): Array<Record<string, unknown>> => Array.from({ length: n }, () => ({ model: 'geo', version: '1', features: { x: 1 }, prediction: '1', segment: { city, tier: 'gold' } }));
      const ingest = await call(s.url, 'POST', '/v1/events', { events: [...event('Paris, FR', 3), ...event('Paris', 2), ...event('a,b,c', 1)] });
      assert.equal(ingest.body['accepted'], 6, JSON.stringify(ingest.body));
      const events = async (segment: string): Promise<unknown> => {
        const h = await call(s.url, 'GET', `/v1/models/geo/health?segment=${encodeURIComponent(segment)}`);
        assert.equal(h.status, 200, `${segment}: ${JSON.stringify(h.body)}`);
        return h.body['events'];
      };
      assert.equal(await events('city=Paris, FR'), 3);
      assert.equal(await events('city=Paris, FR,tier=gold'), 3);
      assert.equal(await events('tier=gold,city=Paris, FR'), 3);
      assert.equal(await events('city=Paris'), 2);
      assert.equal(await events('city=a,b,c'), 1);
      const segs = (await call(s.url, 'GET', '/v1/models/geo/segments')).body['segments'] as string[];
      assert.ok(segs.includes('city=Paris%2C%20FR&tier=gold'), JSON.stringify(segs));
    } finally {
      await s.close();
    }
  });
  test('issue 3: a ${VAR} in storage, dataDir or a reference file (storage: ${PG_URL} served an empty DuckDB file named "${PG_URL}" in the working directory; refused until audit 17, expanded since)', async () => {
    for (const [body, message] of [
      ['storage: ${PG_URL_UNSET_A9}', /invalid config .*: storage: the environment variable PG_URL_UNSET_A9 is not set/],
      [`models:\n  - { name: m1, outputKind: regression, inputSchema: { type: object }, versions: [{ version: "1", reference: { file: "\${REF_UNSET_A9}/ref.csv" } }] }`, /models\[0\]\.versions\[0\]\.reference\.file: the environment variable REF_UNSET_A9 is not set/],
    ] as const) {
      const { path } = configFile(body);
      const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 15_000);
      assert.equal(r.code, 2, `${body}\n${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});

test('issue 3: a relative DuckDB storage path in lookout.yaml is relative to the file, as dataDir and reference files (it was relative to the working directory)', () => {
  for (const [storage, expected] of [['store/x.duckdb', 'store/x.duckdb'], ['duckdb:store/y.duckdb', 'store/y.duckdb'], ['duckdb://z.duckdb', 'z.duckdb']] as const) {
    const { path } = configFile(`storage: "${storage}"`);
    assert.equal(loadConfig(path).storage, `duckdb:${join(dirname(path), expected)}`, storage);
  }
  for (const kept of ['postgres://u@db/lookout', 'duckdb:/abs/x.duckdb', ':memory:']) {
    const { path } = configFile(`storage: "${kept}"`);
    assert.equal(loadConfig(path).storage, kept);
  }
});

describe('issue 3: lookout.yaml versions and metadata set through the API', { timeout: 120_000 }, () => {
  test('issue 3: a version the file declares without metadata keeps the metadata the API gave it across a restart (every start cleared it)', async () => {
    const dataDir = tempDir('lookout-audit9-config-meta-');
    const models = [{ name: 'churn', outputKind: 'binary' as const, classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, versions: [{ version: '1' }, { version: '2', metadata: { from: 'file' } }] }];
    const start = (): ReturnType<typeof testServer> => testServer({ configure: (c) => { c.dataDir = dataDir; c.server.warmUpDays = 0; c.models = models; } });
    let s = await start();
    try {
      for (const version of ['1', '2']) {
        const r = await call(s.url, 'POST', '/v1/models/churn/versions', { version, metadata: { gitCommit: 'abc123', by: 'api' } });
        assert.ok(r.status < 300, JSON.stringify(r.body));
      }
    } finally {
      await s.close();
    }
    s = await start();
    try {
      const versions = (await call(s.url, 'GET', '/v1/models/churn')).body['versions'] as Array<{ version: string; metadata: Record<string, unknown> }>;
      const meta = Object.fromEntries(versions.map((v) => [v.version, v.metadata]));
      assert.deepEqual(meta['1'], { gitCommit: 'abc123', by: 'api' }, 'declared without metadata: the API\'s kept');
      assert.deepEqual(meta['2'], { from: 'file' }, 'declared with metadata: the file\'s, as declared again at each start');
    } finally {
      await s.close();
    }
  });
});
