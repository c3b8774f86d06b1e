/**
 * Child process for the kill -9 durability test: commits batches in a loop and prints each batch number
 * on stdout only after its commit() resolved. Usage: node crash-child.js <db-file> <events-per-batch> [read]
 * With `read`, each commit is followed by a keyed read of its window and the one before (which keeps them as summary
 * files: summary-files.ts).
 */
import { DuckDbStore } from './store.js';

const [file, perBatchArg, mode] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: crash-child.js <db-file> <events-per-batch>');
const perBatch = Number(perBatchArg ?? '200');
const store = await DuckDbStore.open(file);
await store.init();
for (let i = 0; ; i++) {
  await store.commit({
    events: Array.from({ length: perBatch }, (_, j) => ({
      id: `b${i}-${j}`, model: 'crash', version: 'v1', ts: 1_700_000_000_000 + i, segment: '', prediction: '1',
      score: 0.5, scores: null, latencyMs: 1, error: null, costUsd: null, features: j === 0 ? { i } : null,
    })),
    summaries: [{
      model: 'crash', version: 'v1', segment: '', granularity: 'minute', windowStart: i * 60_000,
      data: new Uint8Array(8_000).fill(i % 256),
    }],
  });
  if (mode === 'read') await store.querySummaries({ model: 'crash', version: 'v1', segment: '', granularity: 'minute', from: (i - 1) * 60_000, to: (i + 1) * 60_000 });
  process.stdout.write(`${i}\n`);
}
