import { didYouMean } from '../core/text/closest.js';

/** Names listed in an "unknown X; known: ..." message: every one up to this many, else the first of them and a count. */
export const MAX_KNOWN_LISTED = 50;

/**
 * The known names an error message lists (`a, b, c`; `(none)`): with thousands of models a 404 listed every one of
 * them, tens of kilobytes for each mistyped name; past MAX_KNOWN_LISTED, the first ones and how many more there are.
 */
export function knownNames(names: readonly string[], max = MAX_KNOWN_LISTED): string {
  if (names.length === 0) return '(none)';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, ... (${names.length - max} more: GET /v1/models?prefix= finds them)`;
}

/**
 * `model "churn" has no version "v1.0.0"; known: 1.0.0, 1.1.0; did you mean "1.0.0"?`: one wording for every refusal of
 * an unknown version (audit 26: queries' `?version=`, a reference upload and a version's GET named no known version at
 * all; the others said "known:" or "known versions:", without the one meant). Not for event rows, as below.
 */
export function unknownVersionMessage(model: string, version: string, known: readonly string[]): string {
  return `model "${model.slice(0, 200)}" has no version "${version.slice(0, 200)}"; known: ${knownNames(known)}${didYouMean(version, known)}`;
}

/**
 * `unknown model "chrun"; known: churn, fraud; did you mean "churn"?` (audit 25: the 404s named the known models but
 * not the one a typo meant). Not for event rows: a batch of 10,000 rows naming a missing model would look for the
 * nearest name 10,000 times.
 */
export function unknownModelMessage(name: string, names: readonly string[]): string {
  return `unknown model "${name.slice(0, 200)}"; known: ${knownNames(names)}${didYouMean(name, names)}`;
}
