import semver from 'semver';
import { RegistryError } from './errors.js';

/**
 * A version is a semantic version without build metadata (semver.valid(v) === v). Build metadata does not count in
 * semver precedence, so 1.4.0+a and 1.4.0 would be two names of one version: refused saying so, as is a leading "v".
 */
export function checkVersionName(v: unknown): void {
  if (typeof v === 'string' && semver.valid(v) === v) return;
  const shown = String(v).slice(0, 100);
  const clean = typeof v === 'string' ? semver.valid(v) : null;
  if (typeof v === 'string' && clean !== null && v.includes('+')) {
    const build = v.slice(v.indexOf('+'));
    throw new RegistryError('bad_request', `version "${shown}" has build metadata "${build.slice(0, 100)}", which semantic versioning ignores when ordering versions `
      + `(${shown} and ${clean} are the same version): register ${clean} and keep the build in its lineage (gitCommit) or tags`);
  }
  if (typeof v === 'string' && clean !== null) throw new RegistryError('bad_request', `version "${shown}" must be a bare semantic version: write it "${clean}"`);
  throw new RegistryError('bad_request', `version must be a semantic version such as 1.4.0 or 2.0.0-rc.1 (got "${shown}")`);
}

export function checkUpstream(u: string): void {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new RegistryError('bad_request', `upstream must be an http(s) URL (got "${u.slice(0, 200)}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RegistryError('bad_request', `upstream must be an http(s) URL (got "${u.slice(0, 200)}")`);
}
