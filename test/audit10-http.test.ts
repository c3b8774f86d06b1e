import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashKey } from '../src/http/auth.js';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call, testServer } from './helpers/server.js';

interface Answer {
  status: number;
  allow: string | null;
  contentType: string | null;
  body: Record<string, unknown> | null;
}

async function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(base + path, { method, headers, redirect: 'manual' });
  const text = await res.text();
  let body: Record<string, unknown> | null;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status: res.status, allow: res.headers.get('allow'), contentType: res.headers.get('content-type'), body };
}

const errorOf = (a: Answer): { code: string; message: string; details: Record<string, unknown> } =>
  (a.body as { error: { code: string; message: string; details: Record<string, unknown> } }).error;

describe('issue 1: a wrong method on an existing path answers 405 method_not_allowed with Allow', { timeout: 60_000 }, () => {
  let open: Server;
  let keyed: Server;
  before(async () => {
    open = await testServer();
    keyed = await testServer({ configure: (c) => { c.auth.keys = [{ name: 'admin', sha256: hashKey('lk_audit10_admin_0123456789'), scopes: ['admin'] }]; } });
  });
  after(async () => {
    await open?.close();
    await keyed?.close();
  });

  test('GET /v1/events, DELETE /v1/models/m/drift, PUT /v1/models: 405 naming the methods the path takes', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['GET', '/v1/events', ['POST']],
      ['GET', '/v1/events?limit=3', ['POST']],
      ['DELETE', '/v1/models/m/drift', ['GET', 'HEAD']],
      ['PUT', '/v1/models', ['GET', 'HEAD', 'POST']],
      ['HEAD', '/v1/labels', ['POST']],
      ['POST', '/ui/models/x', ['GET', 'HEAD']],
    ];
    for (const [method, path, allow] of cases) {
      const a = await send(open.url, method, path);
      assert.equal(a.status, 405, `${method} ${path}: ${a.status} ${JSON.stringify(a.body)}`);
      assert.equal(a.allow, allow.join(', '), `${method} ${path}: Allow`);
      if (method === 'HEAD') continue;
      const e = errorOf(a);
      assert.equal(e.code, 'method_not_allowed');
      assert.deepEqual(e.details, { allow });
      for (const m of allow) assert.match(e.message, new RegExp(`\\b${m}\\b`), `${method} ${path}: ${e.message}`);
      assert.match(e.message, new RegExp(path.split('?')[0]!.replace(/\//g, '\\/')));
    }
  });

  test('unknown paths stay 404; HEAD of GET routes, the dashboard, / and OPTIONS answer as before', async () => {
    for (const [method, path] of [['GET', '/v1/nope'], ['POST', '/v1/models/m/nope'], ['DELETE', '/nope']] as const) {
      const a = await send(open.url, method, path);
      assert.equal(a.status, 404, `${method} ${path}`);
      assert.equal(errorOf(a).code, 'not_found');
      assert.equal(a.allow, null);
    }
    assert.equal((await send(open.url, 'HEAD', '/v1/models')).status, 200);
    const ui = await send(open.url, 'GET', '/ui/');
    assert.equal(ui.status, 200);
    assert.match(ui.contentType ?? '', /text\/html/);
    assert.equal((await send(open.url, 'HEAD', '/ui/models/x')).status, 200);
    assert.equal((await send(open.url, 'GET', '/')).status, 302);
    // OPTIONS is answered as before (Lookout has no CORS handling): 404 for every path.
    for (const path of ['/v1/events', '/v1/nope']) assert.equal((await send(open.url, 'OPTIONS', path)).status, 404, `OPTIONS ${path}`);
  });

  test('with API keys: 405 without a key (the right method answers 401 there, so the path is no secret); unknown paths 404', async () => {
    const wrong = await send(keyed.url, 'GET', '/v1/events');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.allow, 'POST');
    assert.equal((await send(keyed.url, 'POST', '/v1/events')).status, 401);
    assert.equal((await send(keyed.url, 'GET', '/v1/nope')).status, 404);
    assert.equal((await send(keyed.url, 'HEAD', '/v1/models')).status, 401);
  });
});

/** A lookout.yaml in a fresh dir (its data dir beside it) holding `body`. */
function configFile(body: string): string {
  const dir = tempDir('lookout-audit10-config-');
  const path = join(dir, 'lookout.yaml');
  writeFileSync(path, `dataDir: ${join(dir, 'data')}\nserver: { port: 0 }\n${body}\n`);
  return path;
}

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('issue 2: an error in lookout.yaml names the file and the entry (monitors[1] (id "x"))', { timeout: 120_000 }, () => {
  const churn = `
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]`;
  const err = '  - { id: err, model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }] }';
  const monitor = (fields: string): string => `models:${churn}\nmonitors:\n${err}\n  - { id: x, model: churn, ${fields} }`;
  test('monitors, SLOs, models, references and the alerting section: "invalid config FILE: WHERE: what"', async () => {
    const cases: Array<[string, string]> = [
      [monitor('metric: bogus, levels: [{ severity: page, threshold: 0.1 }]'), 'monitors[1] (id "x"): unknown metric "bogus"'],
      [monitor('metric: errorRate, levels: [{ severity: page }]'), 'monitors[1] (id "x"): levels[0].threshold must be a number'],
      // found once the file's models are declared (the feature is checked against the model)
      [monitor('metric: "drift:nope", levels: [{ severity: page, threshold: 0.1 }]'), 'monitors[1] (id "x"): unknown feature "nope"'],
      [`models:${churn}\nslos:\n  - { id: av, model: churn, kind: availability, objective: 2 }`, 'slos[0] (id "av"): "objective" must be a number'],
      [`models:${churn}\nmonitors:\n${err}\nslos:\n  - { id: err, model: churn, kind: availability, objective: 0.99 }`, 'slos[0] (id "err"): the id is already used by monitors[0]'],
      [`models:${churn}\n  - { name: eta, outputKind: regression, inputSchema: { type: object, propertes: {} } }`, 'models[1] (name "eta"): inputSchema is not a valid input schema: propertes'],
      [`models:${churn}\n  - { name: eta, outputKind: regression, inputSchema: { type: object }, versions: [{ version: "1", reference: { file: missing.csv } }] }`,
        'models[1].versions[0].reference (model "eta", version "1"): file not found'],
      [`models:${churn}\nalerting: { notifiers: [{ id: pager, kind: pagerduty }] }`, 'alerting: notifier "pager": unknown kind "pagerduty"'],
      [`models:${churn}\nalerting: { groupWait: soon }`, 'alerting.groupWait must be a duration'],
    ];
    for (const [body, where] of cases) {
      const path = configFile(body);
      const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^lookout: error: invalid config ${escaped(path)}: ${escaped(where)}`, 'm'), body);
    }
  });
});

describe('issue 3: a reference declared in lookout.yaml takes the upload\'s options, scores (per-class score columns) included', { timeout: 120_000 }, () => {
  // sklearn 1.2.1 on these 12 rows (audit5-quality): roc_auc_score(ovr) 0.9270833333333334, log_loss 0.661803422015205
  const rows = [
    [0.7, 0.2, 'a'], [0.6, 0.3, 'b'], [0.1, 0.8, 'b'], [0.2, 0.2, 'c'], [0.5, 0.25, 'a'], [0.3, 0.3, 'c'],
    [0.1, 0.6, 'b'], [0.4, 0.1, 'c'], [0.8, 0.1, 'a'], [0.3, 0.5, 'a'], [0.25, 0.35, 'b'], [0.15, 0.15, 'c'],
  ] as const;
  const csv = `x,pred,probA,probB,probC,truth\n${rows.map(([a, b, y], i) => {
    const c = 1 - a - b;
    return `${i},${a >= b && a >= c ? 'a' : b >= c ? 'b' : 'c'},${a},${b},${c},${y}`;
  }).join('\n')}\n`;
  const model = (reference: string): string => `models:
  - name: mc
    outputKind: multiclass
    classes: [a, b, c]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1", reference: { file: ref.csv, ${reference} } }]`;
  const withFile = (body: string): string => {
    const path = configFile(body);
    writeFileSync(join(path, '..', 'ref.csv'), csv);
    return path;
  };

  test('scores as a list or as the upload\'s comma-separated text: the reference has the rocAuc and logLoss of those columns', async () => {
    for (const scores of ['[probA, probB, probC]', '"probA,probB,probC"']) {
      const srv = await spawnServe(['--config', withFile(model(`label: truth, prediction: pred, scores: ${scores}`))]);
      try {
        const m = await call(srv.url, 'GET', '/v1/models/mc');
        const metrics = (m.body['versions'] as Array<{ reference: { metrics: { n: number; metrics: Record<string, { value: number | null }> } } }>)[0]?.reference.metrics;
        assert.equal(metrics?.n, 12, scores);
        assert.ok(Math.abs((metrics?.metrics['rocAuc']?.value ?? NaN) - 0.9270833333333334) < 1e-12, JSON.stringify(metrics?.metrics['rocAuc']));
        assert.ok(Math.abs((metrics?.metrics['logLoss']?.value ?? NaN) - 0.661803422015205) < 1e-12, JSON.stringify(metrics?.metrics['logLoss']));
      } finally {
        await srv.stop();
      }
    }
  });

  test('scores are checked as the upload checks them: the count of the model\'s classes, columns the file has, no empty list (exit 2)', async () => {
    for (const [scores, message] of [
      ['[probA, probB]', /models\[0\]\.versions\[0\]\.reference \(model "mc", version "1"\): scores must name 3 columns/],
      ['[probA, probB, nope]', /models\[0\]\.versions\[0\]\.reference \(model "mc", version "1"\): .*nope/],
      ['[]', /models\[0\]\.versions\[0\]\.reference\.scores/],
      ['7', /models\[0\]\.versions\[0\]\.reference\.scores/],
    ] as const) {
      const r = await lookoutAsync(['serve', '--config', withFile(model(`scores: ${scores}`)), '--port', '0'], 20_000);
      assert.equal(r.code, 2, `${scores}: ${r.stderr}`);
      assert.match(r.stderr, message, scores);
    }
  });

  test('an option changed in the file (the reference file the same) is applied at the next start (the stored reference was kept)', async () => {
    const path = withFile(model('label: truth, prediction: pred'));
    const reference = async (): Promise<{ rocAuc: number | null; createdAt: number }> => {
      const srv = await spawnServe(['--config', path]);
      try {
        const m = await call(srv.url, 'GET', '/v1/models/mc');
        const ref = (m.body['versions'] as Array<{ reference: { createdAt: number; metrics: { metrics: Record<string, { value: number | null }> } } }>)[0]?.reference;
        return { rocAuc: ref?.metrics.metrics['rocAuc']?.value ?? null, createdAt: ref?.createdAt ?? NaN };
      } finally {
        await srv.stop();
      }
    };
    assert.equal((await reference()).rocAuc, null, 'no scores: no rocAuc');
    writeFileSync(path, readFileSync(path, 'utf8').replace('prediction: pred', 'prediction: pred, scores: [probA, probB, probC]'));
    const changed = await reference();
    assert.ok(Math.abs((changed.rocAuc ?? NaN) - 0.9270833333333334) < 1e-12, `rocAuc once scores are given: ${changed.rocAuc}`);
    // the same file and options again (a list written as text): the stored reference is kept, not built at each start
    writeFileSync(path, readFileSync(path, 'utf8').replace('scores: [probA, probB, probC]', 'scores: "probA, probB,probC"'));
    assert.equal((await reference()).createdAt, changed.createdAt);
  });
});
