import { DefinitionError } from './definition.js';

/**
 * Why a stored monitor cannot be evaluated as declared. `misconfigured`: the definition is valid, but the model as it is
 * declared now does not fit it (a feature dropped or of another kind than its drift method applies to, a version or a
 * segment key it names gone); it is evaluated, and its evaluations say why they have no verdict, until the monitor or
 * the model is changed.
 */
export interface MonitorProblem {
  code: 'misconfigured';
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
