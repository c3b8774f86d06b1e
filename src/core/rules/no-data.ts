import { firstLevel } from './compare.js';
import type { Level, Verdict } from './types.js';

/**
 * What an evaluation without a verdict (`insufficient_data`: no or too few samples, no value, no baseline) means for the
 * monitor's alert: `keep` it as it is (the default), count it as `ok` (resolves), or as `alerting` (fires at the lowest
 * level, with the reason; no level's action runs).
 */
export type NoDataPolicy = 'keep' | 'ok' | 'alerting';
export const NO_DATA_POLICIES: readonly NoDataPolicy[] = ['keep', 'ok', 'alerting'];

export function applyNoData(v: Verdict, policy: NoDataPolicy, levels: readonly Level[]): Verdict {
  if (v.status !== 'insufficient_data' || policy === 'keep') return v;
  const note = `no data (noData: ${policy}): ${v.note ?? 'no verdict'}`;
  if (policy === 'ok') return { ...v, status: 'ok', note };
  return { ...v, status: firstLevel(levels)?.severity ?? 'warning', note };
}
