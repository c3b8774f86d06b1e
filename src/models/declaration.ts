import { canonicalKey, isMissing } from '../core/metrics/labels.js';
import type { OutputKind } from '../storage/types.js';

/**
 * Refuses classes and segment keys a model cannot have (throws a readable error naming the key): a binary model of
 * 3 classes, a class or a segment key given twice, a regression with classes. No classes (or none given) is fine.
 */
export function checkModelShape(m: { outputKind: OutputKind; classes?: readonly string[] | undefined; segmentKeys?: readonly string[] | undefined }): void {
  const twice = (xs: readonly string[]): string | undefined => xs.find((x, i) => xs.indexOf(x) !== i);
  const classes = m.classes ?? [];
  const dupClass = twice(classes);
  if (dupClass !== undefined) throw new Error(`"classes" holds ${JSON.stringify(dupClass.slice(0, 100))} twice`);
  // The metrics read a blank text as a missing label, and texts of one number ("1", "1.0") or with spaces around ("yes",
  // " yes") as one class: such classes were taken, and their events dropped from (or merged in) every realized metric.
  const blank = classes.find((c) => isMissing(c));
  if (blank !== undefined) throw new Error(`"classes" holds the blank class ${JSON.stringify(blank.slice(0, 100))}: realized metrics read a blank label as missing`);
  const seen = new Map<string, string>();
  for (const c of classes) {
    const k = canonicalKey(c);
    const before = seen.get(k);
    if (before !== undefined) throw new Error(`"classes" holds ${JSON.stringify(before.slice(0, 100))} and ${JSON.stringify(c.slice(0, 100))}, one class to the realized metrics (which read 1, "1" and "1.0" alike, and a class without the spaces around it)`);
    seen.set(k, c);
  }
  if (classes.length > 0) {
    if (m.outputKind === 'regression') throw new Error(`a regression model has no "classes" (got ${classes.length}); its labels are numbers`);
    if (m.outputKind === 'binary' && classes.length !== 2) throw new Error(`"classes" of a binary model must be 2 distinct classes (got ${classes.length})`);
    if (m.outputKind === 'multiclass' && classes.length < 2) throw new Error(`"classes" of a multiclass model must be at least 2 distinct classes (got ${classes.length})`);
  }
  const dupKey = twice(m.segmentKeys ?? []);
  if (dupKey !== undefined) throw new Error(`"segmentKeys" holds ${JSON.stringify(dupKey.slice(0, 100))} twice`);
}
