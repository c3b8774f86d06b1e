import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { Server } from '../src/server.js';
import { answerChecker, type AnswerChecker } from './helpers/answers.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call, succeeding, testServer } from './helpers/server.js';

// Audit 23: a newcomer's mistakes, walking docs/getting-started.md with its fraud model (real server, DuckDB file).
const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const FROM = NOW - 2 * HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const MODEL = {
  name: 'fraud', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'],
  inputSchema: {
    type: 'object', required: ['amount', 'channel'], properties: {
      amount: { type: 'number', minimum: 0 }, account_age_days: { type: 'integer' }, channel: { enum: ['web', 'app', 'pos'] },
    },
  },
};

/** A reference of `n` rows with the columns named (those of the getting-started's examples/fraud/reference.csv). */
function referenceCsv(columns: string[], n = 60): string {
  const value = (c: string, i: number): string => ({
    amount: String(20 + (i % 17) * 7.5), account_age_days: String(30 + (i % 23) * 40), channel: ['web', 'app', 'pos'][i % 3] ?? 'web',
    prediction: String(i % 5 === 0 ? 1 : 0), score: String(i % 5 === 0 ? 0.8 : 0.1), label: String(i % 4 === 0 ? 1 : 0),
  } as Record<string, string>)[c] ?? '';
  return `${columns.join(',')}\n${Array.from({ length: n }, (_, i) => columns.map((c) => value(c, i)).join(',')).join('\n')}\n`;
}

async function upload(base: string, csv: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/v1/models/fraud/versions/1.0.0/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

describe('audit 23: a newcomer\'s mistakes get answers that say what to do (real server)', () => {
  let s: Server;
  let base = '';
  let answers: AnswerChecker;
  const ok = succeeding(() => base);

  before(async () => {
    s = await testServer({ clock: () => NOW });
    base = s.url;
    await ok('POST', '/v1/models', MODEL);
    await ok('POST', '/v1/models/fraud/versions', { version: '1.0.0' });
    answers = await answerChecker(() => base);
  });
  after(async () => {
    await s?.close();
  });

  test('a reference file lacking a feature\'s column is stored, and its answer names the feature drift will not measure', async () => {
    // Until audit 23 the upload answered 200 with nothing said: drift skipped `amount` for ever, and only GET /drift's
    // `skipped` (shown by no dashboard view nor `lookout status`) told.
    const csv = referenceCsv(['account_age_days', 'channel', 'prediction', 'score', 'label']);
    const r = await answers.check('put', '/v1/models/{name}/versions/{version}/reference', '/v1/models/fraud/versions/1.0.0/reference', 200, csv, { 'content-type': 'text/csv' });
    const warnings = r['warnings'] as Array<Record<string, unknown>> | undefined;
    assert.ok(Array.isArray(warnings), JSON.stringify(r).slice(0, 300));
    assert.deepEqual(warnings.map((w) => w['feature']), ['amount']);
    assert.match(String(warnings[0]?.['problem']), /no column "amount".*drift.*not measured/);
    // a full reference: no warnings
    const full = await upload(base, referenceCsv(['amount', 'account_age_days', 'channel', 'prediction', 'score', 'label']));
    assert.equal(full.status, 200);
    assert.equal(full.body['warnings'], undefined);
  });

  test('an event without a version, of an unknown model, or with a value its enum lacks: the message says what to send', async () => {
    const base1 = { id: 'n1', model: 'fraud', features: { amount: 1, channel: 'web' }, prediction: '0', timestamp: NOW - MINUTE };
    const r = await ok('POST', '/v1/events', {
      events: [
        base1,
        { ...base1, id: 'n2', model: 'frau', version: '1.0.0' },
        { ...base1, id: 'n3', version: '1.0.0', features: { amount: 1, channel: 'Web' } },
        { ...base1, id: 'n4', model: undefined, version: '1.0.0' },
        { ...base1, id: 'n5', version: '1.0.0', features: { amount: '12.5', channel: 'web' } },
      ],
    });
    const results = r['results'] as Array<Record<string, unknown>>;
    // "unknown version undefined of model "fraud"" until audit 23
    assert.equal(results[0]?.['code'], 'unknown_version');
    assert.equal(results[0]?.['message'], 'version is missing: every event names one of the model\'s versions; model "fraud" has 1.0.0');
    // the query routes named the known models, ingestion did not
    assert.equal(results[1]?.['code'], 'unknown_model');
    assert.equal(results[1]?.['message'], 'unknown model "frau"; known: fraud; did you mean "fraud"?'); // audit 25: the name meant
    // "/channel must be equal to one of the allowed values" until audit 23, without saying which
    assert.equal(results[2]?.['code'], 'schema_violation');
    assert.match(String(results[2]?.['message']), /\/channel must be equal to one of the allowed values: "web", "app", "pos" \(got "Web"\)/);
    assert.equal(results[3]?.['code'], 'invalid_event');
    assert.equal(results[3]?.['message'], 'model is missing: every event names its model (a string)');
    // a number written as text: "/amount must be number" until audit 23
    assert.equal(results[4]?.['message'], 'features do not match the schema of model "fraud": /amount must be number (got string "12.5")');
  });

  test('a body that is not JSON: the answer says why and where (a trailing comma, JSON lines)', async () => {
    // Fastify's "Body is not valid JSON but content-type is set to 'application/json'" until audit 23, for each of them
    const post = (body: string): Promise<{ status: number; body: Record<string, unknown> }> => call(base, 'POST', '/v1/events', body, { 'content-type': 'application/json' });
    const comma = await post('{"events": [\n  {"model": "fraud"},\n]}');
    assert.equal(comma.status, 400);
    const e1 = comma.body['error'] as Record<string, unknown>;
    assert.equal(e1['code'], 'invalid_json');
    assert.match(String(e1['message']), /^request body is not valid JSON: Unexpected token '\]'/);
    const lines = await post('{"model": "fraud"}\n{"model": "fraud"}\n');
    assert.equal(lines.status, 400);
    assert.match(String((lines.body['error'] as Record<string, unknown>)['message']), /after JSON at position 19 \(line 2, column 1\): the body holds more than one JSON document \(JSON lines\?\): send one$/);
    // an empty body is no body (audit 24: it was invalid_json "Body cannot be empty"): the route says what it needs
    const empty = await post('');
    assert.equal(empty.status, 400);
    assert.equal((empty.body['error'] as Record<string, unknown>)['code'], 'bad_request');
    assert.match(String((empty.body['error'] as Record<string, unknown>)['message']), /^body must be a JSON array or an object with an "events" array/);
  });

  test('an unknown model\'s list of known names is bounded', async () => {
    for (let i = 0; i < 30; i++) await ok('POST', '/v1/models', { ...MODEL, name: `m${String(i).padStart(2, '0')}` });
    const r = await call(base, 'POST', '/v1/events', { events: [{ model: 'nope', version: '1', features: {}, prediction: '0' }] });
    const message = String((r.body['results'] as Array<Record<string, unknown>>)[0]?.['message']);
    assert.match(message, /^unknown model "nope"; known: fraud, m00, .*\(\d+ more: GET \/v1\/models\?prefix= finds them\)$/);
    assert.ok(message.length < 400, message);
  });
});

describe('audit 23 (web): the model view names the features its reference lacks', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => NOW }), launch()]);
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', MODEL);
    await ok('POST', '/v1/models/fraud/versions', { version: '1.0.0' });
    assert.equal((await upload(s.url, referenceCsv(['account_age_days', 'channel', 'prediction', 'score', 'label']))).status, 200);
    const events = Array.from({ length: 40 }, (_, i) => ({
      id: `e${i}`, model: 'fraud', version: '1.0.0', timestamp: FROM + (i + 1) * MINUTE, features: { amount: 300 + i, account_age_days: 40 * (i % 20), channel: 'app' },
      prediction: '0', score: 0.1, segment: { region: 'eu' },
    }));
    assert.equal((await ok('POST', '/v1/events', { events }))['accepted'], 40);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('a note under the drifting features says amount is not measured and why', async () => {
    // Until audit 23 the view said "1/2 features" and listed two: nothing told that `amount` was not watched at all.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await openView(page, `${s.url}/ui/#/model/fraud?${RANGE}`, { complete: true });
    const note = page.locator('[data-testid="drift-skipped"]');
    assert.equal(await note.count(), 1);
    assert.match((await note.textContent()) ?? '', /Not measured: amount \(missing in reference\)/);
    // the debug view says it too
    await openView(page, `${s.url}/ui/#/debug/fraud?${RANGE}`, { complete: true });
    assert.match((await page.locator('[data-testid="drift-skipped"]').textContent()) ?? '', /Not measured: amount \(missing in reference\)/);
    assert.deepEqual(errors, []);
  });
});

describe('audit 23: lookout.yaml\'s reference file lacking a feature\'s column', () => {
  test('the start says on stderr which feature drift will not measure, and serves', async () => {
    // Until audit 23 the server started without a word: the same file uploaded is answered warnings (above).
    const dir = tempDir('lookout-audit23-');
    writeFileSync(join(dir, 'reference.csv'), referenceCsv(['account_age_days', 'channel', 'prediction', 'score', 'label']));
    writeFileSync(join(dir, 'lookout.yaml'), [
      'models:', '  - name: fraud', '    outputKind: binary', '    classes: ["0", "1"]', '    inputSchema:', '      type: object',
      '      properties:', '        amount: { type: number }', '        account_age_days: { type: integer }', '        channel: { enum: [web, app, pos] }',
      '    versions:', '      - version: "1.0.0"', '        reference: { file: reference.csv }', '',
    ].join('\n'));
    const s = await spawnServe(['--config', join(dir, 'lookout.yaml'), '--data-dir', join(dir, 'data')]);
    try {
      assert.match(s.stderr(), /lookout: warning: .*models\[0\]\.versions\[0\]\.reference \(model "fraud", version "1\.0\.0"\): the reference has no column "amount": the drift of this feature is not measured/);
      assert.equal((await call(s.url, 'GET', '/v1/models/fraud')).status, 200);
    } finally {
      await s.stop();
    }
  });
});
