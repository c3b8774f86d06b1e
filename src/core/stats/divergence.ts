/**
 * Distances between two binned distributions p (reference) and q (current), given as proportions
 * (already floored for empty bins, see binning.ts).
 */

/** Population Stability Index: sum (q - p) * ln(q / p). */
export function psi(p: readonly number[], q: readonly number[]): number {
  sameLength(p, q);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number;
    const b = q[i] as number;
    s += (b - a) * Math.log(b / a);
  }
  return s;
}

/**
 * Jensen-Shannon distance with base-2 logarithms, as scipy.spatial.distance.jensenshannon(p, q, base=2):
 * both vectors are normalised to sum 1 first; the result is in [0, 1].
 */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  sameLength(p, q);
  const pn = normalise(p);
  const qn = normalise(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const a = pn[i] as number;
    const b = qn[i] as number;
    const m = (a + b) / 2;
    left += relEntr(a, m);
    right += relEntr(b, m);
  }
  const js = (left + right) / Math.LN2;
  return Math.sqrt(Math.max(0, js) / 2);
}

/** Hellinger distance sqrt(1/2 * sum (sqrt p - sqrt q)^2) of the normalised vectors; in [0, 1]. */
export function hellinger(p: readonly number[], q: readonly number[]): number {
  sameLength(p, q);
  const pn = normalise(p);
  const qn = normalise(q);
  let s = 0;
  for (let i = 0; i < pn.length; i++) {
    const d = Math.sqrt(pn[i] as number) - Math.sqrt(qn[i] as number);
    s += d * d;
  }
  return Math.sqrt(s / 2);
}

/** scipy.special.rel_entr: x * log(x / y), 0 at x = 0. */
function relEntr(x: number, y: number): number {
  if (x === 0) return 0;
  return x * Math.log(x / y);
}

function normalise(p: readonly number[]): number[] {
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / s);
}

function sameLength(p: readonly number[], q: readonly number[]): void {
  if (p.length !== q.length || p.length === 0) {
    throw new Error(`distributions must have the same non-zero length (got ${p.length} and ${q.length})`);
  }
}
