import { RegistryError } from './errors.js';

/** registry.maxArtifactMb when the configuration leaves it out: 10 GiB. */
export const DEFAULT_MAX_ARTIFACT_MB = 10_240;

/** The limit in bytes of registry.maxArtifactMb (0: none). */
export function maxArtifactBytes(mb: number | undefined): number {
  const m = mb ?? DEFAULT_MAX_ARTIFACT_MB;
  return m === 0 ? Infinity : m * 1024 * 1024;
}

/** The 413 of an artifact over the limit; `declared` is the request's Content-Length when that is what passed it. */
export function artifactTooLarge(maxBytes: number, declared?: number): RegistryError {
  const what = declared === undefined ? 'the artifact' : `the artifact (${declared} bytes)`;
  return new RegistryError('payload_too_large', `${what} is larger than this server's limit of ${maxBytes / (1024 * 1024)} MiB (${maxBytes} bytes; `
    + 'registry.maxArtifactMb in the configuration, 0 for none): nothing was stored');
}
