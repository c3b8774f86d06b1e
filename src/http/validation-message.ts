import { PATTERN_MEANING } from '../models/declaration-schema.js';
import { LIMIT_MEANING } from './model-pages.js';
import { didYouMean } from '../core/text/closest.js';

/** One of Ajv's errors as Fastify hands them over (verbose: with the schema and the value it checked). */
export interface AjvError {
  instancePath: string;
  schemaPath?: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: unknown;
  schema?: unknown;
  data?: unknown;
}

const shown = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

const propertiesOf = (schema: unknown): string[] => {
  const p = (schema as { properties?: unknown } | null)?.properties;
  return typeof p === 'object' && p !== null ? Object.keys(p) : [];
};

/**
 * A request schema's refusal in words: the field, what it must be, and what was sent. Ajv's own message named neither the
 * unknown field ("body must NOT have additional properties") nor what a pattern means ("body/name must match pattern
 * ^[A-Za-z0-9]...") nor the allowed values ("must be equal to one of the allowed values").
 */
export function validationMessage(context: string | undefined, e: AjvError): string {
  const where = `${context ?? 'request'}${e.instancePath}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = propertiesOf(e.parentSchema);
      return `${where} has an unknown field ${shown(e.params['additionalProperty'])}${known.length > 0 ? `; known: ${known.join(', ')}${didYouMean(String(e.params['additionalProperty']), known)}` : ''}`;
    }
    case 'enum': {
      const allowed = e.params['allowedValues'] as unknown[] | undefined ?? [];
      const meant = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      return `${where} must be one of ${allowed.map(shown).join(', ')} (got ${shown(e.data)}${meant})`;
    }
    case 'pattern': {
      const meaning = PATTERN_MEANING[String(e.params['pattern'])] ?? LIMIT_MEANING[String(e.params['pattern'])];
      return `${where} ${meaning ?? e.message ?? 'does not match its pattern'} (got ${shown(e.data)})`;
    }
    case 'type':
      // audit 24: no body at all (or an empty one, json-body.ts) where one is required said "body must be object (got null)"
      if (e.instancePath === '' && context === 'body' && (e.data === null || e.data === undefined)) return `a JSON object body is required (none was sent): ${where} must be ${String(e.params['type'])}`;
      return `${where} must be ${String(e.params['type'])} (got ${e.data === null ? 'null' : Array.isArray(e.data) ? 'an array' : typeof e.data})`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/** The errors as the API answers them in details: without the schema and the value Ajv's verbose mode adds. */
export function shownErrors(errors: readonly AjvError[]): Array<Omit<AjvError, 'parentSchema' | 'schema' | 'data'>> {
  return errors.map(({ instancePath, schemaPath, keyword, params, message }) => ({ instancePath, ...(schemaPath !== undefined && { schemaPath }), keyword, params, ...(message !== undefined && { message }) }));
}
