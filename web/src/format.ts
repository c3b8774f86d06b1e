/** Number and time formatting for tables and chart axes. */
export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return v.toLocaleString('en-US', { maximumFractionDigits: a >= 100 ? 0 : digits });
}

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`;
}

export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v >= 100 ? 0 : 1)} ms`;
}

export function usd(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(2)}`;
}

export function count(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v));
}

export function time(t: number | null | undefined): string {
  if (t === null || t === undefined) return '—';
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

export function ago(t: number, now = Date.now()): string {
  const s = Math.round((now - t) / 1000);
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129_600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
