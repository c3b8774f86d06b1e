import { GRANULARITY_MS } from '../core/time/windows.js';
import type { Granularity } from './types.js';

/**
 * Throws unless a summary window starts on its granularity's boundary (UTC), as every writer makes it (`windowStart`)
 * and DuckDB's keyed reads assume (duckdb/window-row-key.ts). Both backends check it before a commit, so a bad key is
 * refused, never stored where a read would miss it.
 */
export function assertAligned(k: { granularity: Granularity; windowStart: number }): void {
  const size = GRANULARITY_MS[k.granularity];
  if (!Number.isSafeInteger(k.windowStart) || k.windowStart % size !== 0) {
    throw new RangeError(`summary window start ${k.windowStart} is not aligned to its granularity (${k.granularity}: a multiple of ${size} ms)`);
  }
}
