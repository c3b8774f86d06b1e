import type { Random } from '../core/random/rng.js';

/** Synthetic but plausible traffic for the demo models (deterministic for a seed). */
export function normal(r: Random): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

function pick<T>(r: Random, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r.next() * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i] as number;
    if (x < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

/** Traffic at a UTC hour relative to the day's mean (both demo models): busiest at 14:00, quietest at 02:00. */
export function trafficSeason(hour: number): number {
  return 1 + 0.6 * Math.sin(((hour - 8) / 24) * 2 * Math.PI);
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const HOUR_WEIGHTS = HOURS.map(trafficSeason);

/**
 * An hour of the day drawn as the traffic arrives (trafficSeason). The eta reference drew it uniformly, so every
 * whole day of production traffic drifted from it (hour_of_day, normalised Wasserstein ~0.26): the dashboard showed
 * eta as "Warning, 1/5 features drifted" on any day, incident or not.
 */
export function seasonalHour(r: Random): number {
  return pick(r, HOURS, HOUR_WEIGHTS);
}

export interface ChurnRow {
  features: { age: number; tenure_months: number; monthly_spend: number; support_calls: number; plan: string; channel: string };
  region: string;
  score: number;
  label: '0' | '1';
}

/** One churn row; `drift` in [0, 1] moves spend up, plans toward basic and breaks the score's calibration. */
export function churnRow(r: Random, drift: number): ChurnRow {
  const plan = pick(r, ['basic', 'plus', 'pro', 'enterprise'], drift > 0 ? [0.5, 0.25, 0.2, 0.05] : [0.3, 0.3, 0.3, 0.1]);
  const tenure = Math.max(0, Math.round(-Math.log(1 - r.next()) * 24));
  const spend = Math.round(Math.max(5, (plan === 'basic' ? 20 : plan === 'plus' ? 45 : plan === 'pro' ? 80 : 200) * (1 + 0.35 * drift) + normal(r) * 8) * 100) / 100;
  const calls = Math.min(20, Math.round(-Math.log(1 - r.next()) * (1.2 + drift)));
  const age = Math.round(Math.min(90, Math.max(18, 41 + normal(r) * 13)));
  const logit = -1.6 + 0.35 * calls - 0.04 * tenure + (plan === 'basic' ? 0.4 : 0) + normal(r) * 0.3;
  const score = 1 / (1 + Math.exp(-logit));
  // Under drift the true churn rate departs from what the model believes.
  const trueP = Math.min(0.99, score * (1 + 1.2 * drift) + 0.08 * drift);
  return {
    features: { age, tenure_months: tenure, monthly_spend: spend, support_calls: calls, plan, channel: pick(r, ['web', 'ios', 'android', 'store'], [0.4, 0.25, 0.25, 0.1]) },
    region: pick(r, ['eu', 'us', 'apac'], [0.45, 0.4, 0.15]),
    score: Math.round(score * 1e4) / 1e4,
    label: r.next() < trueP ? '1' : '0',
  };
}

export interface EtaRow {
  features: { distance_km: number; items: number; hour_of_day: number; weather: string; courier: string };
  city: string;
  prediction: number;
  actual: number;
}

export function etaRow(r: Random, hour: number): EtaRow {
  const distance = Math.round(Math.max(0.3, -Math.log(1 - r.next()) * 4) * 100) / 100;
  const items = 1 + Math.floor(-Math.log(1 - r.next()) * 2);
  const weather = pick(r, ['clear', 'rain', 'snow'], [0.7, 0.25, 0.05]);
  const courier = pick(r, ['bike', 'scooter', 'car'], [0.4, 0.35, 0.25]);
  const base = 12 + distance * (courier === 'bike' ? 4 : courier === 'scooter' ? 3 : 2.5) + items * 1.5 + (weather === 'rain' ? 6 : weather === 'snow' ? 15 : 0);
  const rush = hour >= 17 && hour <= 20 ? 8 : 0;
  const prediction = Math.round((base + rush * 0.8) * 10) / 10;
  const actual = Math.round(Math.max(5, base + rush + normal(r) * 5) * 10) / 10;
  return { features: { distance_km: distance, items, hour_of_day: hour, weather, courier }, city: pick(r, ['berlin', 'paris', 'madrid'], [0.4, 0.35, 0.25]), prediction, actual };
}
