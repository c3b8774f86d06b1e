import { chiSquareTwoRow } from '../stats/chi2.js';
import { proportions } from '../stats/binning.js';
import { hellinger, jensenShannon, psi } from '../stats/divergence.js';
import type { CategoricalStats } from './types.js';

/** Categories of either sample, in a stable order (code-unit order of the category strings). */
export function unionCategories(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  const all = new Set<string>();
  for (const [k, c] of a) if (c > 0) all.add(k);
  for (const [k, c] of b) if (c > 0) all.add(k);
  return [...all].sort();
}

/** Every categorical drift statistic for two non-empty samples given as category counts. */
export function categoricalStats(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): CategoricalStats {
  const cats = unionCategories(reference, current);
  const ref = cats.map((c) => reference.get(c) ?? 0);
  const cur = cats.map((c) => current.get(c) ?? 0);
  const p = proportions(ref);
  const q = proportions(cur);
  return {
    chiSquare: chiSquareTwoRow(ref, cur),
    psi: psi(p, q),
    jensenShannon: jensenShannon(p, q),
    hellinger: hellinger(p, q),
    newCategories: cats.filter((c) => !((reference.get(c) ?? 0) > 0)),
  };
}
