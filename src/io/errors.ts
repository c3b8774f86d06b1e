/**
 * Bad input from the user (missing file, unknown column, unreadable format): the CLI exits with 2. `code` and
 * `details` are what `--json` prints ({error: {code, message, details}}).
 */
export class InputError extends Error {
  constructor(message: string, readonly code = 'bad_input', readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * A dependency (the store) failed, and a later retry may succeed: the HTTP API answers 503 with this message, and logs
 * the cause (which the client is not shown).
 */
export class UnavailableError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'UnavailableError';
  }
}
