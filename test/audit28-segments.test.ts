import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LookoutClient, type LookoutClientWarning } from '../src/client/index.js';
import type { Server } from '../src/server.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 28 (segments): a segment key the model does not declare is ignored, and was ignored silently. A client sending
 * `{"Region": "eu"}` to a model declaring `region` had every event accepted and stored as all traffic: no segment
 * analysis, and nothing in the answer or /metrics said why. The rows stay accepted (stored as before); the answer now
 * carries `warnings` naming the keys per model, the rows and the key meant, and /metrics counts such rows; the client
 * (lookout/client), whose callers never see an answer, tells `onWarning` once per distinct warning.
 */
describe('audit 28: undeclared segment keys are ignored, and said so', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  before(async () => {
    s = await testServer();
    for (const name of ['churn', 'eta']) {
      await ok('POST', '/v1/models', { name, outputKind: 'regression', inputSchema: { type: 'object' }, segmentKeys: name === 'churn' ? ['region'] : [] });
      await ok('POST', `/v1/models/${name}/versions`, { version: '1' });
    }
  });
  after(() => s?.close());

  const event = (model: string, segment?: unknown) => ({ model, version: '1', features: {}, prediction: 1, ...(segment !== undefined && { segment }) });

  test('a misspelt key: every row accepted and stored as before (all traffic), the answer warns once per model with the rows and the key meant', async () => {
    const events = [
      ...Array.from({ length: 3 }, () => event('churn', { Region: 'eu' })),
      event('churn', { region: 'us', tier: 'gold' }),
      event('churn', { region: 'us' }),
      event('churn'),
      event('eta', { region: 'eu' }),
    ];
    const r = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['accepted'], 7);
    assert.deepEqual(r.body['warnings'], [
      {
        code: 'undeclared_segment_key',
        message: 'segment keys "Region", "tier" are not declared by model "churn" (its segment keys: region): ignored in 4 accepted rows, stored under the declared keys they have (declare them in the model\'s segmentKeys to analyse by them)',
        details: { model: 'churn', keys: ['Region', 'tier'], rows: 4, segmentKeys: ['region'] },
      },
      {
        code: 'undeclared_segment_key',
        message: 'segment key "region" is not declared by model "eta" (its segment keys: (none)): ignored in 1 accepted row, stored under the declared keys it has (declare it in the model\'s segmentKeys to analyse by it)',
        details: { model: 'eta', keys: ['region'], rows: 1, segmentKeys: [] },
      },
    ]);
    // stored as before: the declared key's segment holds the two rows with region=us, the misspelt ones are all traffic
    const events_ = async (q: string): Promise<unknown> => (await ok('GET', `/v1/models/churn/health${q}`))['events'];
    assert.equal(await events_('?segment=region=us'), 2);
    assert.equal(await events_(''), 6);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^lookout_events_undeclared_segment_keys_total\{model="churn"\} 4$/m);
    assert.match(metrics, /^lookout_events_undeclared_segment_keys_total\{model="eta"\} 1$/m);
  });

  test('one misspelt key: the key meant is suggested; a batch with declared keys only has no warnings', async () => {
    const r = await call(s.url, 'POST', '/v1/events', { events: [event('churn', { Region: 'eu' })] });
    assert.match((r.body['warnings'] as Array<{ message: string }>)[0]?.message ?? '', /^segment key "Region" is not declared by model "churn" \(its segment keys: region\); did you mean "region"\?: ignored in 1 accepted row/);
    const clean = await call(s.url, 'POST', '/v1/events', { events: [event('churn', { region: 'eu' }), event('eta')] });
    assert.equal(clean.body['accepted'], 2);
    assert.equal('warnings' in clean.body, false);
  });

  test('lookout/client tells onWarning once per distinct warning; the rows are sent and stored', async () => {
    const warnings: LookoutClientWarning[] = [];
    const errors: unknown[] = [];
    const client = new LookoutClient({ url: s.url, maxBatch: 5, flushIntervalMs: 0, onWarning: (w) => warnings.push(w), onError: (e) => errors.push(e) });
    for (let i = 0; i < 20; i++) client.log({ model: 'churn', version: '1', features: {}, prediction: 1, segment: { Region: 'eu' } });
    client.log({ model: 'churn', version: '1', features: {}, prediction: 1, segment: { region: 'eu', Tier: 'gold' } });
    await client.close();
    assert.deepEqual(errors, []);
    assert.equal(client.stats().sent, 21);
    assert.deepEqual(warnings.map((w) => [w.endpoint, w.code, w.details['keys']]), [['events', 'undeclared_segment_key', ['Region']], ['events', 'undeclared_segment_key', ['Tier']]]);
  });

  test('a batch sent again: its rows answered duplicate_id are not warned about or counted again', async () => {
    const batch = { events: [{ ...event('churn', { Region: 'eu' }), id: 'audit28-resent' }] };
    const first = await call(s.url, 'POST', '/v1/events', batch);
    assert.equal((first.body['warnings'] as unknown[]).length, 1);
    const count = async (): Promise<string | undefined> => /^lookout_events_undeclared_segment_keys_total\{model="churn"\} (\S+)$/m.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1];
    const before = await count();
    const again = await call(s.url, 'POST', '/v1/events', batch);
    assert.equal(again.body['rejected'], 1);
    assert.equal('warnings' in again.body, false);
    assert.equal(await count(), before);
  });

  test('a rejected row is not warned about (its rejection says what is wrong)', async () => {
    const r = await call(s.url, 'POST', '/v1/events', { events: [{ ...event('churn', { Region: 'eu' }), latencyMs: -1 }] });
    assert.equal(r.body['rejected'], 1);
    assert.equal('warnings' in r.body, false);
  });
});
