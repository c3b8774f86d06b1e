import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lookout, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';

/** The shell lines of the first ```sh block after `heading` in README.md. */
function readmeBlock(heading: string): string[] {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  assert.ok(at >= 0, `README.md has no "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, `no sh block after "${heading}"`);
  return (block[1] ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

describe('audit 8 (docs): the README examples run as written', () => {
  test('every offline `npx lookout` command of the Quick Start runs from the repository root (exit 0)', () => {
    const commands = readmeBlock('## Quick start').filter((l) => l.startsWith('npx lookout '));
    assert.ok(commands.length >= 3, `Quick start commands: ${JSON.stringify(commands)}`);
    const out = tempDir();
    for (const line of commands) {
      const args = line.slice('npx lookout '.length).split(/\s+/).map((a) => (a === 'report.html' ? join(out, a) : a));
      const r = lookout(args);
      assert.equal(r.code, 0, `${line}\nexit ${r.code}: ${r.stderr}`);
    }
  });

  test('the `try:` requests `lookout serve` prints at start answer 200 on a store without the demo (no 404 for its churn model)', { timeout: 60_000 }, async () => {
    const server = await spawnServe(['--data-dir', tempDir()]);
    try {
      const line = /^lookout: try: (.*)$/m.exec(server.stderr());
      assert.ok(line, `no try: line in\n${server.stderr()}`);
      const urls = [...(line[1] ?? '').matchAll(/curl '?(http[^'\s]+)'?/g)].map((m) => m[1] as string);
      assert.ok(urls.length >= 1, line[0]);
      for (const url of urls) {
        const res = await fetch(url);
        assert.equal(res.status, 200, `${url}: ${res.status} ${await res.text()}`);
      }
    } finally {
      await server.stop();
    }
  });
});
