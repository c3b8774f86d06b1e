import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotificationPayload, NotifiedAlert } from '../types.js';
import { slackMessage } from './slack.js';

/** Slack's documented limits: a section block's text is 1 to 3000 characters, a message has at most 50 blocks. */
const SECTION_MAX = 3000;
const MAX_BLOCKS = 50;

function group(n: number, name = (i: number): string => `churn drift:feature_number_${i}`): NotificationPayload {
  const alerts: NotifiedAlert[] = Array.from({ length: n }, (_, i) => ({
    id: `a${i}`, fingerprint: `f${i}`, status: 'firing', severity: 'page', model: 'churn', version: '3', labels: { alertname: name(i) },
    context: { metric: `drift:feature_number_${i}`, observed: 0.41, baseline: null, threshold: 0.25 }, startsAt: 0, endsAt: null, acknowledged: false,
    dashboardUrl: `https://lookout.example.com/ui/#/model/churn?monitor=churn-drift-${i}`, runbookUrl: 'https://wiki.example.com/runbooks/churn-drift',
  }));
  return { version: '1', groupKey: 'model=churn', groupLabels: { model: 'churn', version: '3' }, status: 'firing', receiver: 's', sentAt: 0, alerts };
}

const texts = (p: NotificationPayload): string[] => (slackMessage(p).blocks as Array<{ type: string; text: { type: string; text: string } }>).map((b) => {
  assert.equal(b.type, 'section');
  assert.equal(b.text.type, 'mrkdwn');
  return b.text.text;
});

describe('audit (alerting): Slack messages stay within Slack block limits', () => {
  test('a group of 25 drift alerts is split into sections of at most 3000 characters, every alert kept', () => {
    const p = group(25);
    const t = texts(p);
    assert.ok(t.length > 1);
    for (const x of t) assert.ok(x.length >= 1 && x.length <= SECTION_MAX, `section of ${x.length} characters`);
    const all = t.join('\n');
    for (const a of p.alerts) assert.ok(all.includes(`*${a.labels['alertname']}*`), a.id);
    assert.equal(all, slackMessage(p).text);
  });

  test('a huge group is cut at 50 blocks, the last one saying how many alerts are left out', () => {
    const p = group(2000);
    const t = texts(p);
    assert.equal(t.length, MAX_BLOCKS);
    for (const x of t) assert.ok(x.length <= SECTION_MAX, `section of ${x.length} characters`);
    const shown = t.join('\n').split('\n').filter((l) => l.includes('*churn drift:')).length;
    const more = /… and (\d+) more/.exec(t[MAX_BLOCKS - 1] ?? '');
    assert.ok(more, t[MAX_BLOCKS - 1]?.slice(-200));
    assert.equal(shown + Number(more[1]), p.alerts.length);
  });

  test('one alert with a very long name still fits a section', () => {
    const t = texts(group(1, () => 'x'.repeat(5000)));
    for (const x of t) assert.ok(x.length <= SECTION_MAX, `section of ${x.length} characters`);
  });
});

describe('audit 27: a resolve\'s line says the value it resolved at', () => {
  test('resolved: the value of the window that resolved it, then the one that fired (it read as still 0.6 over 0.2)', () => {
    const p = group(1);
    const a = p.alerts[0] as NotifiedAlert;
    const resolved: NotifiedAlert = { ...a, status: 'resolved', endsAt: 1, context: { metric: 'errorRate', observed: 0.6, baseline: null, threshold: 0.2, resolvedContext: { metric: 'errorRate', observed: 0.18, baseline: null, threshold: 0.2 } } };
    const text = slackMessage({ ...p, status: 'resolved', alerts: [resolved] }).text as string;
    assert.match(text, /:white_check_mark: .*: errorRate = 0\.180, fired at 0\.600 \(baseline -, threshold 0\.200\)/);
    // resolved by hand (no evaluation resolved it): the figures it fired with
    const byHand = slackMessage({ ...p, status: 'resolved', alerts: [{ ...resolved, context: { ...resolved.context, resolvedContext: undefined } }] }).text as string;
    assert.match(byHand, /: errorRate = 0\.600 \(baseline -, threshold 0\.200\)/);
  });
});
