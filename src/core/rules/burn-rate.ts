/**
 * Multiwindow, multi-burn-rate SLO alerts (Google SRE workbook, as Sloth and Pyrra generate them): page when 2% of
 * the SLO window's error budget burns within 1h (and 5m), or 5% within 6h (and 30m); ticket at 10% within 1d (and
 * 2h), or 10% within 3d (and 6h). For a 30-day SLO window these are the workbook's burn rates 14.4x, 6x, 3x and 1x;
 * for another window the rate that spends the same share of its budget (Sloth's factor: share x SLO period / long
 * window; 7 days: 3.36x, 1.4x, 0.7x, 0.23x). The short window makes the alert resolve soon after the burn stops. A
 * low-traffic guard refuses to fire on windows with too few events.
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

/** The workbook's rules: the share of the SLO window's budget (in percent) that, burnt within `long`, alerts. */
const BUDGET_RULES: ReadonlyArray<Omit<BurnRule, 'factor'> & { budgetPercent: number }> = [
  { severity: 'page', budgetPercent: 2, long: '1h', short: '5m' },
  { severity: 'page', budgetPercent: 5, long: '6h', short: '30m' },
  { severity: 'ticket', budgetPercent: 10, long: '1d', short: '2h' },
  { severity: 'ticket', budgetPercent: 10, long: '3d', short: '6h' },
];

/**
 * The rules of an SLO over `windowDays` days: each burn factor spends its share of that window's budget within its long
 * window (computed as percent x hours / (100 x long hours), exact for 30 days: 14.4, 6, 3, 1). A rule whose long window
 * is longer than the SLO window is left out (1 or 2 days: no 3d rule).
 */
export function burnRulesFor(windowDays: number): BurnRule[] {
  const hours = windowDays * 24;
  return BUDGET_RULES.filter((r) => BURN_WINDOWS[r.long] <= windowDays * 86_400_000).map(({ budgetPercent, ...r }) => ({
    ...r, factor: (budgetPercent * hours) / (100 * (BURN_WINDOWS[r.long] / 3_600_000)),
  }));
}

/** The rules of a 30-day SLO (the workbook's table). */
export const BURN_RULES: readonly BurnRule[] = burnRulesFor(30);

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
