import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMatcher, matchesAll, parseMatcher, parseMatcherList } from './matchers.js';

test('parseMatcher reads the four operators, the value as written; formatMatcher writes it back', () => {
  const cases: Array<[string, object]> = [
    ['model=churn', { name: 'model', value: 'churn' }],
    ['severity!=warning', { name: 'severity', value: 'warning', isNegative: true }],
    ['metric=~drift:.*', { name: 'metric', value: 'drift:.*', isRegex: true }],
    ['region!~eu|us', { name: 'region', value: 'eu|us', isRegex: true, isNegative: true }],
    ['note=a=b', { name: 'note', value: 'a=b' }],
    ['empty=', { name: 'empty', value: '' }],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(parseMatcher(text), want, text);
    assert.equal(formatMatcher(parseMatcher(text)), text);
  }
  for (const bad of ['severity', '=x', '!=x', '1x=y', 'a b=c']) {
    assert.throws(() => parseMatcher(bad), new RegExp(`^Error: matcher must look like name=value, name!=value, name=~regex or name!~regex \\(got "${bad.replace(/[|\\{}()[\]^$+*?.!]/g, '\\$&')}"\\)$`));
  }
});

test('audit 26: parseMatcherList splits at commas outside brackets, so `!=`, `=~` and a regex\'s commas survive', () => {
  // the dashboard's form split each part at its first "=": severity!=warning became {name: "severity!", value: "warning"}
  const list = parseMatcherList(' model=churn, severity!=warning,metric=~drift:.*, tier=~a{1,3}|b , region!~eu\\,us|[,;] ');
  assert.deepEqual(list, [
    { name: 'model', value: 'churn' },
    { name: 'severity', value: 'warning', isNegative: true },
    { name: 'metric', value: 'drift:.*', isRegex: true },
    { name: 'tier', value: 'a{1,3}|b', isRegex: true },
    { name: 'region', value: 'eu\\,us|[,;]', isRegex: true, isNegative: true },
  ]);
  assert.equal(matchesAll(list, { model: 'churn', severity: 'page', metric: 'drift:x', tier: 'aa', region: 'us' }), true);
  assert.equal(matchesAll(list, { model: 'churn', severity: 'page', metric: 'drift:x', tier: 'aa', region: 'eu,us' }), false);
  assert.equal(matchesAll(list, { model: 'churn', severity: 'warning', metric: 'drift:x', tier: 'aa', region: 'us' }), false);
  assert.deepEqual(parseMatcherList(''), []);
  assert.throws(() => parseMatcherList('model=churn, severity'), /got "severity"/, 'a part without an operator is refused, not dropped');
});
