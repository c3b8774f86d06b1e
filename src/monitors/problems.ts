import { DefinitionError, isHttpUrl, parseMonitor, type MonitorDefinition } from './definition.js';
import { parseSlo, type SloDefinition } from './slo.js';

/**
 * Why a stored monitor or SLO cannot be evaluated as declared. `invalid`: its stored definition is not one this release
 * accepts (stored by an older release, or by one that checked less); it is not evaluated until it is declared again.
 * `misconfigured`: the definition is valid, but the model as it is declared now does not fit it (a feature dropped or
 * of another kind than its drift method applies to, a version or a segment key it names gone); it is evaluated, and its
 * evaluations say why they have no verdict, until the monitor or the model is changed.
 */
export interface MonitorProblem {
  code: 'invalid' | 'misconfigured';
  message: string;
}

/** A problem of a check that throws DefinitionError (other errors are not the definition's: thrown on). */
export function problemOf(code: MonitorProblem['code'], check: () => unknown): MonitorProblem | null {
  try {
    check();
    return null;
  } catch (e) {
    if (e instanceof DefinitionError) return { code, message: e.message };
    throw e;
  }
}

/** A stored monitor definition in the shape the API and the config file take (durations as milliseconds). */
function monitorInput(stored: Record<string, unknown>): Record<string, unknown> {
  const { windowMs: _w, delayMs, forMs, ...rest } = withoutOldRunbook(stored);
  return { ...rest, ...(delayMs !== undefined && { delay: delayMs }), ...(forMs !== undefined && forMs !== 0 && { for: forMs }) };
}

/**
 * A stored definition without a runbookUrl that is not an http(s) URL: releases before 2026-12 took any text there
 * (a relative "runbooks/x", or a "javascript:" URL the dashboard would render as a link). The link is dropped, not the
 * monitor: one that went on firing before the upgrade must not stop being evaluated for its link.
 */
function withoutOldRunbook(stored: Record<string, unknown>): Record<string, unknown> {
  const url = stored['runbookUrl'];
  if (url === undefined || (typeof url === 'string' && isHttpUrl(url))) return stored;
  const { runbookUrl: _r, ...rest } = stored;
  return rest;
}

/**
 * A stored monitor checked as this release checks a declared one: its definition with today's defaults filled in, or
 * the problem that makes it invalid (with the stored definition as it is, to show and to delete).
 */
export function reloadMonitor(stored: Record<string, unknown>): { def: MonitorDefinition; problem: MonitorProblem | null } {
  let def: MonitorDefinition | undefined;
  const problem = problemOf('invalid', () => {
    def = parseMonitor(monitorInput(stored), () => String(stored['id']));
  });
  return { def: def ?? (stored as unknown as MonitorDefinition), problem };
}

/** A stored SLO checked as this release checks a declared one (as reloadMonitor). */
export function reloadSlo(stored: Record<string, unknown>): { def: SloDefinition; problem: MonitorProblem | null } {
  let def: SloDefinition | undefined;
  const problem = problemOf('invalid', () => {
    def = parseSlo(withoutOldRunbook(stored), () => String(stored['id']));
  });
  return { def: def ?? (stored as unknown as SloDefinition), problem };
}
