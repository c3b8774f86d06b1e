/**
 * The error catalog: every API error has a stable code mapped to one HTTP status, and is returned as
 * {"error": {"code", "message", "details"}}: `details` always present, an object (`{}` when there is nothing more).
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  /** A query parameter the endpoint does not read (a typo: details.unknown, details.known, details.suggestions). */
  unknown_parameter: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  unknown_model: 404,
  unknown_version: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  promotion_refused: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  /** The gateway's upstream model server failed (an error status, an invalid answer, unreachable). */
  upstream_error: 502,
  unavailable: 503,
  /** The gateway's upstream model server did not answer within its deadline. */
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: object } } {
    return { error: { code: this.code, message: this.message, details: detailsObject(this.details) } };
  }
}

/** `details` as the catalog answers it: an object, `{}` for none; a list (schema errors) as `{errors: [...]}`. */
function detailsObject(d: unknown): object {
  if (d === undefined || d === null) return {};
  if (Array.isArray(d)) return { errors: d };
  return typeof d === 'object' ? d : { value: d };
}
