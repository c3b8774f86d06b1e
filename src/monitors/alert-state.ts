import { ALERT_PHASES, INACTIVE, nextAlertState, type AlertPhase, type AlertState } from '../core/rules/pending.js';
import { SEVERITIES } from '../core/rules/types.js';
import type { EvaluationRecord } from '../storage/alerts.js';
import type { MonitorResult } from './evaluator.js';

const isSeverity = (s: string): boolean => (SEVERITIES as readonly string[]).includes(s);

/**
 * The alert state an evaluation left: its detail's `alertState` and `activeSince`; for evaluations stored without them
 * (before pending durations, or of SLOs), firing when its status is a severity, else inactive.
 */
export function stateOf(e: EvaluationRecord | undefined): AlertState {
  if (!e) return INACTIVE;
  const phase = e.detail?.['alertState'];
  const since = e.detail?.['activeSince'];
  if (typeof phase === 'string' && (ALERT_PHASES as readonly string[]).includes(phase)) return { phase: phase as AlertPhase, since: typeof since === 'number' ? since : null };
  return isSeverity(e.status) ? { phase: 'firing', since: e.at } : INACTIVE;
}

/** What GET of a monitor shows of the alert state its last evaluation left (nothing for evaluations stored without it). */
export function alertStateOf(e: EvaluationRecord): Record<string, unknown> {
  const d = e.detail ?? {};
  if (typeof d['alertState'] !== 'string') return {};
  return {
    state: d['alertState'], ...(typeof d['activeSince'] === 'number' && { activeSince: d['activeSince'] }),
    ...(typeof d['firesAt'] === 'number' && { firesAt: d['firesAt'] }), ...(typeof d['pendingSeverity'] === 'string' && { pendingSeverity: d['pendingSeverity'] }),
  };
}

/**
 * Applies the monitor's pending duration (`for`) to a fresh evaluation, after the one before it (`prev`): the record
 * carries the new state (`alertState`, `activeSince`); while pending its status is "pending", with the severity it
 * would fire at (`pendingSeverity`) and the earliest time it can fire (`firesAt`).
 */
export function withAlertState(r: MonitorResult, prev: EvaluationRecord | undefined): { result: MonitorResult; before: AlertState; after: AlertState } {
  const before = stateOf(prev);
  const forMs = r.def.forMs ?? 0;
  const after = nextAlertState(before, r.verdict.status, r.evaluation.at, forMs);
  const pending = after.phase === 'pending';
  const evaluation: EvaluationRecord = {
    ...r.evaluation, ...(pending && { status: 'pending' }),
    detail: {
      ...r.evaluation.detail, alertState: after.phase, ...(after.since !== null && { activeSince: after.since }),
      ...(pending && { pendingSeverity: r.verdict.status, firesAt: firesAt(after.since as number, forMs, r.def.windowMs, r.def.delayMs) }),
    },
  };
  return { result: { ...r, evaluation }, before, after };
}

/**
 * When a pending monitor can fire at the earliest: its evaluations are at window ends, so at the end of the first window
 * at least `forMs` after the first crossed one (`since`, a window end), evaluated `delayMs` after it. Until audit 23
 * it was since + for, a time no evaluation happens at (for: 30m on 1h windows said 01:30; it fired at the 02:00 window).
 */
export function firesAt(since: number, forMs: number, windowMs: number, delayMs: number): number {
  return since + Math.ceil(forMs / windowMs) * windowMs + delayMs;
}
