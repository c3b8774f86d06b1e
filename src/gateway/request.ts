import { OTHER_SEGMENT_VALUE, reservedSegmentValue, type ModelContext } from '../ingest/validate-event.js';
import type { ErrorObject } from 'ajv';
import { hasNul, MAX_FEATURE_DEPTH, nestedDeeperThan } from '../ingest/limits.js';
import { RegistryError } from '../registry/errors.js';
import { didYouMean } from '../core/text/closest.js';

/** The body of POST /v1/models/:name/predict after validation. */
export interface PredictBody {
  features: Record<string, unknown>;
  id: string | undefined;
  segment: Record<string, string>;
  /** Explicit sticky routing key. */
  key: string | undefined;
}

/** The fields of a prediction request's body. */
const PREDICT_FIELDS: readonly string[] = ['features', 'id', 'segment', 'key'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The features' field an error is about (JSON pointer): a missing or unknown property's own path, not its object's (""). */
export function fieldPath(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const prop = p['missingProperty'] ?? p['additionalProperty'] ?? p['unevaluatedProperty'];
  const at = typeof prop === 'string' ? `${e.instancePath}/${prop.replaceAll('~', '~0').replaceAll('/', '~1')}` : e.instancePath;
  return at === '' ? '/' : at;
}

/** Validates the request body and the features against the model's input schema (before any upstream call). */
export function parsePredictBody(raw: unknown, ctx: ModelContext): PredictBody {
  if (!isObject(raw)) throw new RegistryError('bad_request', 'body must be a JSON object {"features": {...}, "id"?, "segment"?, "key"?}');
  // Audit 24: a misspelt field was dropped (`segmnt`: recorded without its segment; `kye`: routed without its sticky key)
  for (const k in raw) {
    if (!PREDICT_FIELDS.includes(k)) throw new RegistryError('validation_failed', `body has an unknown field "${k.slice(0, 100)}"; known: ${PREDICT_FIELDS.join(', ')}${didYouMean(k, PREDICT_FIELDS)} (the model's inputs go in "features")`);
  }
  const features = raw['features'];
  if (!isObject(features)) throw new RegistryError('bad_request', '"features" must be an object');
  // as POST /v1/events refuses them: sent on to the upstreams, they overflowed JSON.stringify's stack (500)
  if (nestedDeeperThan(features, MAX_FEATURE_DEPTH)) throw new RegistryError('validation_failed', `"features" nest arrays or objects more than ${MAX_FEATURE_DEPTH} levels deep`);
  if (!ctx.validateFeatures(features)) {
    const errs = (ctx.validateFeatures.errors ?? []).slice(0, 5).map((e) => ({ path: fieldPath(e), schemaPath: e.schemaPath, message: e.message, params: e.params }));
    throw new RegistryError('validation_failed', `features do not match the input schema of model "${ctx.model.name}": ${errs.map((e) => `${e.path} ${e.message ?? ''}`).join('; ')}`, errs);
  }
  const id = raw['id'];
  // no U+0000: it cannot be stored (PostgreSQL text), nor sent in the upstreams' x-lookout-prediction-id header
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 128 || /\p{Cs}/u.test(id) || hasNul(id))) {
    throw new RegistryError('bad_request', '"id" must be a string of 1 to 128 characters, without unpaired surrogates or U+0000');
  }
  const seg = raw['segment'] ?? {};
  if (!isObject(seg)) throw new RegistryError('bad_request', '"segment" must be an object of key -> value');
  const segment: Record<string, string> = {};
  for (const k of ctx.model.segmentKeys) {
    const v = seg[k];
    if (v === undefined || v === null) continue;
    if (!(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') || String(v).length > 200 || hasNul(String(v))) {
      throw new RegistryError('bad_request', `segment.${k} must be a string, number or boolean of at most 200 characters, without U+0000`);
    }
    // as POST /v1/events refuses it: recorded, the event would count as one of the segments past the model's limit
    if (String(v) === OTHER_SEGMENT_VALUE) throw new RegistryError('bad_request', reservedSegmentValue(k));
    segment[k] = String(v);
  }
  const key = raw['key'];
  if (key !== undefined && (typeof key !== 'string' || key.length > 256)) throw new RegistryError('bad_request', '"key" must be a string of at most 256 characters');
  return { features, id: id as string | undefined, segment, key: key as string | undefined };
}

/** The sticky routing key: the x-lookout-route-key header, the body's "key", or the configured field of the body or features. */
export function routeKeyOf(body: PredictBody, field: string | undefined, header: string | undefined): string | null {
  if (header !== undefined && header !== '') return header;
  if (body.key !== undefined) return body.key;
  if (field === undefined) return null;
  const v = body.features[field];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The key an x-lookout-route-key header carries. HTTP headers are bytes (Node reads them as Latin-1 characters), so a
 * key is sent percent-encoded UTF-8 (encodeURIComponent), and hashes as the same key in the body would. Raw UTF-8 bytes
 * (what curl sends for non-ASCII text) are read as UTF-8, other bytes as Latin-1. A '%' not starting an escape of
 * UTF-8 is refused: the key would otherwise silently differ from the one the caller meant.
 */
export function routeKeyFromHeader(header: string): string {
  let s = header;
  if (/[\x80-\xff]/.test(s) && !/[\u0100-\uffff]/.test(s)) {
    try {
      s = utf8.decode(Buffer.from(s, 'latin1'));
    } catch {
      // not UTF-8: Latin-1 text
    }
  }
  let key: string;
  try {
    key = decodeURIComponent(s);
  } catch {
    throw new RegistryError('bad_request', `header x-lookout-route-key must be percent-encoded UTF-8 (encodeURIComponent; "%" itself is "%25"): got "${header.slice(0, 100)}"`);
  }
  if (key.length > 256) throw new RegistryError('bad_request', 'header x-lookout-route-key must be a key of at most 256 characters');
  return key;
}
