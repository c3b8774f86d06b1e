import { existsSync, readFileSync, statSync } from 'node:fs';

/** What scripts/bundle.mjs writes beside the bundle: each module of dist/ it took with its size, and the newest mtime of them. */
export interface BundleManifest {
  entry: string;
  newestMs: number;
  inputs: Array<[path: string, size: number]>;
}

export const MANIFEST = 'manifest.json';

/**
 * The CLI bundle's entry (dist/bundle/, scripts/bundle.mjs) when every module it was built from is still there, of the
 * same size and not written since, else null: then bin/lookout.js runs dist/ as tsc left it. `tsc` alone (not `npm run build`) rebuilds dist/ without
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
  // Only where the sources are (a checkout: src/ beside dist/) can tsc have written dist/src since. An installed package
  // has no src/, and npm dates its files when it extracts them, after the bundle was built: there sizes are compared.
  const compiled = existsSync(`${root}src`);
  for (const [path, size] of manifest.inputs) {
    const st = statSync(root + path, { throwIfNoEntry: false });
    if (st === undefined || st.size !== size || (compiled && st.mtimeMs > manifest.newestMs)) return null;
  }
  return `${bundleDir}/${manifest.entry}`;
}
