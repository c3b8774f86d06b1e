/** Number and time formatting for tables and chart axes. */
export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return v.toLocaleString('en-US', { maximumFractionDigits: a >= 100 ? 0 : digits });
}

/** A chart's value format: `more` digits beyond its own (tickLabels asks for them when ticks would read alike). */
export type ValueFormat = (v: number, more?: number) => string;

/** num with `digits` digits, as a chart's value format. */
export const numFormat = (digits: number): ValueFormat => (v, more = 0) => num(v, digits + more);

/** pct with `digits` digits, as a chart's value format. */
export const pctFormat = (digits: number): ValueFormat => (v, more = 0) => pct(v, digits + more);

/**
 * The labels of a chart axis's ticks: `fmt`'s, with as many more digits (up to 6) as it takes for ticks of different
 * values to read differently, no tick but 0 to read as 0 does, and each tick to read as its value (audit 25). Until audit 23 an axis of small values read "0.01, 0,
 * 0, 0" (a throughput of a few events an hour, num(v, 2)) or "0.0%" on every tick (an error rate of 0.01%).
 */
export function tickLabels(vals: ReadonlyArray<number | null>, fmt: ValueFormat): string[] {
  const ticks = vals.map((v) => (v === null || !Number.isFinite(v) ? null : v));
  for (let more = 0; ; more++) {
    const labels = ticks.map((v) => (v === null ? '' : fmt(v, more)));
    const zero = fmt(0, more);
    const seen = new Map<string, number>();
    const clear = ticks.every((v, i) => {
      if (v === null) return true;
      const label = labels[i] as string;
      if (v !== 0 && label === zero) return false;
      const other = seen.get(label);
      seen.set(label, v);
      return other === undefined || other === v;
    });
    // Audit 25: and every label reads as its tick's value: ticks 0.025 apart read "0.03, 0.05, 0.08" with 2 digits.
    const exact = ticks.every((v) => {
      const [a, b] = v === null ? [0, 0] : [readAs(fmt(v, more)), readAs(fmt(v, more + 1))];
      return a === b || (Number.isNaN(a) && Number.isNaN(b));
    });
    if ((clear && exact) || more >= 6) return labels;
  }
}

/** The number a label reads as ("$0.0005", "5.0%", "1,200 ms" -> 0.0005, 5, 1200), to compare two labels of one tick. */
function readAs(label: string): number {
  const m = /-?\d+(\.\d+)?(e[-+]?\d+)?/i.exec(label.replace(/,/g, ''));
  return m ? Number(m[0]) : NaN;
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
