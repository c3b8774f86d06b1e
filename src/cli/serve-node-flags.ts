/**
 * Node.js flags `lookout serve` runs best with: `npm start` and the benchmarks that start a server pass them (keep
 * the `start` and `bench:query` scripts in package.json in step); other launches can set them through NODE_OPTIONS.
 *
 * --max-semi-space-size=64: a young generation of up to 2 x 64 MB instead of Node 20's 2 x 16 MB. Under ingest,
 * events live from their request until their group commit (tens of ms), long enough to survive one or two
 * scavenges of a small young generation and be copied into the old one; a larger one lets them die young.
 * Measured with bench:ingest (20 s runs, interleaved, same minutes): 49.2k / 48.1k / 43.1k events/s with it against
 * 42.5k / 42.9k / 39.8k without (+12%), p99 ack no worse; RSS about 90 MB higher.
 *
 * --no-memory-reducer: V8's memory reducer, once the process allocates little for a while (about 8 s after start, and
 * after major GCs), runs memory-reducing mark-compacts that shrink the heap and the young generation to what is live.
 * The server then meets its next traffic with a small young generation that grows back slowly: bench:gateway's runs
 * where it fired (during the rounds that call the upstream directly, when the server idles) took 112-170 scavenges and
 * 8-10 major GCs against 30-34 and 1-2, and their p99 added was 2.1-4.8 ms against 1.4-2.0 ms. Without the reducer:
 * 1.29-1.69 ms in three runs under --trace-gc, then 1.20-2.34 ms in five of six default runs (the sixth stalled with the
 * whole machine: the direct upstream's own p99 8.5 ms). bench:ingest the same within the noise (72.6 / 73.2 against
 * 69.6 / 77.3k events/s); RSS after `serve --demo` the same (1,342-1,376 against 1,390-1,515 MB, single runs). The heap
 * still shrinks at regular GCs.
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64', '--no-memory-reducer'];
