import { readFileSync, statSync } from 'node:fs';

/** What scripts/bundle.mjs writes beside the bundle: each module of dist/ it took with its size, and the newest mtime of them. */
export interface BundleManifest {
  entry: string;
  newestMs: number;
  inputs: Array<[path: string, size: number]>;
}

export const MANIFEST = 'manifest.json';

/**
 * The CLI bundle's entry (dist/bundle/, scripts/bundle.mjs) when every module it was built from is still as it was,
 * else null: then bin/lookout.js runs dist/ as tsc left it. `tsc` alone (not `npm run build`) rebuilds dist/ without
 * the bundle, and a stale bundle would run code older than what was just compiled. The check stats each input (~400
 * files, ~1-2 ms), against the ~0.15-0.5 s of CPU the bundle saves at each start (fewer files to find, read and compile).
 */
export function freshBundle(bundleDir: string): string | null {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(`${bundleDir}/${MANIFEST}`, 'utf8')) as BundleManifest;
  } catch {
    return null;
  }
  if (typeof manifest.newestMs !== 'number' || !Array.isArray(manifest.inputs)) return null; // another build's format
  const root = `${bundleDir}/../../`;
  for (const [path, size] of manifest.inputs) {
    const st = statSync(root + path, { throwIfNoEntry: false });
    // written since the bundle was built (tsc writes every file it compiles); an older time is kept: npm gives every
    // file of an installed package one fixed mtime (1985), so an exact match would never hold there
    if (st === undefined || st.size !== size || st.mtimeMs > manifest.newestMs) return null;
  }
  return `${bundleDir}/${manifest.entry}`;
}
