import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAlertingSettings } from './settings.js';

test('audit 2: a typo in the alerting section is refused naming the key, not silently ignored', () => {
  const refused: Array<[unknown, RegExp]> = [
    [{ groupwait: '1m' }, /alerting\.groupwait is unknown \(known keys: groupBy, groupWait,/],
    [{ actions: { retrian: { url: 'http://ci' } } }, /alerting\.actions\.retrian is unknown \(known keys: retrain, rollback; did you mean "retrain"\?\)/],
    [{ actions: { rollback: { coldown: '1h' } } }, /alerting\.actions\.rollback\.coldown is unknown/],
    [{ actions: { retrain: { url: 'http://ci', aproval: true } } }, /alerting\.actions\.retrain\.aproval is unknown/],
    [{ actions: { retrain: { url: 'http://ci', approval: 'yes' } } }, /alerting\.actions\.retrain\.approval must be true or false/],
    [{ actions: { rollback: 'fast' } }, /alerting\.actions\.rollback must be an object/],
    [{ inhibitRules: 5 }, /alerting\.inhibitRules must be a list/],
    [{ inhibitRules: [{ source: [], target: [], equals: ['model'] }] }, /alerting\.inhibitRules\[0\]\.equals is unknown/],
    [{ timeWindows: { name: 'x' } }, /alerting\.timeWindows must be a list/],
    [{ timeWindows: [{ name: 'w', weekdays: [0], startTime: '02:00', endTime: '04:00', matcher: [] }] }, /alerting\.timeWindows\[0\]\.matcher is unknown/],
    ['30s', /alerting must be an object/],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseAlertingSettings(raw), message, JSON.stringify(raw));
  // What the docs show is taken as it is.
  const s = parseAlertingSettings({
    evaluationInterval: '30s', groupBy: ['model'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h', dashboardUrl: 'https://lookout.example.com',
    inhibitRules: [{ source: [{ name: 'category', value: 'data' }], target: [{ name: 'category', value: 'drift' }], equal: ['model'] }],
    timeWindows: [{ name: 'weekly', weekdays: [0], startTime: '02:00', endTime: '04:00', matchers: [{ name: 'model', value: 'churn' }] }],
    notifiers: [{ id: 'hook', kind: 'webhook', url: 'http://hook' }],
    actions: { retrain: { url: 'http://ci', secret: 's', cooldown: '12h', approval: true }, rollback: { cooldown: '1h', approval: false } },
  });
  assert.deepEqual([s.actions.retrain?.approval, s.actions.rollback?.approval, s.pipeline.groupWaitMs], [true, false, 30_000]);
  assert.equal(parseAlertingSettings(undefined).evaluationIntervalMs, 30_000);
});

test('audit 3: a matcher key misspelt (isregex: the regex was compared as text, so the rule never matched) or not true/false is refused naming it', () => {
  const refused: Array<[unknown, RegExp]> = [
    [{ inhibitRules: [{ source: [{ name: 'category', value: 'data|health', isregex: true }], target: [] }] }, /alerting\.inhibitRules\[0\]\.source\[0\]: matcher "category": "isregex" is unknown \(known keys: name, value, isRegex, isNegative; did you mean "isRegex"\?\)/],
    [{ timeWindows: [{ name: 'w', weekdays: [0], startTime: '02:00', endTime: '04:00', matchers: [{ name: 'model', value: 'churn', negative: true }] }] }, /alerting\.timeWindows\[0\]\.matchers\[0\]: matcher "model": "negative" is unknown/],
    [{ inhibitRules: [{ source: [{ name: 'category', value: 'data', isNegative: 'false' }], target: [] }] }, /alerting\.inhibitRules\[0\]\.source\[0\]: matcher "category": isNegative must be true or false \(got "false"\)/],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseAlertingSettings(raw), message, JSON.stringify(raw));
});

test('audit 3: a retrain action of the wrong type (command: "./retrain.sh" ran nothing yet the action was "done"; secret: 42 sent it unsigned) is refused naming the key', () => {
  const refused: Array<[unknown, RegExp]> = [
    [{ actions: { retrain: { command: './retrain.sh' } } }, /alerting\.actions\.retrain\.command must be a non-empty list of strings \(argv, no shell; got "\.\/retrain\.sh"\)/],
    [{ actions: { retrain: { url: 'ci.example/hooks/retrain' } } }, /alerting\.actions\.retrain\.url must be an http\(s\) URL \(got "ci\.example\/hooks\/retrain"\)/],
    [{ actions: { retrain: { url: 5 } } }, /alerting\.actions\.retrain\.url must be an http\(s\) URL \(got 5\)/],
    [{ actions: { retrain: { url: 'https://ci.example/hooks/retrain', secret: 42 } } }, /alerting\.actions\.retrain\.secret must be a string \(got 42\)/],
  ];
  for (const [raw, message] of refused) assert.throws(() => parseAlertingSettings(raw), message, JSON.stringify(raw));
  assert.deepEqual(parseAlertingSettings({ actions: { retrain: { command: ['./retrain.sh', '--fast'] } } }).actions.retrain?.command, ['./retrain.sh', '--fast']);
});

test('audit 3: an evaluationInterval longer than a timer can hold (30d: Node set it to 1 ms, the monitors ran every millisecond) is refused', () => {
  assert.throws(() => parseAlertingSettings({ evaluationInterval: '30d' }), /alerting\.evaluationInterval must be at most 24d \(got "30d"\)/);
  assert.equal(parseAlertingSettings({ evaluationInterval: '1d' }).evaluationIntervalMs, 86_400_000);
});

test('audit 23: a bad action cooldown is named by its key path (it read alerting.cooldown, a key that does not exist)', () => {
  assert.throws(() => parseAlertingSettings({ actions: { retrain: { url: 'http://ci', cooldown: 'soon' } } }), /^Error: alerting\.actions\.retrain\.cooldown must be a duration .*\(got "soon"\)/);
  assert.throws(() => parseAlertingSettings({ actions: { rollback: { cooldown: -5 } } }), /^Error: alerting\.actions\.rollback\.cooldown must be a duration/);
  assert.throws(() => parseAlertingSettings({ actions: { retrain: { url: 'http://ci', approval: 'yes' } } }), /alerting\.actions\.retrain\.approval must be true or false \(got "yes"\)/);
  assert.throws(() => parseAlertingSettings({ groupWait: 'soon' }), /^Error: alerting\.groupWait must be a duration/);
});
