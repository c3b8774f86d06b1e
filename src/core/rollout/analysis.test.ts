import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../random/rng.js';
import { assertClose, loadGolden } from '../../../test/helpers/golden.js';
import { analyse, DEFAULT_ANALYSIS, errorRateP, lookAnalysis, p95AboveP, type ArmSnapshot, type LatencyTail } from './analysis.js';
import { lookLevel } from './spending.js';

/** The exact tail of a list of latencies (the gateway reads it from its sketch's bins instead). */
const tailOf = (values: readonly number[]) => (ms: number): LatencyTail => ({ slower: values.filter((v) => v > ms).length, of: values.length, aboveMs: ms });
/** `ok` latencies, the first 96% at 8 ms and the rest at 10 ms (a p95 of 10 ms), or `slow` of them at `slowMs`. */
const latencies = (ok: number, slow = Math.floor(ok * 0.04), slowMs = 10): number[] => Array.from({ length: ok }, (_, i) => (i < ok - slow ? 8 : slowMs));

const arm = (over: Partial<ArmSnapshot> & { latencies?: number[] } = {}): ArmSnapshot => {
  const { latencies: lat, ...rest } = over;
  const ok = (rest.n ?? 1000) - (rest.errors ?? 5);
  return { n: 1000, errors: 5, p95Ms: 10, slowerThan: tailOf(lat ?? latencies(ok)), categories: new Map([['yes', 400], ['no', 600]]), numeric: [], meanConfidence: 0.8, ...rest };
};

interface BinomialCase { k: number; n: number; p: number; sf: number }
const golden = loadGolden<{ scipy: string; binomialGreater: BinomialCase[] }>('rollout');

describe('issue 5: rollout step analysis', () => {
  test('error-rate test: one-sided Fisher exact, as scipy.stats.fisher_exact([[eB, nB-eB], [eA, nA-eA]], alternative=greater)', () => {
    // [errorsA (primary), nA, errorsB (canary), nB, scipy 1.17.1 p]
    const golden: Array<[number, number, number, number, number]> = [
      [5, 1000, 1, 3, 0.01785672909427395], [0, 202, 1, 3, 0.014634146341463417], [0, 202, 4, 6, 1.979920438877084e-07],
      [5, 1000, 1, 10, 0.05809517453136776], [5, 1000, 2, 40, 0.026810545465286374], [0, 200, 3, 100, 0.036295481582904986],
      [10, 100, 20, 100, 0.03671379486068818], [20, 100, 10, 100, 0.9859331476106494], [0, 1000, 0, 100, 1], [1000, 1000, 100, 100, 1],
      [500, 100000, 80, 10000, 0.0001301654221411528], [50, 10000, 500, 50000, 1.9243675879362875e-07], [3, 7, 2, 2, 0.27777777777777785], [7, 7, 0, 3, 1],
      // below the mode (canary failing less than the primary): the upper tail near 1, its first terms underflow at large counts
      [50000, 100000, 10000, 100000, 1], [500, 1000, 480, 1000, 0.8262197610677732], [30, 200, 2, 100, 0.9999813469627983],
      [5, 10, 5, 10, 0.6718591006516703], [3000, 10000, 2950, 9000, 2.0180186780742802e-05],
    ];
    for (const [ea, na, eb, nb, want] of golden) {
      const p = errorRateP(ea, na, eb, nb);
      assert.ok(Math.abs(p - want) <= 1e-9 * want, `${eb}/${nb} vs ${ea}/${na}: p=${p}, scipy ${want}`);
    }
    assert.equal(errorRateP(0, 0, 3, 3), 1, 'no primary requests: no evidence');
  });

  test('a handful of requests is no verdict: one failure in a step\'s first 3 (or 10, or 2 in 40) neither fails nor passes', () => {
    for (const [errors, n] of [[1, 3], [1, 10], [2, 40]] as const) {
      const a = analyse(arm({ n, errors }), arm(), null);
      assert.deepStrictEqual([a.fail, a.pass, a.insufficient], [false, false, true], `${errors} of ${n}: ${a.checks[0]?.detail ?? ''}`);
    }
    // a small sample against a small primary: 3 of 100 vs 0 of 200 is p = 0.036 (the z-test said 0.0069 < 0.01)
    const small = analyse(arm({ n: 100, errors: 3 }), arm({ n: 200, errors: 0 }), null);
    assert.equal(small.fail, false, String(small.checks[0]?.detail));
    assert.equal(small.pass, true);
  });

  test('a healthy canary passes; a failing one fails with the numbers; too few samples gives no verdict', () => {
    const ok = analyse(arm({ errors: 6 }), arm(), { n: 500, disagreements: 10 });
    assert.equal(ok.pass, true);
    assert.equal(ok.fail, false);
    assert.deepStrictEqual(ok.checks.map((c) => c.name), ['errorRate', 'latencyP95', 'disagreement', 'drift', 'estimatedPerformance']);
    const bad = analyse(arm({ errors: 150 }), arm(), null);
    assert.equal(bad.fail, true);
    const er = bad.checks.find((c) => c.name === 'errorRate');
    assert.deepStrictEqual([er?.canary, er?.primary, er?.pass], [0.15, 0.005, false]);
    const slow = analyse(arm({ p95Ms: 40, latencies: latencies(995, 995, 40) }), arm(), null);
    assert.equal(slow.fail, true);
    assert.equal(slow.checks.find((c) => c.name === 'latencyP95')?.limit, 20);
    const shifted = analyse(arm({ categories: new Map([['yes', 900], ['no', 100]]) }), arm(), { n: 500, disagreements: 250 });
    assert.deepStrictEqual(shifted.checks.filter((c) => !c.pass).map((c) => c.name), ['disagreement', 'drift']);
    const few = analyse(arm({ n: 20, errors: 0, p95Ms: 100 }), arm(), null);
    assert.equal(few.insufficient, true);
    assert.equal(few.pass, false);
    assert.equal(few.fail, false, 'latency alone on 20 samples is not a verdict');
    const fewButBroken = analyse(arm({ n: 40, errors: 40 }), arm(), null);
    assert.equal(fewButBroken.fail, true, 'an error rate significantly worse fails even before minSamples');
  });

  test('latency: an exact one-sided binomial test of the canary\'s share above the primary\'s p95 x ratio + slack (H0: at most 5%), as scipy.stats.binomtest', () => {
    for (const c of golden.binomialGreater.filter((x) => x.p === 0.05)) assertClose(p95AboveP({ slower: c.k, of: c.n, aboveMs: 1 }), c.sf, `${c.k} of ${c.n} above`, { pValue: true });
    assert.equal(p95AboveP({ slower: 0, of: 0, aboveMs: 1 }), 1);
    // the same latency distribution as the primary's, 40 requests of which 3 slow (7.5%): the point p95s were 150 ms
    // against 10 ms (limit 20 ms) and rolled back; P(3 or more of 40 slow | 5%) = 0.32
    const cfg = { ...DEFAULT_ANALYSIS, minSamples: 40 };
    const healthy = analyse(arm({ n: 40, errors: 0, p95Ms: 150, latencies: latencies(40, 3, 150) }), arm(), null, cfg);
    const lat = healthy.checks.find((c) => c.name === 'latencyP95');
    assert.deepStrictEqual([lat?.pass, healthy.fail, healthy.pass], [true, false, true], lat?.detail);
    assert.match(String(lat?.detail), /^exact one-sided binomial test: 3 of 40 canary requests slower than 20 ms .* p=3\.23e-1 \(fails when p < 0\.01\)$/);
    // 7 of 40 slow: p = 0.0034, rolled back; 3x slower on every request: p = 0.05^40
    const worse = analyse(arm({ n: 40, errors: 0, p95Ms: 150, latencies: latencies(40, 7, 150) }), arm(), null, cfg);
    assert.equal(worse.fail, true);
    const slow = analyse(arm({ n: 40, errors: 0, p95Ms: 30, latencies: latencies(40, 40, 30) }), arm(), null, cfg);
    assert.match(String(slow.checks.find((c) => c.name === 'latencyP95')?.detail), /40 of 40 .* p=9\.09e-53/);
  });

  test('disagreement: an exact one-sided binomial test against maxDisagreement (H0: the canary disagrees at most that often), as scipy.stats.binomtest', () => {
    const cfg = { ...DEFAULT_ANALYSIS, minSamples: 40 };
    for (const c of golden.binomialGreater.filter((x) => x.p !== 0.05 && x.n >= 40 && x.k <= x.n)) {
      const a = analyse(arm(), arm(), { n: c.n, disagreements: c.k }, { ...cfg, maxDisagreement: c.p });
      const d = a.checks.find((x) => x.name === 'disagreement');
      const p = Number(/p=(\S+) /.exec(String(d?.detail))?.[1]);
      assertClose(p, Number(c.sf.toExponential(2)), `${c.k} of ${c.n} against ${c.p}`, { rel: 1e-12 });
      assert.equal(d?.pass, c.sf >= 0.01, `${c.k} of ${c.n} against ${c.p}: ${String(d?.detail)}`);
    }
    // 10 of 40 paired answers differ (25% against a 20% limit): p = 0.27, as likely as not for a canary at the limit;
    // it rolled back as "0.25 > 0.2"
    const small = analyse(arm({ n: 40, errors: 0 }), arm(), { n: 40, disagreements: 10 }, cfg);
    const d = small.checks.find((x) => x.name === 'disagreement');
    assert.deepStrictEqual([d?.canary, d?.limit, d?.pass, small.fail], [0.25, 0.2, true, false], d?.detail);
    assert.equal(d?.detail, 'exact one-sided binomial test: 10 of 40 paired answers differ against at most 20%: p=2.68e-1 (fails when p < 0.01)');
    const many = analyse(arm({ n: 40, errors: 0 }), arm(), { n: 40, disagreements: 17 }, cfg);
    assert.equal(many.fail, true, 'p = 0.00099');
    assert.equal(analyse(arm(), arm(), { n: 500, disagreements: 1 }, { ...cfg, maxDisagreement: 0 }).fail, true, 'any difference disproves a limit of 0');
  });

  test('many classes, few answers: a canary answering like the primary is no drift although its rare classes are empty', () => {
    // 30 classes with Zipf frequencies; both arms draw their answers from the same distribution (seeded)
    const w = Array.from({ length: 30 }, (_, i) => 1 / (i + 1));
    const total = w.reduce((a, b) => a + b, 0);
    const r = seededRandom(5);
    const draw = (n: number): Map<string, number> => {
      const m = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        let u = r.next() * total;
        let k = 0;
        while (k < w.length - 1 && u > (w[k] as number)) u -= w[k++] as number;
        m.set(`c${k}`, (m.get(`c${k}`) ?? 0) + 1);
      }
      return m;
    };
    const a = analyse(arm({ n: 100, errors: 0, categories: draw(100) }), arm({ n: 5000, errors: 0, categories: draw(5000) }), null);
    const drift = a.checks.find((c) => c.name === 'drift');
    assert.ok((drift?.canary as number) > 0.25, 'PSI is inflated by the empty classes (the effect size alone)');
    assert.equal(drift?.pass, true, String(drift?.detail));
    assert.equal(a.fail, false);
    assert.equal(a.pass, true);
  });

  test('regression predictions: decile-bin PSI', () => {
    const base = Array.from({ length: 500 }, (_, i) => i / 500);
    const same = analyse(arm({ categories: new Map(), numeric: base }), arm({ categories: new Map(), numeric: base }), null);
    assert.ok((same.checks.find((c) => c.name === 'drift')?.canary as number) < 1e-9);
    const moved = analyse(arm({ categories: new Map(), numeric: base.map((x) => x + 0.5) }), arm({ categories: new Map(), numeric: base }), null);
    assert.ok((moved.checks.find((c) => c.name === 'drift')?.canary as number) > 1);
  });
});

test('lookAnalysis: a look tests errorRateAlpha and driftAlpha at its share of each (interimAlpha the budget of the looks before the end, at most half), leaves the rest, and takes the default interimAlpha for a rollout stored without it', () => {
  const cfg = { ...DEFAULT_ANALYSIS, errorRateAlpha: 0.05, driftAlpha: 0.0001, interimAlpha: 0.002 };
  const look = { prev: 0.25, t: 0.5, final: false };
  assert.deepEqual(lookAnalysis(cfg, look), { ...cfg, errorRateAlpha: lookLevel(0.05, 0.002, look), driftAlpha: lookLevel(0.0001, 0.002, look) });
  // driftAlpha 0.0001: the budget is half of it; the final look after a look at the end gets the other half
  const near = (got: number, want: number): void => assert.ok(Math.abs(got - want) < 1e-12 * want, `${got} vs ${want}`);
  near(lookAnalysis(cfg, { prev: 1, t: 1, final: true }).driftAlpha, 0.00005);
  near(lookAnalysis(cfg, { prev: 1, t: 1, final: true }).errorRateAlpha, 0.048);
  const stored = { ...DEFAULT_ANALYSIS } as Partial<typeof DEFAULT_ANALYSIS>;
  delete stored.interimAlpha;
  const got = lookAnalysis(stored as typeof DEFAULT_ANALYSIS, { prev: 1, t: 1, final: true });
  near(got.errorRateAlpha, 0.009);
  near(got.driftAlpha, 0.009);
  assert.equal(got.interimAlpha, 0.001);
});

describe('audit 6: the estimated-performance check has a significance guard', () => {
  const conf = (mean: number, n: number, sd: number): Partial<ArmSnapshot> => ({ meanConfidence: mean, confidenceSpread: { n, variance: sd * sd } });
  const perf = (a: ReturnType<typeof analyse>) => a.checks.find((c) => c.name === 'estimatedPerformance');

  test('a canary whose mean confidence of 100 answers is 0.74 against the primary\'s 0.80 of 1000 (sd 0.2 each; limit 0.75) is within noise: z = 0.477, p = 0.317 (scipy.stats.norm.sf), no rollback', () => {
    // one-sided Welch z-test of H0 "the canary's mean confidence is at least the primary's - maxPerformanceDrop":
    // z = (0.80 - 0.05 - 0.74) / sqrt(0.04 / 100 + 0.04 / 1000) = 0.4767; norm.sf(0.4767) = 0.3168
    const a = analyse(arm({ n: 100, errors: 0, ...conf(0.74, 100, 0.2) }), arm({ ...conf(0.8, 1000, 0.2) }), null);
    const c = perf(a);
    assert.equal(c?.pass, true, JSON.stringify(c));
    assert.equal(a.fail, false);
    assert.match(String(c?.detail), /p=3\.17e-1 /);
  });

  test('a canary clearly below the limit still fails: mean 0.60 of 100 answers against 0.80 (sd 0.2): z = 7.15, p = 4.3e-13', () => {
    const a = analyse(arm({ n: 100, errors: 0, ...conf(0.6, 100, 0.2) }), arm({ ...conf(0.8, 1000, 0.2) }), null);
    const c = perf(a);
    assert.equal(c?.pass, false, JSON.stringify(c));
    assert.equal(a.fail, true);
    assert.match(String(c?.detail), /p=4\.3\de-13 /);
  });

  test('every answer with the same confidence (no spread): below the limit fails, at it passes; without a known spread the bare threshold', () => {
    assert.equal(perf(analyse(arm({ n: 100, errors: 0, ...conf(0.7, 100, 0) }), arm({ ...conf(0.8, 1000, 0) }), null))?.pass, false);
    assert.equal(perf(analyse(arm({ n: 100, errors: 0, ...conf(0.75, 100, 0) }), arm({ ...conf(0.8, 1000, 0) }), null))?.pass, true);
    assert.equal(perf(analyse(arm({ n: 100, errors: 0, meanConfidence: 0.74 }), arm({ meanConfidence: 0.8 }), null))?.pass, false);
  });
});
