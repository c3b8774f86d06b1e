#!/usr/bin/env node
// First: DuckDB's allocator options, read when libduckdb loads (src/cli/duckdb-allocator.ts).
import '../dist/src/cli/duckdb-allocator.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from '../dist/src/cli/bundle-fresh.js';

// The CLI's bundle (dist/bundle/, built by `npm run build`) when it is up to date with dist/src, else dist/src itself
// (after a `tsc` alone, or with LOOKOUT_NO_BUNDLE=1: stack traces then name the compiled files).
const bundle = process.env.LOOKOUT_NO_BUNDLE ? null : freshBundle(fileURLToPath(new URL('../dist/bundle', import.meta.url)));
const { main } = await import(bundle !== null ? pathToFileURL(bundle).href : '../dist/src/cli/main.js');

// Output piped into a reader that stops early (`lookout drift --json | head -c 100`): the reader is gone, so what is
// left to print has no one to read it. Drop it quietly and end with the command's own exit code, instead of dying of
// an unhandled EPIPE with a stack trace.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
});

process.exitCode = await main(process.argv);
