import { didYouMean } from '../core/text/closest.js';
import { KeysByModel } from './keys-by-model.js';

/** The warning of a batch whose accepted rows name segment keys their model does not declare. */
export interface IngestWarning {
  code: 'undeclared_segment_key';
  message: string;
  details: { model: string; keys: string[]; rows: number; segmentKeys: string[] };
}

/**
 * Segment keys of accepted rows that their model does not declare, counted per model. Such a key is ignored (the row is
 * stored under the declared keys it has: `{"Region": "eu"}` for a model declaring `region` is all traffic). Audit 28:
 * that was silent, in the answer and in /metrics; a client sending `Region` lost all segment analysis without a sign.
 * The row is still accepted (its other fields are fine, and a key dropped from the model's declaration must not refuse
 * the senders that still send it); the batch's answer warns, once per model, with the rows it concerns.
 */
export class UndeclaredSegmentKeys {
  private readonly found = new KeysByModel();
  private readonly declaredBy = new Map<string, readonly string[]>();

  /** Notes the row's undeclared segment keys, if it has a segment object. */
  note(model: string, declared: readonly string[], segment: unknown): void {
    if (segment === null || typeof segment !== 'object' || Array.isArray(segment)) return;
    this.declaredBy.set(model, declared);
    this.found.note(model, segment, (k) => declared.includes(k));
  }

  /** Rows with an undeclared key, per model (for lookout_events_undeclared_segment_keys_total). */
  rows(): Array<{ model: string; rows: number }> {
    return this.found.entries().map(({ model, rows }) => ({ model, rows }));
  }

  warnings(): IngestWarning[] {
    return this.found.entries().map(({ model, keys, rows }) => {
      const declared = this.declaredBy.get(model) ?? [];
      const named = keys.map((k) => `"${k.slice(0, 100)}"`).join(', ');
      const meant = keys.length === 1 ? didYouMean(keys[0] as string, declared) : '';
      const message = `segment ${keys.length === 1 ? 'key' : 'keys'} ${named} ${keys.length === 1 ? 'is' : 'are'} not declared by model "${model}" (its segment keys: ${declared.join(', ') || '(none)'})${meant}: ignored in ${rows} accepted ${rows === 1 ? 'row' : 'rows'}, stored under the declared keys ${rows === 1 ? 'it has' : 'they have'} (declare ${keys.length === 1 ? 'it' : 'them'} in the model's segmentKeys to analyse by ${keys.length === 1 ? 'it' : 'them'})`;
      return { code: 'undeclared_segment_key', message, details: { model, keys, rows, segmentKeys: [...declared] } };
    });
  }
}
