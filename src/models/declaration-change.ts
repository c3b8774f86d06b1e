import type { ModelRecord } from '../storage/types.js';
import { featuresFromSchema } from './features.js';

/**
 * What a model's new declaration changes that the data stored under its old one cannot follow (empty: nothing).
 * Window summaries and references keep each feature (and the prediction) in the kind it had when they were written, and
 * a multiclass event keeps its per-class scores in the order of the classes declared then: a feature's kind, the kind of
 * the prediction (a number for a regression, else a class) and the order of the classes declared so far cannot change
 * under them, nor may a class that stored predictions and labels name be removed. Features may be added or removed, classes
 * appended (a binary model's two reordered).
 */
export function declarationConflicts(before: ModelRecord, after: ModelRecord): string[] {
  const out: string[] = [];
  const kinds = new Map(featuresFromSchema(before.inputSchema).map((f) => [f.name, f.kind]));
  for (const f of featuresFromSchema(after.inputSchema)) {
    const was = kinds.get(f.name);
    if (was !== undefined && was !== f.kind) out.push(`feature "${f.name}" was ${was} and is now ${f.kind}`);
  }
  if ((before.outputKind === 'regression') !== (after.outputKind === 'regression')) {
    out.push(`outputKind was ${before.outputKind} and is now ${after.outputKind}`);
  }
  const old = before.classes ?? [];
  const now = after.classes ?? [];
  const removed = now.length === 0 ? [] : old.filter((c) => !now.includes(c));
  if (before.outputKind === 'multiclass' && after.outputKind === 'multiclass' && old.length > 0 && !old.every((c, i) => now[i] === c)) {
    out.push(`classes were ${old.join(', ')} and are now ${now.join(', ') || '(none)'} (stored events carry their per-class scores in the order declared: classes may only be appended)`);
  } else if (before.outputKind !== 'regression' && after.outputKind !== 'regression' && removed.length > 0) {
    out.push(`classes ${old.join(', ')} were declared and ${removed.join(', ')} would be removed (stored events' predictions and labels name them)`);
  }
  return out;
}

/** A model declaration refused because data is stored under the old one (declarationConflicts). */
export class DeclarationConflict extends Error {
  constructor(readonly model: string, readonly conflicts: readonly string[]) {
    super(`model "${model}" has stored events or references that its new declaration cannot follow: ${conflicts.join('; ')}. Give a feature whose kind changes a new name, or declare a new model`);
    this.name = 'DeclarationConflict';
  }
}
