/** Small statistics and formatting helpers shared by the benchmarks (no I/O). */

/** The q-quantile (0..1) of the values, nearest-rank on a sorted copy; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than two points. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? 0 : num / den;
}

/** "p50 1.2 ms, p95 3.4 ms, ..." for a list of millisecond timings. */
export function msSummary(values: readonly number[], qs: ReadonlyArray<[string, number]> = [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]]): string {
  const parts = qs.map(([name, q]) => `${name} ${fmtMs(quantile(values, q))}`);
  parts.push(`max ${fmtMs(values.length ? Math.max(...values) : NaN)}`);
  return `${parts.join(', ')} (n=${values.length})`;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 100 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(0)} ms`;
}

/** 123456 -> "123,456". */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function verdict(ok: boolean): string {
  return ok ? 'MET' : 'NOT MET';
}

/** Milliseconds since `t0` (a process.hrtime.bigint() reading). */
export function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
