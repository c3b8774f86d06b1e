import { didYouMean } from '../core/text/closest.js';
/** Errors of the registry, gateway and rollouts; the HTTP layer maps `code` onto the error catalog. */
export type RegistryErrorCode = 'bad_request' | 'validation_failed' | 'unknown_model' | 'unknown_version' | 'not_found' | 'conflict' | 'promotion_refused' | 'unavailable' | 'upstream_error' | 'upstream_timeout' | 'payload_too_large';

export class RegistryError extends Error {
  constructor(readonly code: RegistryErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'RegistryError';
  }
}

/**
 * A request object of known fields (an absent one is {}): a misspelt field would otherwise be dropped silently and a
 * default, often laxer, used instead. `what` names it in the messages.
 */
export function knownFieldsOf(v: unknown, what: string, known: readonly string[]): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RegistryError('bad_request', `${what} must be an object {${known.join(', ')}}`);
  const extra = Object.keys(v).filter((k) => !known.includes(k));
  // audit 25: validation_failed (as every other unknown field), with the field meant
  if (extra.length > 0) throw new RegistryError('validation_failed', `unknown ${what} field(s) ${extra.slice(0, 5).map((k) => k.slice(0, 100)).join(', ')}; known: ${known.join(', ')}${didYouMean(extra[0] ?? '', known)}`);
  return v as Record<string, unknown>;
}
