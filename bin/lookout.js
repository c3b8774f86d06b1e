#!/usr/bin/env node
// First: DuckDB's allocator options, read when libduckdb loads (src/cli/duckdb-allocator.ts).
import '../dist/src/cli/duckdb-allocator.js';
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
