#!/usr/bin/env node
// First: DuckDB's allocator options, read when libduckdb loads (src/cli/duckdb-allocator.ts).
import '../dist/src/cli/duckdb-allocator.js';
import { main } from '../dist/src/cli/main.js';

// Output piped into a reader that stops early (`lookout drift --json | head -c 100`): the reader is gone, so what is
// left to print has no one to read it. Drop it quietly and end with the command's own exit code, instead of dying of
// an unhandled EPIPE with a stack trace.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
});

process.exitCode = await main(process.argv);
