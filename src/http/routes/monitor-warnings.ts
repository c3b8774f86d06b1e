import { inReference } from '../../monitoring/drift-query.js';
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

/**
 * The features of the version's input schema that its new reference has no column of: drift skips them (GET /drift's
 * `skipped`). The upload is kept (a feature may be added to a model after its reference was made), and says which
 * features are not watched: until audit 23 it answered 200 with nothing said, and the drift of a column misnamed in
 * the file was never measured. Absent when the reference has every feature.
 */
export function referenceWarnings(deps: AppDeps, model: string, version: string): { warnings?: Array<{ feature: string; problem: string }> } {
  const v = deps.catalog.version(model, version);
  if (!v) return {};
  const missing = v.spec.features.filter((f) => !inReference(v, f.name)).map((f) => f.name);
  return missing.length === 0 ? {} : {
    warnings: missing.map((f) => ({
      feature: f,
      problem: `the reference has no column "${f}": the drift of this feature is not measured (GET /drift lists it in skipped): give the reference a column of that name`,
    })),
  };
}
