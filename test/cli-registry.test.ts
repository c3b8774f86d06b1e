import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { tempDir, type CliResult } from './helpers/cli.js';
import { declareChurn } from './helpers/registry.js';
import { testServer } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

/** Runs the real CLI without blocking this process (the server under test runs in it). */
function lookout(args: string[]): Promise<CliResult> {
  const p = spawn(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

describe('issue 5: registry CLI (lookout models / versions / promote / rollback)', { timeout: 90_000 }, () => {
  let server: Server;
  let good: ModelServer;
  let bad: ModelServer;
  const dir = tempDir('lookout-cli-registry-');
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    good = await startModelServer();
    bad = await startModelServer({ answer: () => ({ prediction: 'no', score: 0.5 }) });
    await declareChurn(server.url, []);
  });
  after(async () => {
    await server.close();
    await good.close();
    await bad.close();
  });

  test('issue 5: register with lineage and artifact, alias, refused promotion shows the numbers, rollback and history', async () => {
    const u = ['--url', server.url];
    const file = join(dir, 'model.bin');
    writeFileSync(file, 'weights v1');
    const sha = createHash('sha256').update('weights v1').digest('hex');
    const reg = await lookout(['versions', 'register', 'churn', '1.0.0', ...u, '--upstream', good.url, '--git-commit', 'abc', '--hyperparameters', '{"depth":6}', '--tags', 'gbm,baseline', '--artifact', file]);
    assert.equal(reg.code, 0, reg.stderr);
    assert.match(reg.stdout, new RegExp(`churn@1.0.0 registered; artifact .*"sha256":"${sha}"`));
    assert.equal((await lookout(['versions', 'register', 'churn', '1.1.0', ...u, '--upstream', bad.url])).code, 0);
    const badVersion = await lookout(['versions', 'register', 'churn', 'latest', ...u]);
    assert.equal(badVersion.code, 2);
    assert.match(badVersion.stderr, /semantic version/);
    assert.equal((await lookout(['models', 'set-alias', 'churn', 'production', '1.0.0', ...u, '--reason', 'first'])).code, 0);
    const list = await lookout(['versions', 'list', 'churn', ...u]);
    assert.match(list.stdout, new RegExp(`1\\.0\\.0 .* production +${sha.slice(0, 12)} +abc +gbm,baseline +no`));
    const rows = Array.from({ length: 200 }, (_, i) => JSON.stringify({ x: (i - 100) / 25, label: i >= 100 ? 'yes' : 'no' })).join('\n');
    writeFileSync(join(dir, 'test.jsonl'), rows);
    const refused = await lookout(['promote', 'churn', '1.1.0', ...u, '--reason', 'try', '--test-set', join(dir, 'test.jsonl'), '--resamples', '100']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stdout, /rocAuc +1\.0000 +0\.5000 +-0\.5000/);
    assert.match(refused.stderr, /promotion of churn@1\.1\.0 over 1\.0\.0 refused/);
    assert.match(refused.stdout, /\(200 labelled rows; bootstrap seed 0, 100 resamples: --seed 0 gives these intervals again\)/);
    // without resamples there are no intervals to give again (audit 23: it said "0 resamples: --seed 0 gives these intervals again")
    const noCi = await lookout(['promote', 'churn', '1.1.0', ...u, '--reason', 'try', '--test-set', join(dir, 'test.jsonl'), '--resamples', '0']);
    assert.equal(noCi.code, 1, noCi.stderr);
    assert.match(noCi.stdout, /\(200 labelled rows; no intervals: 0 resamples\)\n/);
    const forced = await lookout(['promote', 'churn', '1.1.0', ...u, '--reason', 'hotfix', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /production: 1\.0\.0 -> 1\.1\.0/);
    const rb = await lookout(['rollback', 'churn', ...u, '--reason', 'errors up']);
    assert.match(rb.stdout, /production: 1\.1\.0 -> 1\.0\.0 \(rolled back\)/);
    const hist = await lookout(['models', 'history', 'churn', ...u]);
    assert.match(hist.stdout, /set +production +- +1\.0\.0 .*first\n.*promote +production +1\.0\.0 +1\.1\.0 .*hotfix \[forced, no comparison\]\n.*rollback +production +1\.1\.0 +1\.0\.0 .*errors up/);
    // Registered versions count, not only the monitored ones (none here: no references), with the aliases.
    const models = await lookout(['models', 'list', ...u]);
    assert.equal(models.code, 0, models.stderr);
    assert.match(models.stdout, /^churn +binary +2 +1\.0\.0 +production=1\.0\.0$/m);
    const pause = await lookout(['models', 'pause', 'churn', ...u, '--reason', 'incident']);
    assert.match(pause.stdout, /churn: paused/);
    const down = await lookout(['models', 'list', '--url', 'http://127.0.0.1:1']);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot reach the Lookout server/);
  });
});
