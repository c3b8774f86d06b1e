import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './helpers/cli.js';
import type { DemoFill } from './helpers/demo-store.js';

/*
 * test/helpers/demo-store.ts between the test processes of a run, without a fill (test/serve-demo checks a real one):
 * a template published in the run's dir (LOOKOUT_TEST_RUN_DIR) is what every other process copies, a caller waits while
 * another process holds the lock, and a failed fill fails the others at once. Each case is a process of its own, as the
 * test files of a run are.
 */

const HELPER = pathToFileURL(join(process.cwd(), 'dist', 'test', 'helpers', 'demo-store.js')).href;

interface Outcome {
  fill?: DemoFill;
  copy?: string[];
  error?: string;
  /** From the call to demoFill() to its answer. */
  ms: number;
}

/**
 * Runs `demoFill()` and `demoDataDir()` in a child process with LOOKOUT_TEST_RUN_DIR=runDir; what they gave, or the
 * error. `calling` resolves when the child is about to call demoFill().
 */
function child(runDir: string): { calling: Promise<void>; done: Promise<Outcome> } {
  const code = `import { demoFill, demoDataDir } from ${JSON.stringify(HELPER)};
    import { readdirSync } from 'node:fs';
    process.stderr.write('calling\\n');
    const t0 = Date.now();
    try {
      const fill = await demoFill();
      const copy = readdirSync(await demoDataDir()).sort();
      console.log(JSON.stringify({ fill, copy, ms: Date.now() - t0 }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.message, ms: Date.now() - t0 }));
    }`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, LOOKOUT_TEST_RUN_DIR: runDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const calling = new Promise<void>((resolve) => p.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.includes('calling\n')) resolve();
  }));
  const done = new Promise<Outcome>((resolve, reject) => p.once('exit', () => {
    try {
      resolve(JSON.parse(out) as Outcome);
    } catch {
      reject(new Error(`child printed: ${out}\n${err}`));
    }
  }));
  return { calling, done };
}

const record: DemoFill = { stderr: 'lookout: demo data ready in 1.0 s\n', filledAt: 1_796_000_000_000, events: { churn: 1, eta: 2 }, pid: 1, fillMs: 1000 };

/** A published template in `dir` (as fill() leaves it): data/ and fill.json, made aside and renamed in. */
function publish(runDir: string): void {
  const work = join(runDir, 'demo-template.filling-test');
  mkdirSync(join(work, 'data', 'demo'), { recursive: true });
  writeFileSync(join(work, 'data', 'lookout.duckdb'), 'not a real store');
  writeFileSync(join(work, 'fill.json'), JSON.stringify(record));
  renameSync(work, join(runDir, 'demo-template'));
}

describe('the run\'s demo fill, shared by the test processes of a run', () => {
  test('a published template is copied, with the record of its fill; no process fills again', async () => {
    const run = tempDir('lookout-demo-fixture-');
    publish(run);
    const [a, b] = await Promise.all([child(run).done, child(run).done]);
    for (const r of [a, b]) {
      assert.equal(r.error, undefined);
      assert.deepEqual(r.fill, record);
      assert.deepEqual(r.copy, ['demo', 'lookout.duckdb']);
    }
    assert.deepEqual(readdirSync(run), ['demo-template'], 'no lock, no fill left behind');
  });

  test('while another process holds the lock, a caller waits for its template and copies it', async () => {
    const run = tempDir('lookout-demo-fixture-');
    const holder = spawn('sleep', ['30']);
    try {
      mkdirSync(join(run, 'demo-template.lock'));
      writeFileSync(join(run, 'demo-template.lock', 'owner'), String(holder.pid));
      const waiting = child(run);
      await waiting.calling;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      publish(run);
      const r = await waiting.done;
      assert.equal(r.error, undefined);
      assert.deepEqual(r.fill, record);
      assert.ok(r.ms >= 900, `returned after ${r.ms} ms, before the template was there`);
      assert.deepEqual(readdirSync(run).sort(), ['demo-template', 'demo-template.lock'], 'the holder\'s lock left to it');
    } finally {
      holder.kill();
    }
  });

  test('a fill that failed fails the other callers at once, with its error', async () => {
    const run = tempDir('lookout-demo-fixture-');
    writeFileSync(join(run, 'demo-template.failed'), 'in process 1: Error: server exited with 1 before listening\n');
    const r = await child(run).done;
    assert.match(r.error ?? '', /the run's demo fill failed .*\n.*server exited with 1 before listening/);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
    assert.equal(readFileSync(join(run, 'demo-template.failed'), 'utf8').startsWith('in process 1'), true);
  });
});
