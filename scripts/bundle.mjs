// Bundles the CLI and the delta worker (dist/src, as tsc wrote it) into dist/bundle/ with rolldown: a `lookout` start
// then reads a few files instead of ~1,400 (node_modules' packages one file at a time, and ours), which took most of
// its start-up CPU (`lookout serve` ~1.4 -> ~1.0 CPU-s to listening, `lookout --version` 0.28 -> 0.15 s, this machine).
// DuckDB's native bindings (@duckdb/node-bindings, which load libduckdb) and Node's own modules stay outside; its JS API
// (@duckdb/node-api, CommonJS) is bundled: imported from ESM, Node lexed each of its files for their exports, ~0.2 CPU-s
// of every command reading data (CI time (2026-12-07): lookout drift of 100 rows 0.54 -> 0.39 CPU-s by this alone).
// bin/lookout.js runs the bundle only while every module
// it was built from is unchanged, none written since (src/cli/bundle-fresh.ts; manifest.json lists them), else dist/src.
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { build } from 'rolldown';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'dist/bundle');
rmSync(out, { recursive: true, force: true });
const inputs = new Set();
const result = await build({
  cwd: root,
  input: { lookout: 'dist/src/cli/main.js', 'delta-worker': 'dist/src/ingest/delta-worker.js' },
  platform: 'node',
  external: [/^@duckdb\/node-bindings/, /^node:/],
  // dist/src/paths.ts finds files from dist/bundle/, as deep below the root as dist/src/
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'chunk-[hash].js' },
  plugins: [{ name: 'inputs', moduleParsed(info) { if (!info.id.startsWith('\0')) inputs.add(info.id); } }],
  logLevel: 'warn',
});
// Our modules (the packages' change with an install, after which `npm run build` or the test runner bundles again).
const checked = [...inputs].filter((id) => id.startsWith(resolve(root, 'dist/src'))).sort();
let newestMs = 0;
const files = checked.map((id) => {
  const st = statSync(id);
  newestMs = Math.max(newestMs, st.mtimeMs);
  return [relative(root, id), st.size];
});
writeFileSync(resolve(out, 'manifest.json'), JSON.stringify({ entry: 'lookout.js', newestMs, inputs: files }));
console.log(`dist/bundle: ${result.output.length} files from ${inputs.size} modules`);
