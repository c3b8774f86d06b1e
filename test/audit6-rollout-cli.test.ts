import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookoutAsync } from './helpers/cli.js';
import { rolloutFixture } from './helpers/rollout.js';

describe('audit 6: lookout rollout start sets the analysis, the SLO and the bake time', { timeout: 120_000 }, () => {
  test('--step-duration, --max-step-duration, --bake, --min-samples, --max-error-rate, --max-p95-ms, --slo-min-samples, --analysis and --slo reach the rollout spec; --help lists them', async () => {
    const f = await rolloutFixture({}, {});
    try {
      const cli = (...args: string[]) => lookoutAsync(['rollout', ...args, '--url', f.url]);
      const help = await cli('start', '--help');
      assert.equal(help.code, 0, help.stderr);
      for (const o of ['--step-duration', '--max-step-duration', '--bake', '--min-samples', '--max-error-rate', '--max-p95-ms', '--slo-min-samples', '--analysis', '--slo']) assert.ok(help.stdout.includes(o), `${o} in --help`);
      const r = await cli('start', 'churn', '1.1.0', '--reason', 'retrained', '--steps', '10,50,100', '--step-duration', '10m', '--max-step-duration', '2h',
        '--bake', '30m', '--min-samples', '200', '--max-error-rate', '0.02', '--max-p95-ms', '250', '--slo-min-samples', '80',
        '--analysis', '{"maxDisagreement": 0.1, "maxLatencyRatio": 1.5}', '--slo', '{"errorRateAlpha": 0.005}');
      assert.equal(r.code, 0, r.stderr);
      const ro = await f.rollout();
      assert.deepStrictEqual(ro.steps, [10, 50, 100]);
      assert.equal(ro.stepDurationMs, 600_000);
      assert.equal(ro.maxStepDurationMs, 7_200_000);
      assert.equal(ro.bakeMs, 1_800_000);
      const a = ro.analysis as Record<string, number>;
      assert.equal(a.minSamples, 200);
      assert.equal(a.maxDisagreement, 0.1);
      assert.equal(a.maxLatencyRatio, 1.5);
      assert.deepStrictEqual(ro.slo, { maxErrorRate: 0.02, errorRateAlpha: 0.005, maxP95Ms: 250, minSamples: 80 });
    } finally {
      await f.close();
    }
  });

  test('bad values exit 2 with the server\'s validation message (nothing started); a bad duration or JSON exits 2 naming the option', async () => {
    const f = await rolloutFixture({}, {});
    try {
      const cli = (...args: string[]) => lookoutAsync(['rollout', 'start', 'churn', '1.1.0', '--reason', 'x', ...args, '--url', f.url]);
      let r = await cli('--max-error-rate', '1.5');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /rollout "maxErrorRate" must be a number from 0 to 1 \(HTTP 400 bad_request\)/);
      r = await cli('--min-samples', '0');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /rollout "minSamples" must be a number from 1 to/);
      r = await cli('--analysis', '{"minSampels": 10}');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /minSampels/);
      r = await cli('--bake', 'soon');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--bake/);
      r = await cli('--slo', '{nope');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--slo/);
      assert.equal(await f.rollout(), null, 'no rollout was started');
    } finally {
      await f.close();
    }
  });
});
