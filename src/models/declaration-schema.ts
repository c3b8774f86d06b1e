/**
 * JSON Schema of a model declaration's fields, shared by POST /v1/models (and /versions) and lookout.yaml's `models:`,
 * so that the file declares nothing the API would refuse (a version "2/rc", whose reference upload failed; a segment
 * key "" or "a=b", which no `segment=` query could name).
 */

/** A model's or a version's name: it is a URL path segment and part of file names. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
/** No U+0000: PostgreSQL text cannot hold it (both stores refuse it alike). */
export const NO_NUL = '^[^\\u0000]*$';
/** A segment key: no U+0000, nor "=" or "," (the separators of the `segment=k=v,k2=v2` query parameter). */
export const SEGMENT_KEY_PATTERN = '^[^\\u0000=,]*$';

export const declarationFields = {
  name: { type: 'string', pattern: NAME_PATTERN },
  outputKind: { enum: ['binary', 'multiclass', 'regression'] },
  inputSchema: { type: 'object' },
  segmentKeys: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100, pattern: SEGMENT_KEY_PATTERN }, maxItems: 10 },
  classes: { type: 'array', items: { type: 'string', maxLength: 1024, pattern: NO_NUL }, maxItems: 1000 },
  description: { type: 'string', maxLength: 10000, pattern: NO_NUL },
} as const;

/** What each pattern means, for an error message ("must match pattern ..." says little). */
export const PATTERN_MEANING: Readonly<Record<string, string>> = {
  [NAME_PATTERN]: 'must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  [NO_NUL]: 'must not contain U+0000',
  [SEGMENT_KEY_PATTERN]: 'must not contain "=", "," (the separators of the segment= query parameter) or U+0000',
};
