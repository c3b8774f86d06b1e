import { parseEventTimestamp, unitProblem } from './timestamp.js';
import { parseSegment, segmentKey, type ValidationEnv } from './validate-event.js';

/** Where a rejected row counts in its version's window summaries (data-quality events). */
export interface RejectPlacement {
  /** Its canonical segment key: the row's own segment when that part of it is valid, else "" (no segment). */
  segment: string;
  /** Its time: the row's own timestamp when that part of it is valid (as an accepted event's), else `env.now` (arrival). */
  ts: number;
}

/**
 * Where a row rejected for any reason counts: under its own segment and timestamp when each of them is valid on its
 * own (a back-filled row with a schema violation counts in its hour and segment), else under no segment / at arrival.
 * Only rows of a known model version are counted at all (the caller's RejectRecord has model and version then).
 */
export function rejectPlacement(raw: unknown, env: Pick<ValidationEnv, 'models' | 'now' | 'maxFutureMs'>): RejectPlacement {
  const fallback = { segment: '', ts: env.now };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fallback;
  const row = raw as Record<string, unknown>;
  const ctx = typeof row['model'] === 'string' ? env.models(row['model']) : undefined;
  if (!ctx) return fallback;
  const seg = parseSegment(row['segment'], ctx.model.segmentKeys);
  const segment = typeof seg === 'string' ? '' : segmentKey(seg);
  const t = row['timestamp'];
  const parsed = unitProblem(t) === null ? parseEventTimestamp(t, env.now) : undefined;
  const ts = parsed !== undefined && parsed <= env.now + env.maxFutureMs ? parsed : env.now;
  return { segment, ts };
}
