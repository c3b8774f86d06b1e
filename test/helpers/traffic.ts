import { seededRandom, type Random } from '../../src/core/random/rng.js';

/** Synthetic traffic of a binary classifier with weekly seasonality and injectable incidents (deterministic). */
export const HOUR = 3_600_000;
export const MIN = 60_000;
export const DAY = 86_400_000;

export interface Conditions {
  /** Shift of x (in standard deviations). */
  xShift?: number;
  /** Category shares of c (a, b, c). */
  cShares?: [number, number, number];
  missingX?: number;
  /** Probability that the prediction is right. */
  pCorrect?: number;
  /** Share of requests that are slow (900 ms). */
  slow?: number;
}

export interface Sent {
  id: string;
  label: string;
}

function normal(r: Random): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** Events per hour: busy days 08:00-20:00, quiet nights, weekends at 60%, +-5% noise. */
export function volume(r: Random, hourStart: number): number {
  const d = new Date(hourStart);
  const day = d.getUTCHours() >= 8 && d.getUTCHours() < 20;
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  return Math.round((day ? 400 : 150) * (weekend ? 0.6 : 1) * (0.95 + 0.1 * r.next()));
}

export class Traffic {
  private readonly r: Random;
  private n = 0;
  constructor(seed: number) {
    this.r = seededRandom(seed);
  }

  row(c: Conditions): { x: number | null; c: string; score: number; prediction: string; label: string; latencyMs: number } {
    const r = this.r;
    const x = normal(r) + (c.xShift ?? 0);
    const shares = c.cShares ?? [0.5, 0.3, 0.2];
    const u = r.next();
    const cat = u < shares[0] ? 'a' : u < shares[0] + shares[1] ? 'b' : 'c';
    const score = Math.round((1 / (1 + Math.exp(-1.5 * x))) * 1000) / 1000;
    const prediction = score >= 0.5 ? '1' : '0';
    const right = r.next() < (c.pCorrect ?? 0.9);
    const label = right ? prediction : prediction === '1' ? '0' : '1';
    const slow = r.next() < (c.slow ?? 0);
    const latencyMs = slow ? 900 : Math.round(Math.max(5, 40 + normal(r) * 10));
    return { x: r.next() < (c.missingX ?? 0.02) ? null : Math.round(x * 1000) / 1000, c: cat, score, prediction, label, latencyMs };
  }

  /** `count` events spread evenly over [from, to), and their labels. */
  slice(from: number, to: number, count: number, c: Conditions): { events: Array<Record<string, unknown>>; labels: Sent[] } {
    const events: Array<Record<string, unknown>> = [];
    const labels: Sent[] = [];
    for (let i = 0; i < count; i++) {
      const row = this.row(c);
      const id = `e${this.n++}`;
      const region = this.r.next() < 0.6 ? 'eu' : 'us';
      events.push({
        id, model: 'churn', version: '1', timestamp: from + Math.floor(((i + 0.5) / count) * (to - from)),
        features: { ...(row.x !== null && { x: row.x }), c: row.c }, prediction: row.prediction, score: row.score, latencyMs: row.latencyMs, segment: { region },
      });
      labels.push({ id, label: row.label });
    }
    return { events, labels };
  }

  volume(hourStart: number): number {
    return volume(this.r, hourStart);
  }

  referenceCsv(rows: number): string {
    const lines = ['x,c,prediction,score,label'];
    for (let i = 0; i < rows; i++) {
      const r = this.row({ missingX: 0.02 });
      lines.push(`${r.x ?? ''},${r.c},${r.prediction},${r.score},${r.label}`);
    }
    return lines.join('\n') + '\n';
  }
}
