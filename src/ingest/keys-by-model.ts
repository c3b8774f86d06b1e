/** At most this many keys are named per model (a row may carry any object). */
const MAX_KEYS = 10;

/**
 * Keys of accepted rows that are not expected (undeclared segment keys, fields that are not a row's), per model: the
 * rows that had one, and the first MAX_KEYS distinct keys. What the ingest answers' `warnings` are made of.
 */
export class KeysByModel {
  private readonly byModel = new Map<string, { keys: Set<string>; rows: number }>();

  /** Notes the keys of `o` that `known` does not take, as one row of `model`. */
  note(model: string, o: object, known: (key: string) => boolean): void {
    let entry: { keys: Set<string>; rows: number } | undefined;
    // for...in, not Object.keys: no array per row on the ingest path (a parsed JSON object has no inherited keys)
    for (const key in o) {
      if (known(key)) continue;
      if (entry === undefined) {
        entry = this.byModel.get(model) ?? { keys: new Set(), rows: 0 };
        this.byModel.set(model, entry);
        entry.rows++;
      }
      if (entry.keys.size < MAX_KEYS) entry.keys.add(key);
    }
  }

  /** Per model: the rows with such a key and the keys (in the order met). */
  entries(): Array<{ model: string; keys: string[]; rows: number }> {
    return [...this.byModel].map(([model, e]) => ({ model, keys: [...e.keys], rows: e.rows }));
  }
}
