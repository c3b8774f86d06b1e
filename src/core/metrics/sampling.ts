/**
 * Random variates built on the project's seeded source (no Math.random in src/core):
 * standard normal (Marsaglia polar), gamma (Marsaglia–Tsang), binomial (inversion for small
 * means, Knuth's exact beta-splitting recursion otherwise), multinomial (conditional
 * binomials) and Poisson(1) (inversion against a precomputed CDF table).
 */
import type { Random } from '../random/rng.js';

export function normal(rng: Random): number {
  for (;;) {
    const u = 2 * rng.next() - 1;
    const v = 2 * rng.next() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** Gamma(shape, 1) for shape >= 1. */
export function gamma(rng: Random, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Binomial(n, p) with integer n >= 0. */
export function binomial(rng: Random, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  if (n * p < 30) return binomialInversion(rng, n, p);
  // Knuth, TAOCP vol. 2, 3.4.1 F: the a-th smallest of n uniforms is Beta(a, b).
  const a = 1 + Math.floor(n / 2);
  const b = n + 1 - a;
  const ga = gamma(rng, a);
  const x = ga / (ga + gamma(rng, b));
  if (x >= p) return binomial(rng, a - 1, p / x);
  return a + binomial(rng, b - 1, (p - x) / (1 - x));
}

function binomialInversion(rng: Random, n: number, p: number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = Math.pow(q, n);
  let u = rng.next();
  let x = 0;
  while (u > r) {
    u -= r;
    x++;
    if (x > n) return n; // rounding guard: the tail mass is exhausted
    r *= a / x - s;
  }
  return x;
}

/**
 * Multinomial(n, counts / sum(counts)): the bootstrap distribution of a table of cell counts.
 * Drawn cell by cell as Binomial(remaining rows, cell / remaining mass); zero cells stay zero.
 */
export function multinomialFromCounts(rng: Random, counts: ArrayLike<number>, out: Float64Array): void {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  let remainingRows = total;
  let remainingMass = total;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (c === 0 || remainingRows === 0) {
      out[i] = 0;
      continue;
    }
    const x = c >= remainingMass ? remainingRows : binomial(rng, remainingRows, c / remainingMass);
    out[i] = x;
    remainingRows -= x;
    remainingMass -= c;
  }
}

/** CDF of Poisson(1) at 0..K, for inversion. */
const POISSON1_CDF: number[] = (() => {
  const cdf: number[] = [];
  let pmf = Math.exp(-1);
  let acc = 0;
  for (let k = 0; k < 20; k++) {
    acc += pmf;
    cdf.push(acc);
    pmf /= k + 1;
  }
  return cdf;
})();

/** Poisson(1) by inversion (the weight of one row in a Poisson bootstrap). */
export function poisson1(u: number): number {
  if (u < 0.36787944117144233) return 0;
  if (u < 0.7357588823428847) return 1;
  let k = 2;
  while (k < POISSON1_CDF.length && u >= (POISSON1_CDF[k] as number)) k++;
  return k;
}
