import type { ErrorObject } from 'ajv';
import { didYouMean } from '../core/text/closest.js';

/** Allowed values an enum violation's message lists at most, and the characters of each value shown. */
const MAX_LISTED = 10;
const MAX_VALUE_CHARS = 60;

/** `v` as JSON text, cut to MAX_VALUE_CHARS (an ellipsis when cut): what was sent, in a refusal's message. */
export function shown(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    // nested too deep for JSON.stringify (String() of it would overflow the stack too: a 500 of a row's refusal)
    text = Array.isArray(v) ? 'an array nested too deep to show' : typeof v === 'object' && v !== null ? 'an object nested too deep to show' : String(v);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** The value at a JSON pointer (Ajv's instancePath: `/a/0/b`, `~1` for `/` and `~0` for `~`) inside `root`, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let v: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The message of one input-schema error of an event's features. Ajv's own, except for the errors whose message does
 * not say what is accepted: `enum` ("must be equal to one of the allowed values") names them and the value sent
 * (until audit 23 a newcomer sending "Web" for ["web", "app", "pos"] was told neither), `const` its value and the value
 * sent, `type` the value sent ("12.5" for a number: a number written as text), `additionalProperties` the feature
 * and the ones the schema declares there (`schema`: the model's input schema; until audit 27 "must NOT have additional
 * properties", naming neither).
 */
export function schemaErrorMessage(e: ErrorObject, features: unknown, schema?: unknown): string {
  const message = e.message ?? 'invalid';
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    const declared = declaredAt(schema, e.schemaPath);
    const known = declared.length > 0 ? ` (declared: ${declared.slice(0, 20).join(', ')}${declared.length > 20 ? `, ... (${declared.length - 20} more)` : ''}${didYouMean(extra, declared)})` : '';
    return `has a feature the schema does not declare: ${shown(extra)}${known}`;
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown }).allowedValues;
    if (!Array.isArray(allowed)) return message;
    const listed = allowed.slice(0, MAX_LISTED).map(shown).join(', ');
    const more = allowed.length > MAX_LISTED ? `, ... (${allowed.length - MAX_LISTED} more)` : '';
    return `${message}: ${listed}${more} (got ${shown(valueAt(features, e.instancePath))})`;
  }
  if (e.keyword === 'type') {
    const v = valueAt(features, e.instancePath);
    // several types: "must be integer or null" (Ajv: "must be integer,null"; audit 27)
    const types = (e.params as { type?: unknown }).type;
    const what = typeof types === 'string' && types.includes(',') ? `must be ${types.split(',').join(' or ')}` : Array.isArray(types) ? `must be ${types.join(' or ')}` : message;
    return `${what} (got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : `${typeof v} ${shown(v)}`})`;
  }
  if (e.keyword === 'const') return `${message} ${shown((e.params as { allowedValue?: unknown }).allowedValue)} (got ${shown(valueAt(features, e.instancePath))})`;
  return message;
}

/** The property names declared beside an `additionalProperties` keyword (Ajv's schemaPath `#/.../additionalProperties`) of a schema in the same document. */
function declaredAt(schema: unknown, schemaPath: string): string[] {
  if (schema === undefined || !schemaPath.startsWith('#')) return [];
  let pointer: string;
  try {
    pointer = decodeURIComponent(schemaPath.slice(1).replace(/\/additionalProperties$/, '')); // Ajv escapes the fragment as a URI's
  } catch {
    return [];
  }
  const parent = valueAt(schema, pointer);
  const props = typeof parent === 'object' && parent !== null ? (parent as { properties?: unknown }).properties : undefined;
  return typeof props === 'object' && props !== null && !Array.isArray(props) ? Object.keys(props) : [];
}
