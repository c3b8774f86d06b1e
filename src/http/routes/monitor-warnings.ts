import type { AppDeps } from '../deps.js';

/**
 * The model's monitors that its declaration as it is now does not fit (a drift method of another kind than its feature
 * now is, a feature or segment key dropped...): the declaration is accepted, and says which monitors to change. Absent
 * when there are none.
 */
export function monitorWarnings(deps: AppDeps, model: string): { warnings?: Array<{ monitor: string; problem: string }> } {
  const broken = deps.alerting?.monitors.problems(model) ?? [];
  return broken.length === 0 ? {} : { warnings: broken.map(({ id, problem }) => ({ monitor: id, problem: problem.message })) };
}
