/**
 * Multiwindow, multi-burn-rate SLO alerts (Google SRE workbook, as Sloth and Pyrra generate them) for a
 * 30-day SLO window: page when the budget burns 14.4x over 1h and 5m, or 6x over 6h and 30m; ticket at
 * 3x over 1d and 2h, or 1x over 3d and 6h. The short window makes the alert resolve soon after the burn
 * stops. A low-traffic guard refuses to fire on windows with too few events.
 */

export const BURN_WINDOWS = { '5m': 5 * 60_000, '30m': 30 * 60_000, '1h': 3_600_000, '2h': 7_200_000, '6h': 21_600_000, '1d': 86_400_000, '3d': 3 * 86_400_000 } as const;
export type BurnWindow = keyof typeof BURN_WINDOWS;
export const BURN_WINDOW_NAMES = Object.keys(BURN_WINDOWS) as BurnWindow[];

export interface BurnRule {
  severity: 'page' | 'ticket';
  factor: number;
  long: BurnWindow;
  short: BurnWindow;
}

export const BURN_RULES: readonly BurnRule[] = [
  { severity: 'page', factor: 14.4, long: '1h', short: '5m' },
  { severity: 'page', factor: 6, long: '6h', short: '30m' },
  { severity: 'ticket', factor: 3, long: '1d', short: '2h' },
  { severity: 'ticket', factor: 1, long: '3d', short: '6h' },
];

export interface GoodTotal {
  good: number;
  total: number;
}

/** Burn rate = observed error rate / allowed error rate (1 − objective); null without traffic. */
export function burnRate(c: GoodTotal, objective: number): number | null {
  if (c.total <= 0) return null;
  const budget = 1 - objective;
  const err = (c.total - c.good) / c.total;
  return budget > 0 ? err / budget : err > 0 ? Infinity : 0;
}

/** Share of the window's error budget left (1 = untouched, 0 = spent, negative = overspent). */
export function errorBudgetRemaining(window: GoodTotal, objective: number): number | null {
  if (window.total <= 0) return null;
  const allowed = (1 - objective) * window.total;
  const bad = window.total - window.good;
  return allowed > 0 ? 1 - bad / allowed : bad > 0 ? -Infinity : 1;
}

export interface Firing {
  severity: 'page' | 'ticket';
  factor: number;
  long: BurnWindow;
  short: BurnWindow;
  longRate: number;
  shortRate: number;
}

/**
 * The rules that fire: both windows burn more than `factor` (as Sloth and the SRE workbook: a burn exactly at the factor
 * spends the budget as planned), and both have at least `minEvents` events (the low-traffic guard: a single failed
 * request in a quiet 5 minutes must not page).
 */
export function firingRules(counts: Readonly<Record<BurnWindow, GoodTotal>>, objective: number, minEvents: number, rules: readonly BurnRule[] = BURN_RULES): Firing[] {
  const out: Firing[] = [];
  for (const r of rules) {
    const l = counts[r.long];
    const s = counts[r.short];
    if (l.total < minEvents || s.total < minEvents) continue;
    const lr = burnRate(l, objective);
    const sr = burnRate(s, objective);
    if (lr !== null && sr !== null && lr > r.factor && sr > r.factor) {
      out.push({ severity: r.severity, factor: r.factor, long: r.long, short: r.short, longRate: lr, shortRate: sr });
    }
  }
  return out;
}

/** The most severe firing rule ('page' before 'ticket', then the fastest burn). */
export function worstFiring(f: readonly Firing[]): Firing | undefined {
  return [...f].sort((a, b) => (a.severity === b.severity ? b.factor - a.factor : a.severity === 'page' ? -1 : 1))[0];
}
