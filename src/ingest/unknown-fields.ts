import { didYouMean } from '../core/text/closest.js';
import { KeysByModel } from './keys-by-model.js';

/** An event's own fields (docs/events.md): what POST /v1/events reads of a row. */
export const EVENT_FIELDS: readonly string[] = ['id', 'model', 'version', 'timestamp', 'features', 'prediction', 'score', 'scores', 'latencyMs', 'error', 'segment', 'costUsd'];
/** A label row's own fields: what POST /v1/labels reads of a row. */
export const LABEL_FIELDS: readonly string[] = ['id', 'label', 'model'];

/** The warning of a batch whose accepted rows have fields that are not a row's. */
export interface UnknownFieldWarning {
  code: 'unknown_field';
  message: string;
  details: { model: string; keys: string[]; rows: number; fields: string[] };
}

/**
 * Fields of accepted rows that are not a row's own, counted per model. Audit 29: they were ignored without a word, so
 * a typo lost its value silently: `"latncyMs": 30` stored the event without a latency, `"ts": ...` at its arrival
 * time rather than its own, `"modle"` on a label skipped the check that it labels that model's prediction. The rows
 * stay accepted (a client may send fields of its own, and refusing them would lose its events); the batch's answer
 * warns, once per model, naming the fields, the rows, and the field meant (`did you mean "latencyMs"?`).
 */
export class UnknownFields {
  private readonly known: (key: string) => boolean;
  private readonly found = new KeysByModel();

  /** `row`: what a row is, in the message ("event", "label"); `fields`: its own fields. */
  constructor(private readonly row: string, private readonly fields: readonly string[]) {
    const own = new Set(fields);
    this.known = (k) => own.has(k);
  }

  /** Notes the row's unknown fields (a row of `model`, accepted). */
  note(model: string, row: Record<string, unknown>): void {
    this.found.note(model, row, this.known);
  }

  /** Rows with an unknown field, per model (for the metric). */
  rows(): Array<{ model: string; rows: number }> {
    return this.found.entries().map(({ model, rows }) => ({ model, rows }));
  }

  warnings(): UnknownFieldWarning[] {
    return this.found.entries().map(({ model, keys, rows: n }) => {
      const one = keys.length === 1;
      const named = keys.map((k) => `"${k.slice(0, 100)}"`).join(', ');
      const meant = one ? didYouMean(keys[0] as string, this.fields) : '';
      const rows = `${n} accepted ${n === 1 ? 'row' : 'rows'}`;
      const article = /^[aeiou]/.test(this.row) ? 'an' : 'a';
      const message = `${one ? `field ${named} is not ${article} ${this.row} field` : `fields ${named} are not ${this.row} fields`}${meant}: ignored in ${rows} of model "${model}" (${this.row} fields: ${this.fields.join(', ')})`;
      return { code: 'unknown_field', message, details: { model, keys, rows: n, fields: [...this.fields] } };
    });
  }
}
