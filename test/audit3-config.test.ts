import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAlertingSettings } from '../src/alerting/settings.js';
import { loadConfig } from '../src/config.js';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { churnRegistryServer } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';

/** A lookout.yaml with one model and the given extra YAML (top-level sections). */
const yaml = (dir: string, extra: string): string => `
dataDir: ${dir}/data
server: { port: 0 }
models:
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]
${extra}
`;

/** `lookout serve` on that config: must stop before serving, exit 2, with one line on stderr matching `message`. */
async function refused(extra: string, message: RegExp): Promise<void> {
  const dir = tempDir('lookout-audit3-config-');
  const path = join(dir, 'lookout.yaml');
  writeFileSync(path, yaml(dir, extra));
  const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
  assert.equal(r.code, 2, `${extra}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? '', message);
}

describe('audit 3 (config): a typo or a wrong type in lookout.yaml stops `lookout serve` naming the key (exit 2)', { timeout: 120_000 }, () => {
  test("a notifier's own key misspelt (secrett: the webhook went out unsigned) is refused with the kind's known keys", async () => {
    await refused(
      'alerting:\n  notifiers: [{ id: ops, kind: webhook, url: "http://127.0.0.1:9/hook", secrett: s3cret }]',
      /invalid config \S+: alerting\.notifiers\[0\]\.secrett is unknown \(notifier "ops", kind webhook; known keys: url, secret, id, kind, matchers, minSeverity, sendResolved, retries, backoffMs, timeoutMs, resendInterval; did you mean "secret"\?\)/,
    );
  });
});

describe('audit 3 (config): monitor and SLO definitions (POST /v1/monitors, /v1/slos, lookout.yaml) refuse keys they do not know', { timeout: 120_000 }, () => {
  let s: Server;
  const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };
  const base = { model: 'churn', metric: 'accuracy', kind: 'baseline', window: '1h', levels: [{ severity: 'page', threshold: 0.05 }] };
  test.before(async () => {
    s = await testServer();
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  test.after(() => s.close());

  test('a misspelt monitor key (windw, a level\'s actoin, baseline.period, spc.lamda), a section that is not an object, enabled: "false" and minPeriods > periods are 400 naming the key', async () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, windw: '6h' }, /"windw" is unknown \(known keys: id, model, name, metric, method, class, version, segment, window, delay, for, kind,/],
      [{ ...base, levels: [{ severity: 'critical', threshold: 0.1, actoin: 'rollback' }] }, /"levels\[0\]\.actoin" is unknown \(known keys: severity, threshold, action; did you mean "action"\?\)/],
      [{ ...base, baseline: { period: 8 } }, /"baseline\.period" is unknown \(known keys: periods, seasonality, minPeriods; did you mean "periods"\?\)/],
      [{ ...base, baseline: 'weekly' }, /"baseline" must be an object with keys among periods, seasonality, minPeriods/],
      [{ ...base, kind: 'ewma', spc: { lamda: 0.3 } }, /"spc\.lamda" is unknown \(known keys: history, recent, lambda, k; did you mean "lambda"\?\)/],
      [{ ...base, enabled: 'false' }, /"enabled" must be true or false/],
      [{ ...base, baseline: { periods: 4, minPeriods: 6 } }, /baseline\.minPeriods must be at most baseline\.periods \(4\)/],
    ];
    for (const [body, message] of refused) {
      const r = await call(s.url, 'POST', '/v1/monitors', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      const e = r.body['error'] as { code: string; message: string };
      assert.equal(e.code, 'validation_failed');
      assert.match(e.message, message, JSON.stringify(body));
    }
    assert.equal(((await call(s.url, 'GET', '/v1/monitors')).body['monitors'] as unknown[]).length, 0);
    // What a GET answers can be posted back as it is (its "last" is the monitor's state, not a setting).
    const made = await call(s.url, 'POST', '/v1/monitors', { ...base, id: 'acc', baseline: { periods: 4, minPeriods: 2 }, spc: { lambda: 0.3 }, enabled: false });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const got = (await call(s.url, 'GET', '/v1/monitors/acc')).body['monitor'] as Record<string, unknown>;
    const again = await call(s.url, 'POST', '/v1/monitors', got);
    assert.equal(again.status, 200, JSON.stringify(again.body)); // a replacement (its "problem" is state too)
  });

  test('a silence matcher with isregex (the silence compared the regex as text and muted nothing) or isRegex: "true" is 400 naming the key', async () => {
    const body = { endsAt: Date.now() + 3_600_000, createdBy: 'ann', comment: 'rebuilding features' };
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'alertname', value: '.*drift.*', isregex: true }, /matchers\[0\]: matcher "alertname": "isregex" is unknown \(known keys: name, value, isRegex, isNegative; did you mean "isRegex"\?\)/],
      [{ name: 'alertname', value: '.*drift.*', isRegex: 'true' }, /matchers\[0\]: matcher "alertname": isRegex must be true or false \(got "true"\)/],
    ];
    for (const [m, message] of refused) {
      const r = await call(s.url, 'POST', '/v1/silences', { ...body, matchers: [m] });
      assert.equal(r.status, 400, `${JSON.stringify(m)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body['error'] as { message: string }).message, message);
    }
  });

  test('a model property\'s x-lookout-kind misspelt (categoricl: integer codes were monitored as numbers) is 400 naming the property', async () => {
    const r = await call(s.url, 'POST', '/v1/models', { name: 'plans', outputKind: 'binary', inputSchema: { type: 'object', properties: { plan: { type: 'integer', 'x-lookout-kind': 'categoricl' } } } });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match((r.body['error'] as { message: string }).message, /inputSchema is not a valid input schema: properties\.plan\["x-lookout-kind"\] must be "categorical" or "numerical" \(got "categoricl"\)/);
    assert.equal((await call(s.url, 'GET', '/v1/models/plans')).status, 404);
  });

  test('a model declared with classes its output kind cannot have (a binary model of 3 classes or 1, a class twice, a regression with classes) or a segment key twice is 400 naming the key', async () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ outputKind: 'binary', classes: ['0', '1', '2'] }, /"classes" of a binary model must be 2 distinct classes \(got 3\)/],
      [{ outputKind: 'binary', classes: ['1'] }, /"classes" of a binary model must be 2 distinct classes \(got 1\)/],
      [{ outputKind: 'multiclass', classes: ['cat', 'dog', 'cat'] }, /"classes" holds "cat" twice/],
      [{ outputKind: 'regression', classes: ['low', 'high'] }, /a regression model has no "classes"/],
      [{ outputKind: 'binary', segmentKeys: ['region', 'region'] }, /"segmentKeys" holds "region" twice/],
    ];
    for (const [body, message] of refused) {
      const r = await call(s.url, 'POST', '/v1/models', { name: 'shapes', inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, ...body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body['error'] as { message: string }).message, message, JSON.stringify(body));
    }
    assert.equal((await call(s.url, 'GET', '/v1/models/shapes')).status, 404);
  });

  test('a misspelt SLO key (windowdays: the SLO silently kept 30 days) is 400 naming the key', async () => {
    const r = await call(s.url, 'POST', '/v1/slos', { model: 'churn', kind: 'availability', objective: 0.99, windowdays: 7 });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match((r.body['error'] as { message: string }).message, /"windowdays" is unknown \(known keys: id, model, name, kind, objective, windowDays, latencyMs, version, minEvents, labels, runbookUrl; did you mean "windowDays"\?\)/);
  });

  test('in lookout.yaml, a misspelt monitor key stops lookout serve naming the monitor and the key', async () => {
    await refused(
      'monitors:\n  - { id: acc, model: churn, metric: accuracy, windw: 6h, levels: [{ severity: page, threshold: 0.05 }] }',
      /invalid config \S+: monitors\[0\] \(id "acc"\): "windw" is unknown \(known keys: id, model,/,
    );
  });
});

describe('audit 3 (config): a serving configuration (PUT /v1/models/:name/serving) refuses keys its policy and fallback do not take', { timeout: 60_000 }, () => {
  let s: Server;
  test.before(async () => { s = await churnRegistryServer(); });
  test.after(() => s.close());

  test('policy.stickykey (the canary silently stopped being sticky), a shadow\'s precent (every request mirrored), a fallback static\'s scor are 400 naming the key', async () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [{ policy: { kind: 'canary', candidate: '1.1.0', percent: 10, stickykey: 'user' } }, /policy\.stickykey is unknown \(policy "canary"; known keys: kind, candidate, percent, stickyKey; did you mean "stickyKey"\?\)/],
      [{ policy: { kind: 'shadow', candidate: '1.1.0', precent: 5 } }, /policy\.precent is unknown \(policy "shadow"; known keys: kind, candidate, percent; did you mean "percent"\?\)/],
      [{ policy: { kind: 'single', candidate: '1.1.0' } }, /policy\.candidate is unknown \(policy "single"; known keys: kind\)/],
      [{ policy: 'canary' }, /policy must be an object \{kind, \.\.\.\}/],
      [{ fallback: [{ static: { prediction: 'no', scor: 0.5 } }] }, /fallback\[0\]\.static\.scor is unknown \(known keys: prediction, score, scores; did you mean "score"\?\)/],
      [{ fallback: [{ version: '1.0.0', reason: 'older' }] }, /fallback\[0\]\.reason is unknown \(known keys: version, static\)/],
    ];
    for (const [body, message] of refused) {
      const r = await call(s.url, 'PUT', '/v1/models/churn/serving', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body['error'] as { message: string }).message, message, JSON.stringify(body));
    }
    const ok = await call(s.url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 300, fallback: [{ version: '1.0.0' }, { static: { prediction: 'no', score: 0.5 } }], policy: { kind: 'canary', candidate: '1.1.0', percent: 10, stickyKey: 'user' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

test('audit 3 (config): registry.tickMs / refreshMs longer than a timer can hold (Node set them to 1 ms: a rollout tick every millisecond) are refused naming the key', () => {
  const dir = tempDir('lookout-audit3-config-');
  const path = join(dir, 'lookout.yaml');
  for (const key of ['tickMs', 'refreshMs']) {
    writeFileSync(path, `registry: { ${key}: 3000000000 }`);
    assert.throws(() => loadConfig(path), new RegExp(`registry\\.${key} must be <= 2147483647 \\(got 3000000000\\)`));
  }
});

describe('audit 3 (config): an id declared twice in lookout.yaml is refused (the second silently replaced the first)', () => {
  test('models, versions, monitors, SLOs, API keys and notifiers', () => {
    const dir = tempDir('lookout-audit3-config-');
    const path = join(dir, 'lookout.yaml');
    const model = (name: string, versions = '[{ version: "1" }]'): string => `  - { name: ${name}, outputKind: binary, inputSchema: { type: object }, versions: ${versions} }`;
    const key = (name: string): string => `    - { name: ${name}, sha256: "${'a'.repeat(64)}", scopes: [read] }`;
    const mon = (id: string): string => `  - { id: ${id}, model: churn, metric: errorRate, levels: [{ severity: page, threshold: 0.1 }] }`;
    const refused: Array<[string, RegExp]> = [
      [`models:\n${model('churn')}\n${model('eta')}\n${model('churn')}`, /models\[2\]\.name "churn" is declared twice \(also models\[0\]\)/],
      [`models:\n${model('churn', '[{ version: "1" }, { version: "1" }]')}`, /models\[0\]\.versions\[1\]\.version "1" is declared twice \(also models\[0\]\.versions\[0\]\)/],
      [`monitors:\n${mon('err')}\n${mon('err')}`, /monitors\[1\]\.id "err" is declared twice \(also monitors\[0\]\)/],
      [`slos:\n  - { id: av, model: churn, kind: availability, objective: 0.99 }\n  - { id: av, model: churn, kind: availability, objective: 0.999 }`, /slos\[1\]\.id "av" is declared twice \(also slos\[0\]\)/],
      [`auth:\n  keys:\n${key('ci')}\n${key('ci')}`, /auth\.keys\[1\]\.name "ci" is declared twice \(also auth\.keys\[0\]\)/],
    ];
    for (const [yamlText, message] of refused) {
      writeFileSync(path, yamlText);
      assert.throws(() => loadConfig(path), message, yamlText);
    }
    assert.throws(() => parseAlertingSettings({ notifiers: [{ id: 'am', kind: 'alertmanager', url: 'http://a' }, { id: 'am', kind: 'alertmanager', url: 'http://b' }] }),
      /alerting\.notifiers\[1\]\.id "am" is declared twice \(also alerting\.notifiers\[0\]\)/);
    writeFileSync(path, `models:\n${model('churn', '[{ version: "1" }, { version: "2" }]')}\n${model('eta')}\nmonitors:\n${mon('err')}\n${mon('err2')}`);
    assert.deepEqual(loadConfig(path).models.map((m) => m.name), ['churn', 'eta']);
  });
});
