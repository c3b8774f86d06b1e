/** Errors of the registry, gateway and rollouts; the HTTP layer maps `code` onto the error catalog. */
export type RegistryErrorCode = 'bad_request' | 'validation_failed' | 'unknown_model' | 'unknown_version' | 'not_found' | 'conflict' | 'promotion_refused' | 'unavailable';

export class RegistryError extends Error {
  constructor(readonly code: RegistryErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'RegistryError';
  }
}
