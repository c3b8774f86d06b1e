import type { Look } from '../core/rollout/spending.js';
import type { Rollout } from './spec.js';

/** Per rollout, its current series of looks (a step or the bake period) and the elapsed fraction of its last look. */
export class RolloutLooks {
  private readonly looks = new Map<string, { series: string; t: number }>();

  /** A rollout loaded at a restart: the looks before it spent at most what the spending function allows by now. */
  resume(r: Rollout, now: number): void {
    const { series, t } = this.seriesOf(r, now);
    this.looks.set(r.id, { series, t: Math.min(t, 2) });
  }

  forget(id: string): void {
    this.looks.delete(id);
  }

  /** The rollout's current series of looks (its step, or the bake period) and the elapsed fraction of it at `now`. */
  private seriesOf(r: Rollout, now: number): { series: string; t: number } {
    if (r.state === 'promoted') return { series: 'bake', t: r.bakeMs > 0 ? Math.min(1, (now - (r.promotedAt ?? now)) / r.bakeMs) : 1 };
    // a resumed step starts again on fresh statistics (resumeNow resets them): a new series, spending what the looks
    // before the pause left (stepLooks)
    const elapsed = now - r.stepStartedAt;
    const t = elapsed < r.stepDurationMs ? elapsed / r.stepDurationMs : 1 + Math.min(1, (elapsed - r.stepDurationMs) / Math.max(1, r.maxStepDurationMs - r.stepDurationMs));
    return { series: `step ${r.step} from ${r.stepStartedAt}`, t };
  }

  /** This look of the rollout's series (see spending.ts); `record` makes it the series' last look. */
  look(r: Rollout, now: number, final: boolean): Look {
    const { series, t } = this.seriesOf(r, now);
    const last = this.looks.get(r.id);
    const prev = last?.series === series ? last.t : 0;
    this.looks.set(r.id, { series, t: Math.max(prev, Math.min(t, 2)) });
    const earlier = r.state === 'promoted' ? [] : r.stepLooks ?? [];
    return { prev, t: Math.min(t, 2), final, ...(earlier.length > 0 && { earlier }) };
  }

  /** The elapsed fraction the looks of the rollout's current series reached (0 before its first look). */
  reached(r: Rollout, now: number): number {
    const last = this.looks.get(r.id);
    return last?.series === this.seriesOf(r, now).series ? last.t : 0;
  }
}
