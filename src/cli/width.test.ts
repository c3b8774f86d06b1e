import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { displayWidth } from './width.js';

test('audit 6b: displayWidth counts terminal columns as python\'s wcwidth.wcswidth does', () => {
  const samples = ['plain', 'модель', '模型', 'ｆｕｌｌ', 'cafe\u0301', '한국어', 'カタカナ', '🚀 launch', 'a\u200bb', 'x̧̃', 'ök,模型,e\u0301', ''];
  const py = 'import sys, json, wcwidth\nprint(json.dumps([wcwidth.wcswidth(s) for s in json.load(sys.stdin)]))';
  const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(samples), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepStrictEqual(samples.map(displayWidth), JSON.parse(r.stdout) as number[]);
});
