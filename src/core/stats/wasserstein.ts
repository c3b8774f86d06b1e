/**
 * First Wasserstein distance between two samples, as scipy.stats.wasserstein_distance(u, v):
 * the integral of |F_u(x) - F_v(x)| over x, computed by one merge over the sorted samples.
 * Inputs must be sorted ascending without missing values.
 */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) throw new Error('wasserstein distance needs two non-empty samples');
  let i = 0;
  let j = 0;
  let total = 0;
  // The merged sequence of all values; between consecutive merged values x_k < x_{k+1}
  // the ECDFs are constant: F_u = #(u <= x_k)/nu, F_v = #(v <= x_k)/nv.
  let prev = Math.min(u[0] as number, v[0] as number);
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && (u[i] as number) <= (v[j] as number)) ? (u[i] as number) : (v[j] as number);
    if (x !== prev) {
      total += Math.abs(i / nu - j / nv) * (x - prev);
      prev = x;
    }
    while (i < nu && u[i] === x) i++;
    while (j < nv && v[j] === x) j++;
  }
  return total;
}
