import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 25: a misspelt name was refused in every request, but only the query parameters and optional bodies said which
 * name was meant; the 404 of a mistyped model, a misspelt drift method, a model's field or enum value, and the fields
 * of a serving configuration, rollout, registration, raised alert or prediction listed the known names and left the
 * reader to find theirs. Each now ends with `did you mean "x"?`, and the unknown fields of a serving configuration
 * and of a rollout are `validation_failed` (they were `bad_request`, unlike every other unknown field).
 */
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 25: every "unknown" refusal names the name a typo meant (real server)', () => {
  let s: Server;
  const post = poster(() => s.url);
  const refused = async (method: string, path: string, body: unknown, code: string, pattern: RegExp, status = 400): Promise<void> => {
    const r = await call(s.url, method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    const e = r.body['error'] as { code: string; message: string };
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
  };
  before(async () => {
    s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'regression', inputSchema: SCHEMA });
    await post('/v1/models/churn/versions', { version: '1.0.0' });
  });
  after(() => s?.close());

  test('a mistyped model in a path or a filter: 404 unknown_model naming the model meant', async () => {
    await refused('GET', '/v1/models/chrun/drift', undefined, 'unknown_model', /unknown model "chrun"; known: churn; did you mean "churn"\?/, 404);
    await refused('GET', '/v1/alerts?model=chrun', undefined, 'unknown_model', /did you mean "churn"\?/, 404);
    await refused('GET', '/v1/models/chrun/versions', undefined, 'unknown_model', /did you mean "churn"\?/, 404);
    // a name near none of the known ones suggests nothing
    const far = await call(s.url, 'GET', '/v1/models/fraud/drift');
    assert.equal(far.status, 404);
    assert.doesNotMatch((far.body['error'] as { message: string }).message, /did you mean/);
  });

  test('an event row naming a mistyped model says which one was meant, for the first 20 distinct names of a batch', async () => {
    // distinct one-letter typos of "churn" ("xhurn", "cxurn", ...), row 10 repeating row 0's
    const typo = (i: number): string => { const p = i % 5; return `churn`.slice(0, p) + 'xyzvw'[Math.floor(i / 5)] + `churn`.slice(p + 1); };
    const events = Array.from({ length: 25 }, (_, i) => ({ model: typo(i === 10 ? 0 : i), version: '1.0.0', features: { x: 1 }, prediction: 1 }));
    const r = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    const messages = (r.body['results'] as Array<{ code: string; message: string }>).map((x) => { assert.equal(x.code, 'unknown_model'); return x.message; });
    assert.equal(messages[0], 'unknown model "xhurn"; known: churn; did you mean "churn"?');
    assert.equal(messages[10], messages[0], 'a name repeated in the batch: the same message');
    // row 20 is the 20th distinct name, row 21 the 21st: past the cap, the known models only
    assert.equal(messages[20], `unknown model "${typo(20)}"; known: churn; did you mean "churn"?`);
    assert.equal(messages[21], `unknown model "${typo(21)}"; known: churn`);
  });

  test('a misspelt drift method names the method meant', async () => {
    await refused('GET', '/v1/models/churn/drift?method=psl', undefined, 'bad_request', /unknown drift method "psl"; known methods: .*; did you mean "psi"\?/);
  });

  test('a model declaration with a misspelt field or output kind names the one meant', async () => {
    await refused('POST', '/v1/models', { name: 'm2', outputKind: 'regression', inputSchema: SCHEMA, segmentkeys: ['a'] }, 'validation_failed', /unknown field "segmentkeys"; known: .*; did you mean "segmentKeys"\?/);
    await refused('POST', '/v1/models', { name: 'm2', outputKind: 'regresion', inputSchema: SCHEMA }, 'validation_failed', /must be one of .* \(got "regresion"; did you mean "regression"\?\)/);
    assert.equal((await call(s.url, 'GET', '/v1/models/m2')).status, 404, 'nothing declared');
  });

  test('serving and rollout fields: validation_failed naming the field meant, nothing changed', async () => {
    await refused('PUT', '/v1/models/churn/serving', { timeotMs: 5 }, 'validation_failed', /unknown serving field\(s\) timeotMs; known: .*; did you mean "timeoutMs"\?/);
    await refused('PUT', '/v1/models/churn/serving', { fallback: [{ static: { prediction: 1, scor: 0.5 } }] }, 'validation_failed', /fallback\[0\]\.static\.scor is unknown \(known keys: prediction, score, scores; did you mean "score"\?\)/);
    const serving = await call(s.url, 'GET', '/v1/models/churn/serving');
    assert.equal(serving.status, 200, JSON.stringify(serving.body));
    assert.notEqual((serving.body['serving'] as { timeoutMs?: number } | undefined)?.timeoutMs, 5);
    await refused('PUT', '/v1/models/churn/serving', { policy: { kind: 'canry', candidate: '1.0.0', percent: 5 } }, 'bad_request', /unknown traffic policy "canry"; known policies: .*; did you mean "canary"\?/);
    await refused('POST', '/v1/models/churn/rollout', { candidate: '1.0.0', reason: 'r', stpes: [5, 50] }, 'validation_failed', /unknown rollout field\(s\) stpes; known: .*; did you mean "steps"\?/);
    assert.equal((await call(s.url, 'GET', '/v1/models/churn/rollout')).body['rollout'], null, 'no rollout started');
  });

  test('a monitor level\'s action and a gate\'s metric name the one meant', async () => {
    const monitor = { id: 'm1', model: 'churn', metric: 'errorRate', levels: [{ severity: 'critical', threshold: 0.1, action: 'rolback' }] };
    await refused('POST', '/v1/monitors', monitor, 'validation_failed', /action "rolback" is unknown; known actions: .*; did you mean "rollback"\?/);
    const testSet = { labels: [1, 2, 3], current: { predictions: [1, 2, 4] }, candidate: { predictions: [1, 2, 3] } };
    await refused('POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.0.0', testSet, gate: { metric: 'maee' } }, 'bad_request', /unknown gate metric "maee"; known for this comparison: .*; did you mean "mae"\?/);
  });

  test('a registration, a raised alert and a prediction name the field meant', async () => {
    await refused('PUT', '/v1/models/churn/versions/1.0.0', { artifct: 'x' }, 'validation_failed', /unknown field\(s\) artifct; allowed: .*; did you mean "artifact"\?/);
    await refused('POST', '/v1/alerts', { source: 'ci', model: 'churn', summry: 's' }, 'validation_failed', /unknown field "summry"; known: .*; did you mean "summary"\?/);
    await refused('POST', '/v1/models/churn/predict', { features: { x: 1 }, segmnt: { a: 'b' } }, 'validation_failed', /unknown field "segmnt"; known: features, id, segment, key; did you mean "segment"\? \(the model's inputs go in "features"\)/);
  });
});
