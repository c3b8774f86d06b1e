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

test('audit 24: truncateDisplay cuts to terminal columns with "…", never splitting a wide character; terminalWidth reads a TTY or COLUMNS', async () => {
  const { terminalWidth, truncateDisplay } = await import('./width.js');
  assert.equal(truncateDisplay('short', 5), 'short');
  assert.equal(truncateDisplay('shorter', 5), 'shor…');
  // 模 and 型 take 2 columns each: 4 columns hold 模 and "…" (型 would end at column 5)
  assert.equal(truncateDisplay('模型模型', 4), '模…');
  assert.equal(displayWidth(truncateDisplay('模型模型', 5)), 5);
  assert.equal(terminalWidth({ isTTY: true, columns: 120 }, { COLUMNS: '80' }), 120);
  assert.equal(terminalWidth({ isTTY: false }, { COLUMNS: '80' }), 80);
  assert.equal(terminalWidth({ isTTY: false }, {}), undefined);
  assert.equal(terminalWidth({ isTTY: false }, { COLUMNS: 'wide' }), undefined);
});
