import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

// `lookout drift --json | head -c 100`: the reader closes the pipe before lookout has written; lookout must end
// quietly (as other Unix tools do), not print an unhandled EPIPE's stack trace and exit 1.
test('output into a pipe whose reader has gone: no stack trace, the exit code of the command', async () => {
  for (const extra of [[], ['--fail-on-drift']]) {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), 'drift', '--reference', 'examples/reference.csv', '--current', 'examples/current.csv', '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    assert.equal(stderr, '', extra.join(' '));
    // The examples drift (README): with --fail-on-drift the command's own code, 1, else 0.
    assert.equal(code, extra.length > 0 ? 1 : 0, extra.join(' '));
  }
});
