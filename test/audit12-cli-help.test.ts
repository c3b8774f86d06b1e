/**
 * Audit 12 (docs walk, found and left): `lookout silences add --help` did not say that --created-by and --comment are
 * required (commander's help marks no option as required); running it without them was the first a user learnt of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { lookoutProgram } from '../src/cli/main.js';
import { lookout } from './helpers/cli.js';

test('audit12: every option a command requires says "(required)" in its --help', () => {
  const r = lookout(['silences', 'add', '--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--created-by <name>\s+who creates it \(required\)/);
  assert.match(r.stdout, /--comment <text>\s+why \(required\)/);
  assert.doesNotMatch(r.stdout, /--duration <d>.*\(required\)/);
  // every command's required options, and no other
  const walk = (cmd: Command, path: string[]): Array<{ path: string[]; cmd: Command }> => [{ path, cmd }, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
  let required = 0;
  for (const { path, cmd } of walk(lookoutProgram(() => undefined), [])) {
    const help = cmd.createHelp();
    for (const o of cmd.options) {
      const said = help.optionDescription(o).endsWith('(required)');
      assert.equal(said, o.mandatory, `lookout ${path.join(' ')} ${o.flags}: ${o.mandatory ? 'required, not said' : 'said required, is not'}`);
      if (o.mandatory) required++;
    }
  }
  assert.ok(required >= 5, `${required} required options found`);
});
