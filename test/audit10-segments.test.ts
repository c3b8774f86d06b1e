import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { call } from './helpers/server.js';

// Regression (audit 10, issue 3): a segment key holding an id (a user's) made window summaries per value: 30,000 events
// of distinct users took 322 s to ingest and 2 GB of memory (20 features), more would end the server. Now each model
// has a limit of distinct segments (ingest.maxSegmentsPerModel, default 1,000), later new ones go under "__other__".
const model = { name: 'm', outputKind: 'regression', segmentKeys: ['user', 'region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

describe('audit10: a model\'s distinct segments are bounded (ingest.maxSegmentsPerModel)', () => {
  test('past the limit, events of new segments are summarised and stored under "__other__", counted in /metrics and said once in the log; segments seen before keep theirs, across a restart', async () => {
    const dir = tempDir('lookout-a10seg-');
    const config = join(dir, 'lookout.yaml');
    writeFileSync(config, `dataDir: ${join(dir, 'data')}\ningest: { maxSegmentsPerModel: 5 }\n`);
    const t = Date.now() - 3_600_000;
    const range = `from=${t - 60_000}&to=${Date.now() + 60_000}`;
    const send = async (srv: RunningServer, users: string[]): Promise<void> => {
      const events = users.map((user, i) => ({ model: 'm', version: '1', timestamp: t + i, features: { x: i }, prediction: i, segment: { user, region: 'eu' } }));
      const r = await call(srv.url, 'POST', '/v1/events', { events });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body['accepted'], users.length);
    };
    const segments = async (srv: RunningServer): Promise<string[]> => {
      const r = await call(srv.url, 'GET', `/v1/models/m/segments?${range}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body['segments'] as string[]).slice().sort();
    };
    const events = async (srv: RunningServer, segment: string): Promise<number> => {
      // the whole traffic: no segment parameter (an empty one is a 400 since audit 25)
      const r = await call(srv.url, 'GET', `/v1/models/m/health?${range}${segment === '' ? '' : `&segment=${encodeURIComponent(segment)}`}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body['events'] as number;
    };

    let srv = await spawnServe(['--config', config]);
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      await send(srv, ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u1', 'u8']);
      assert.deepEqual(await segments(srv), ['region=__other__&user=__other__', ...['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => `region=eu&user=${u}`)]);
      assert.equal(await events(srv, 'region=__other__,user=__other__'), 3);
      assert.equal(await events(srv, 'region=eu,user=u1'), 2);
      assert.equal(await events(srv, ''), 9, 'the whole traffic counts every event');
      const metrics = parsePrometheus((await (await fetch(`${srv.url}/metrics`)).text()));
      const folded = metrics.get('lookout_segments_folded_total')?.samples.find((s) => s.labels['model'] === 'm');
      assert.equal(folded?.value, 3);
      assert.equal(srv.stderr().match(/has reached its limit of 5 distinct segments/g)?.length, 1, srv.stderr());
    } finally {
      await srv.stop();
    }

    srv = await spawnServe(['--config', config]);
    try {
      await send(srv, ['u9', 'u2']);
      assert.equal(await events(srv, 'region=__other__,user=__other__'), 4, 'a new user after the restart is folded too');
      assert.equal(await events(srv, 'region=eu,user=u2'), 2);
      assert.equal((await segments(srv)).length, 6);
    } finally {
      await srv.stop();
    }
  });
});
