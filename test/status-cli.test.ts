import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { FROM, HOUR, NOW, SameData, type Columns } from './helpers/drift.js';
import { mulberry32 } from './helpers/quality-scenario.js';
import { call, testServer } from './helpers/server.js';
import { pool } from '../src/io/pool.js';

/** What `lookout status --json` prints. */
interface StatusJson {
  from: number;
  to: number;
  rows: Array<Record<string, unknown> & { model: string; version: string }>;
  alerts: AlertRecord[];
  failOn: string[];
  findings: Array<{ model: string; version: string; check: string; detail: string }>;
}

const status = (base: string, ...args: string[]) => lookoutAsync(['status', '--url', base, ...args]);

/** A port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('lookout status: one look at every model version of a running server', { timeout: 60_000 }, () => {
  let s: Server;
  let base = '';
  let alertId = '';
  let mutedId = '';
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0, groupWait: '0s' }; } });
    base = s.url;
    const rnd = mulberry32(7);
    const ref: Columns = { a: Array.from({ length: 400 }, () => rnd() * 10), b: Array.from({ length: 400 }, () => rnd() * 10) };
    const same = new SameData(s, tempDir('lookout-status-'));
    // steady: the current hour is its reference again; drifty: both features moved by 5
    await same.both('steady', { a: { type: 'number' }, b: { type: 'number' } }, ref, ref);
    await same.both('drifty', { a: { type: 'number' }, b: { type: 'number' } }, ref, { a: (ref['a'] ?? []).map((x) => Number(x) + 5), b: (ref['b'] ?? []).map((x) => Number(x) + 5) });
    // 100 failed inferences of drifty: an error rate of 100/500
    const failed = Array.from({ length: 100 }, (_, i) => ({ id: `fail-${i}`, model: 'drifty', version: '1', timestamp: new Date(FROM + i * 1000).toISOString(), features: { a: 1, b: 1 }, error: 'upstream timeout' }));
    assert.equal((await call(base, 'POST', '/v1/events', { events: failed })).body['accepted'], 100);
    // a model version without a reference nor events
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'fresh', outputKind: 'regression', inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/fresh/versions', { version: '0.1.0' })).status, 201);
    const a = await call(base, 'POST', '/v1/alerts', { source: 'pipeline', model: 'drifty', severity: 'page', summary: 'feature store lagging' });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    alertId = (a.body['alert'] as AlertRecord).id;
    // an alert of steady under a silence: open, but muted (the pipeline's flush, run here, flags it silenced)
    assert.equal((await call(base, 'POST', '/v1/silences', { matchers: [{ name: 'model', value: 'steady' }], endsAt: NOW + HOUR, createdBy: 'test', comment: 'known' })).status, 201);
    const m = await call(base, 'POST', '/v1/alerts', { source: 'pipeline', model: 'steady', severity: 'critical', summary: 'known issue' });
    mutedId = (m.body['alert'] as AlertRecord).id;
    assert.equal((await call(base, 'POST', '/v1/monitors/run', {})).status, 200);
    const muted = (await call(base, 'GET', `/v1/alerts/${mutedId}`)).body['alert'] as AlertRecord;
    assert.deepEqual([muted.state, muted.silenced], ['open', true]);
  });
  after(() => s?.close());

  test('the table names every version, marks the drifted one, says "no reference" and counts the open alerts (a silenced one as muted)', async () => {
    const r = await status(base);
    assert.equal(r.code, 0, r.stderr);
    const line = (model: string): string => r.stdout.split('\n').find((l) => l.startsWith(`${model} `)) ?? '';
    assert.match(r.stdout, /^range 2026-11-19T12:00Z to 2026-11-20T12:00Z\n/);
    assert.match(r.stdout, /model\s+version\s+events\s+error rate\s+p95 ms\s+drift\s+alerts/);
    assert.match(line('drifty'), /^drifty\s+1\s+500\s+20\.00%\s+-\s+2\/2 \(100%\) drift!\s+1 page$/);
    assert.match(line('steady'), /^steady\s+1\s+400\s+0\.00%\s+-\s+0\/2 \(0%\)\s+0 \(\+1 muted\)$/);
    assert.match(line('fresh'), /^fresh\s+0\.1\.0\s+0\s+-\s+-\s+no reference\s+0$/);
    const q = await status(base, '--quality', '--model', 'steady');
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stdout, /drift\s+quality\s+alerts/);
    assert.match(q.stdout, /^steady .* no labels\s+0 \(\+1 muted\)$/m);
  });

  test('--json: the rows /v1/overview answers, the open alerts; --model keeps one model', async () => {
    const r = await status(base, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as StatusJson;
    const o = await call(base, 'GET', '/v1/overview');
    assert.deepEqual(j.rows, o.body['rows']);
    assert.deepEqual([j.from, j.to], [o.body['from'], o.body['to']]);
    assert.deepEqual(j.rows.map((x) => x.model).sort(), ['drifty', 'fresh', 'steady']);
    assert.deepEqual(j.alerts.map((x) => x.id).sort(), [alertId, mutedId].sort());
    assert.deepEqual(j.findings, []);
    const one = JSON.parse((await status(base, '--json', '--model', 'steady')).stdout) as StatusJson;
    assert.deepEqual(one.rows, (o.body['rows'] as StatusJson['rows']).filter((x) => x.model === 'steady'));
    assert.deepEqual(one.alerts.map((x) => x.id), [mutedId]);
    const table = await status(base, '--model', 'steady');
    assert.doesNotMatch(table.stdout, /drifty|fresh/);
    // a range of its own: --last counts back from the server's clock, --from/--to as the API reads them
    const [lastRun, fromToRun, quiet] = await Promise.all([status(base, '--json', '--last', '30m'),
      status(base, '--json', '--from', '2026-11-20T10:00Z', '--to', '2026-11-20T11:00Z'), status(base, '--from', '2026-11-20T10:00Z', '--to', '2026-11-20T11:00Z')]);
    const last = JSON.parse(lastRun.stdout) as StatusJson;
    assert.deepEqual([last.from, last.to], [NOW - HOUR / 2, NOW]);
    const fromTo = JSON.parse(fromToRun.stdout) as StatusJson;
    assert.deepEqual([fromTo.from, fromTo.to], [NOW - 2 * HOUR, NOW - HOUR]);
    assert.ok(fromTo.rows.every((x) => (x['health'] as { events: number }).events === 0), 'no event in the hour before the data');
    assert.match(quiet.stdout, /^steady\s+1\s+0\s+-\s+-\s+no events\s+0 \(\+1 muted\)$/m);
  });

  test('--fail-on drift, alerts, errors: exit 1 only when a version is unwell that way', async () => {
    // read-only runs, a few at a time (each CLI start costs most of a second)
    const cases: Array<[string[], number]> = [
      [['--fail-on', 'drift'], 1], [['--fail-on', 'drift', '--model', 'steady'], 0], [['--fail-on', 'drift', '--model', 'fresh'], 0],
      [['--fail-on', 'alerts'], 1], [['--fail-on', 'alerts', '--model', 'steady'], 0],
      [['--fail-on', 'errors'], 1], [['--fail-on', 'errors', '--max-error-rate', '0.25'], 0], [['--fail-on', 'drift,alerts,errors', '--model', 'steady'], 0],
      [['--json', '--fail-on', 'drift,alerts,errors'], 1],
    ];
    const runs = await pool(cases, 3, ([args]) => status(base, ...args));
    cases.forEach(([args, code], i) => assert.equal(runs[i]?.code, code, `${args.join(' ')}: ${runs[i]?.stdout}${runs[i]?.stderr}`));
    assert.match(runs[0]?.stdout ?? '', /unwell \(--fail-on drift\):\n {2}drifty 1: dataset drift: 2\/2 features drifted\n$/);
    assert.match(runs[7]?.stdout ?? '', /well \(--fail-on drift,alerts,errors\)\n$/);
    const j = JSON.parse(runs[8]?.stdout ?? '') as StatusJson;
    assert.deepEqual(j.findings.map((f) => [f.model, f.version, f.check]), [['drifty', '1', 'drift'], ['drifty', '1', 'alerts'], ['drifty', '1', 'errors']]);
    // an acknowledged alert still counts; a resolved one does not, nor a silenced one (steady's)
    assert.equal((await call(base, 'POST', `/v1/alerts/${alertId}/ack`, {})).status, 200);
    assert.equal((await status(base, '--fail-on', 'alerts')).code, 1);
    assert.equal((await call(base, 'POST', `/v1/alerts/${alertId}/resolve`, {})).status, 200);
    assert.equal((await status(base, '--fail-on', 'alerts')).code, 0);
  });

  test('usage errors exit 2; an unreachable server or a 404 gives the other server commands\' message and code', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const [bad, badJson, both, rate, down, other, ghost] = await pool([['--fail-on', 'drift,latency'], ['--json', '--fail-on', 'nope'], ['--last', '1h', '--from', '2026-11-20'],
      ['--max-error-rate', '5'], ['status', '--url', url], ['alerts', 'list', '--url', url], ['--model', 'ghost']], 3, (args) => (args[0]?.startsWith('-') ? status(base, ...args) : lookoutAsync(args)));
    assert.ok(bad && badJson && both && rate && down && other && ghost);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown item "latency"; --fail-on takes drift, alerts, errors, labels/);
    assert.equal(badJson.code, 2);
    assert.equal((JSON.parse(badJson.stdout) as { error: { code: string } }).error.code, 'usage');
    assert.match(both.stderr, /'--last <duration>' cannot be used with option '--from <time>'/);
    assert.equal(both.code, 2);
    assert.equal(rate.code, 2);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /^lookout: error: cannot reach http:\/\/127\.0\.0\.1:\d+: /);
    assert.equal(down.stderr, other.stderr);
    assert.equal(ghost.code, 2);
    assert.match(ghost.stderr, /HTTP 404 unknown_model/);
  });
});

describe('lookout status: label drift (--quality, --fail-on labels)', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW });
    const post = async (path: string, body: unknown): Promise<void> => {
      const r = await call(s.url, 'POST', path, body);
      assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    };
    // two models of one reference (30% "yes" labels); shifted's labels are 70% "yes", same's 30%
    for (const name of ['same', 'shifted']) {
      await post('/v1/models', { name, outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      await post(`/v1/models/${name}/versions`, { version: '1' });
      const csv = `x,prediction,label\n${Array.from({ length: 100 }, (_, i) => `${i % 5},no,${i % 10 < 3 ? 'yes' : 'no'}`).join('\n')}\n`;
      const up = await fetch(`${s.url}/v1/models/${name}/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
      assert.equal(up.status, 200, await up.text());
      const events = Array.from({ length: 100 }, (_, i) => ({ id: `${name}-${i}`, model: name, version: '1', timestamp: NOW - HOUR + i * 1000, features: { x: i % 5 }, prediction: 'no' }));
      await post('/v1/events', { events });
      const yes = name === 'shifted' ? 7 : 3;
      await post('/v1/labels', { labels: events.map((e, i) => ({ id: e.id, label: i % 10 < yes ? 'yes' : 'no' })) });
    }
  });
  after(() => s?.close());

  test('the quality column says "labels drift!" of the drifted labels only; --fail-on labels exits 1 for them (the labelled events read without --quality)', async () => {
    const [q, all, same, json] = await pool([['--quality'], ['--fail-on', 'labels'], ['--fail-on', 'labels', '--model', 'same'], ['--json', '--fail-on', 'labels']], 2, (args) => status(s.url, ...args));
    assert.equal(q?.code, 0, q?.stderr);
    assert.match(q?.stdout ?? '', /^shifted\s.*accuracy 0\.3000, labels drift!\s+0$/m);
    assert.match(q?.stdout ?? '', /^same\s.*accuracy 0\.7000\s+0$/m);
    assert.equal(all?.code, 1, all?.stdout);
    assert.match(all?.stdout ?? '', /unwell \(--fail-on labels\):\n {2}shifted 1: label drift: chisquare /);
    assert.equal(same?.code, 0, same?.stdout);
    const j = JSON.parse(json?.stdout ?? '') as StatusJson;
    assert.deepEqual(j.findings.map((f) => [f.model, f.check]), [['shifted', 'labels']]);
  });
});
