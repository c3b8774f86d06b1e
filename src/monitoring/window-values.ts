import { createHash } from 'node:crypto';
import type { Granularity } from '../storage/types.js';
import type { VersionContext } from './catalog.js';

/**
 * Bump when what a stored window value means changes (a statistic's computation, a default drift method or
 * threshold): values stored under an older version then no longer match any reader's basis and are recomputed.
 */
export const WINDOW_VALUES_VERSION = 4;

/**
 * Granularities whose per-window values are stored (WindowValue): hour and day windows are kept for good; minute
 * windows are many, short-lived, and a minute series spans few of them.
 */
export function storesWindowValues(g: Granularity): boolean {
  return g === 'hour' || g === 'day';
}

const bases = new WeakMap<VersionContext, string | null>();

/**
 * What a version's window values are computed against: a digest of the version's reference (its profile, with the
 * reference summary), its summary spec (features, bins) and WINDOW_VALUES_VERSION. Null without a reference (the
 * feature metrics are then null, nothing worth storing).
 */
export function windowValueBasis(v: VersionContext): string | null {
  let b = bases.get(v);
  if (b === undefined) {
    b = v.reference === null ? null : createHash('sha256')
      .update(JSON.stringify([WINDOW_VALUES_VERSION, v.spec, v.record.reference]))
      .digest('base64url');
    bases.set(v, b);
  }
  return b;
}
