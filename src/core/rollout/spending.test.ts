import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binomialSfAtLeast } from '../stats/binomial.js';
import { interimShare, leftAfter, lookLevel, normalIsf, normalSf, obrienFlemingSpent, UNIFORM_SHARE, WAITING_SHARE } from './spending.js';

const close = (got: number, want: number, rtol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= rtol * Math.abs(want), `${what}: ${got}, scipy ${want}`);

describe('audit 6: alpha spending over the looks of a rollout step', () => {
  test('normalSf and normalIsf agree with scipy.stats.norm.sf / norm.isf', () => {
    // scipy 1.x: norm.sf(z)
    const sf: Array<[number, number]> = [[-3, 0.9986501019683699], [-1, 0.8413447460685429], [0, 0.5], [0.5, 0.3085375387259869],
      [1.96, 0.024997895148220435], [3.29, 0.0005009369137857222], [5, 2.866515718791933e-07], [8, 6.22096057427174e-16],
      [12, 1.776482112077653e-33], [20, 2.7536241186061556e-89]];
    for (const [z, want] of sf) close(normalSf(z), want, 2e-7, `norm.sf(${z})`);
    const isf: Array<[number, number]> = [[1e-12, 7.034483825301131], [1e-6, 4.753424308822899], [0.0005, 3.2905267314918945],
      [0.01, 2.3263478740408408], [0.025, 1.9599639845400545], [0.3, 0.5244005127080409], [0.9, -1.2815515655446004], [0.999, -3.090232306167813]];
    // as exact as the tail it inverts (relative error 1.2e-7 of the probability)
    for (const [p, want] of isf) close(normalIsf(p), want, 5e-7, `norm.isf(${p})`);
    assert.ok(Math.abs(normalIsf(0.5)) < 1e-7);
  });

  test('O\'Brien-Fleming-shaped spending 2 - 2 Phi(z_(1-a/2) / sqrt(t)) agrees with scipy.stats.norm', () => {
    // 2 * norm.sf(norm.isf(a / 2) / sqrt(t)); the relative error grows as z / t times that of the normal tail
    const want: Array<[number, number, number]> = [
      [0.001, 0.01, 1.8478318194748435e-237], [0.001, 0.1, 2.3387891890019495e-25], [0.001, 0.25, 4.67126563504102e-11],
      [0.001, 0.5, 3.263356788525443e-06], [0.001, 0.75, 0.00014494561968345185], [0.001, 0.9, 0.000523334108294541],
      [0.001, 0.99, 0.0009426595585629585], [0.0005, 0.5, 8.543119007893361e-07], [0.0005, 0.9, 0.00024346355344662842],
      [0.01, 0.01, 2.6026860118916825e-146], [0.01, 0.1, 3.7775698274449753e-16], [0.01, 0.25, 2.5819272972327493e-07],
      [0.01, 0.5, 0.000269716956631483], [0.01, 0.75, 0.002936468274443483], [0.01, 0.99, 0.009630937611169201],
      [0.005, 0.9, 0.0030876592772649774],
    ];
    for (const [a, t, w] of want) close(obrienFlemingSpent(t, a), w, t < 0.05 ? 1e-3 : 2e-5, `OBF(${t}, ${a})`);
    assert.equal(obrienFlemingSpent(0, 0.01), 0);
    assert.equal(obrienFlemingSpent(1, 0.01), 0.01);
  });

  test('the levels of a series of looks sum to the configured alpha whatever the tick times, the final look getting what is left', () => {
    for (const [alpha, interim, ticks] of [[0.01, 0.001, 720], [0.01, 0.001, 120], [0.05, 0.01, 7], [0.01, 0.5, 50], [0.001, 0.001, 1]] as const) {
      let prev = 0;
      let sum = 0;
      for (let i = 1; i < ticks; i++) {
        const t = i / ticks;
        const l = lookLevel(alpha, interim, { prev, t, final: false });
        assert.ok(l >= 0);
        sum += l;
        prev = t;
      }
      const last = lookLevel(alpha, interim, { prev, t: 1, final: true });
      assert.ok(last >= alpha - Math.min(interim, alpha / 2) - 1e-15, `final look ${last} at least alpha - the interim budget`);
      assert.ok(Math.abs(sum + last - alpha) < 1e-12 * alpha, `${ticks} looks spent ${sum + last}, alpha ${alpha}`);
    }
    // time going back (a resumed step restarts its clock): no level until the previous look's fraction is passed
    assert.equal(lookLevel(0.01, 0.001, { prev: 0.5, t: 0.1, final: false }), 0);
    // a look after the end while the step waits for samples (t capped at 1) spends what is left of the interim budget
    assert.ok(Math.abs(lookLevel(0.01, 0.001, { prev: 0.9, t: 1, final: false }) - 0.001 * (1 - interimShare(0.9, 0.001))) < 1e-15);
    assert.equal(lookLevel(0.01, 0.001, { prev: 1, t: 1, final: false }), 0);
    close(lookLevel(0.01, 0.001, { prev: 1, t: 1, final: true }), 0.009, 1e-12, 'final look after the whole interim budget');
  });

  test('the first look still rolls back a version failing every request: its level is above the exact binomial p of all-failing', () => {
    // first look of a 1-h bake at 5 s (t = 1/720): the uniform share alone gives 0.1 * 0.001 / 720 = 1.4e-7; 50 requests
    // all failing against a 5% objective: binom.sf(49, 50, 0.05) = 0.05^50 = 8.9e-66; 10 against a 50% one: 9.8e-4
    // is not reached (not a gross failure at that objective), 30 of them (9.3e-10) is
    const first = lookLevel(0.01, 0.001, { prev: 0, t: 1 / 720, final: false });
    assert.ok(first >= UNIFORM_SHARE * 0.001 / 720 * (1 - 1e-12), String(first));
    assert.ok(obrienFlemingSpent(1 / 720, 0.001) === 0, 'the OBF part alone underflows to 0 this early');
    assert.ok(binomialSfAtLeast(50, 50, 0.05) < first);
    assert.ok(binomialSfAtLeast(10, 10, 0.5) > first);
    assert.ok(binomialSfAtLeast(30, 30, 0.5) < first);
    // every later look of the series too: the uniform share gives each at least 0.1 * b * dt
    let prev = 1 / 720;
    for (let i = 2; i < 720; i++) {
      const l = lookLevel(0.01, 0.001, { prev, t: i / 720, final: false });
      assert.ok(l >= UNIFORM_SHARE * 0.001 / 720 * (1 - 1e-9), `look ${i}: ${l}`);
      prev = i / 720;
    }
  });

  test('while a step waits for samples after its end (t = 1 + u), its looks spend a tenth of what is left evenly over the waiting time; the final look gets the rest, and all of them sum to alpha', () => {
    // 5 s of the 540 s a 1-min step may wait (maxStepDurationMs 10 min): 0.1 x (0.01 - 0.001) x 5 / 540 = 8.33e-6
    const l = lookLevel(0.01, 0.001, { prev: 1, t: 1 + 5 / 540, final: false });
    close(l, WAITING_SHARE * 0.009 * 5 / 540, 1e-12, 'a waiting look');
    let prev = 0;
    let sum = 0;
    for (const t of [0.5, 0.99, 1, 1.2, 1.7, 2, 2]) {
      sum += lookLevel(0.01, 0.001, { prev, t, final: false });
      prev = t;
    }
    const last = lookLevel(0.01, 0.001, { prev, t: 2, final: true });
    close(last, 0.9 * 0.009, 1e-12, 'the final look after the whole waiting time');
    close(sum + last, 0.01, 1e-12, 'all the looks');
  });

  test('a step paused twice: the levels of its three series of looks (5-s looks of a 1-h step, paused at 0.5 and 0.97) sum to alpha, not 3 alpha', () => {
    const alpha = 0.01;
    const ia = 0.005;
    const series = (earlier: number[], upTo: number, final: boolean): number => {
      let sum = 0;
      for (let i = 1; i <= upTo; i++) sum += lookLevel(alpha, ia, { prev: (i - 1) / 720, t: i / 720, final: final && i === upTo, earlier });
      return sum;
    };
    const total = series([], 360, false) + series([0.5], 700, false) + series([0.5, 700 / 720], 720, true);
    close(total, alpha, 1e-9, 'sum of the levels of all the looks');
    // numpy/scipy with the documented spending function: after 0.5 then 700/720, 0.01 - 0.00031475 - 0.0043164 = 0.0053689 left
    close(leftAfter(alpha, ia, [0.5, 700 / 720]), 0.0053689, 1e-4, 'left after two pauses');
    assert.equal(leftAfter(alpha, ia, []), alpha);
  });
});
