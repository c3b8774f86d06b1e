import { fileURLToPath } from 'node:url';

/**
 * Files the server reads at run time, found from this module's place: dist/src/paths.js, or a chunk of the CLI's bundle
 * in dist/bundle/ (scripts/bundle.mjs), which is as deep below the package's root. Every module of a bundle has the
 * bundle's import.meta.url, so paths are not taken relative to other modules.
 */
const bundled = /\/dist\/bundle\/[^/]+$/.test(import.meta.url);

/** The package's root directory (package.json, web/, dist/). */
const ROOT = new URL('../../', import.meta.url);

/** Where `npm run build` puts the dashboard (vite: web/dist). */
export const WEB_DIST = fileURLToPath(new URL('web/dist/', ROOT));

/** The delta worker's module (src/ingest/delta-worker.ts): the bundle's own one when this code runs from the bundle. */
export const DELTA_WORKER = new URL(bundled ? 'dist/bundle/delta-worker.js' : 'dist/src/ingest/delta-worker.js', ROOT);
