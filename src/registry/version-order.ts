import semver from 'semver';
import { RegistryError } from './errors.js';

/** How a version list is ordered: semver precedence (the default) or creation time. */
export type VersionSort = 'semver' | 'created';

export function parseVersionSort(v: unknown): VersionSort {
  if (v === undefined || v === 'semver') return 'semver';
  if (v === 'created') return 'created';
  throw new RegistryError('bad_request', `sort must be "semver" or "created" (got "${String(v).slice(0, 100)}")`);
}

/**
 * Orders versions oldest first by creation (ties: as given), or by semantic-version precedence (semver 2.0: 1.9.0 before
 * 1.10.0, a prerelease before its release); versions that are not semantic versions (declared only for monitoring) come
 * after the semantic ones, by creation.
 */
export function sortVersions<T extends { version: string; createdAt: number }>(list: readonly T[], sort: VersionSort): T[] {
  const byCreation = [...list].sort((a, b) => a.createdAt - b.createdAt);
  if (sort === 'created') return byCreation;
  const valid = (v: string): boolean => semver.valid(v) !== null;
  return byCreation.sort((a, b) => {
    const va = valid(a.version);
    const vb = valid(b.version);
    if (va && vb) return semver.compare(a.version, b.version);
    return va === vb ? 0 : va ? -1 : 1;
  });
}
