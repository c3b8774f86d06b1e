/**
 * The "cold after a restart" part of bench:query, in a process of its own (bench/query.ts spawns it with its Node flags
 * once its own server has closed): a new server on the store bench:query filled, the reader's cache cleared before every
 * request. Args: data dir, the bench's fixed clock (epoch ms), requests per row, and the start-up warm-up: `none`, or
 * `default` (server.warmUpDays as `lookout serve` has it, done before listening, so before the timed requests: the
 * caches it fills are cleared like any, what stays is a process that has run the query code once; the window-value
 * backfill that follows it in a server is off, so that it does not run beside the timed requests: every value it
 * would look for is stored already).
 */
import { defaultConfig } from '../src/config.js';
import { processThreads } from '../src/cli/thread-priority.js';
import { startServer } from '../src/server.js';
import { freshPageMicros } from './lib-proc.js';
import { faultsOfRuns, getJson, repeat, servePriority, slowestWithGc, warmClient } from './lib-query.js';
import { msSummary, quantile, verdict } from './lib-stats.js';

const [dataDir, nowArg, repsArg, warmUp = 'none'] = process.argv.slice(2);
if (dataDir === undefined || nowArg === undefined || repsArg === undefined || !['none', 'default'].includes(warmUp)) throw new Error('usage: query-restart.js DATA_DIR NOW REPS [none|default]');
const NOW = Number(nowArg);
const REPS = Number(repsArg);
const DAY = 86_400_000;
const MODEL = 'm';
const log = (s: string): void => console.log(s);

const config = defaultConfig();
config.dataDir = dataDir;
config.server.host = '127.0.0.1';
config.server.port = 0;
if (warmUp === 'none') {
  config.server.windowValueFillSeconds = 86_400;
  config.server.warmUpDays = 0;
} else {
  config.server.windowValueFillSeconds = 0;
}
// The bench's client is a long-running process in real use (a browser, a dashboard): its own first request is not timed.
await warmClient();
const before = new Set(processThreads());
const t0 = performance.now();
const s = await startServer({ config, clock: () => NOW, warmUp: 'before-listen' });
const started = performance.now() - t0;
log(`restarted server (a new process): ${await servePriority(before)}; ${warmUp === 'none' ? 'no warm-up' : `started with the default warm-up (${config.server.warmUpDays ?? 30} days) in ${started.toFixed(0)} ms`}`);
try {
  const paths: Array<[string, string]> = [
    ['drift, last 24 h', `/v1/models/${MODEL}/drift?version=1&from=${NOW - DAY}&to=${NOW}`],
    ['drift, 24 h ten days back', `/v1/models/${MODEL}/drift?version=1&from=${NOW - 10 * DAY}&to=${NOW - 9 * DAY}`],
    ...['latencyP95', 'driftShare', 'drift:f0'].map((m): [string, string] => [`timeseries ${m} by hour, 30 days`, `/v1/models/${MODEL}/timeseries?version=1&metric=${m}&granularity=hour&from=${NOW - 30 * DAY}&to=${NOW}`]),
  ];
  log('');
  log(`cold after a restart (a new server process on the same store, ${warmUp === 'none' ? 'no warm-up' : 'after the default warm-up'}; reader cache cleared before every request):`);
  for (const [title, path] of paths) {
    const ms = await repeat(REPS, 15_000, () => {
      s.deps.reader.cache.clear();
      return getJson(s.url + path);
    }, 1);
    const target = title.startsWith('drift,') ? 50 : 100;
    log(`  ${title.padEnd(50)} ${msSummary(ms, [['p50', 0.5], ['p95', 0.95]])}; < ${target} ms (p95) -> ${verdict(quantile(ms, 0.95) < target)}`);
    // The first requests of a new process also wait for V8 to optimise the merge code: shown, and counted above.
    log(`  ${''.padEnd(50)} the first five timed, in order: ${ms.slice(0, 5).map((x) => x.toFixed(0)).join(', ')} ms; slowest ${slowestWithGc(ms)} ms; faults ${faultsOfRuns(ms)}`);
  }
  log(`  (faults: this process's minor page faults per request, server and client; a fresh page costs ${freshPageMicros().toFixed(2)} µs on this machine, measured now)`);
} finally {
  await s.close();
}
