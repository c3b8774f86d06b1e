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
  if (classes.length > 0) {
    if (m.outputKind === 'regression') throw new Error(`a regression model has no "classes" (got ${classes.length}); its labels are numbers`);
    if (m.outputKind === 'binary' && classes.length !== 2) throw new Error(`"classes" of a binary model must be 2 distinct classes (got ${classes.length})`);
    if (m.outputKind === 'multiclass' && classes.length < 2) throw new Error(`"classes" of a multiclass model must be at least 2 distinct classes (got ${classes.length})`);
  }
  const dupKey = twice(m.segmentKeys ?? []);
  if (dupKey !== undefined) throw new Error(`"segmentKeys" holds ${JSON.stringify(dupKey.slice(0, 100))} twice`);
}
