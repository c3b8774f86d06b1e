/**
 * bench:dashboard — how long the dashboard's views take to load in a real browser (issue 6: under 1 s with
 * 30 days of demo data).
 *
 * Fills a fresh data dir with `lookout serve --demo`, then BENCH_STARTS times (default 3): starts the server on
 * that data dir (the demo's start-up warms the query caches before listening, as after any restart), opens each
 * view once in Debian's Chromium (the first open after start) and BENCH_REPEATS more times (default 3), and
 * stops the server. A load is timed from navigation start until every panel is drawn (main panels too).
 * References, measured in the same run: the requests the browser made for a view's first open, sent again at
 * once from this process right after it (what the server alone takes for them, without the browser), and the bare
 * shell (HTML and bundle, until the app starts rendering). Env: BENCH_STARTS, BENCH_REPEATS, LOOKOUT_CHROMIUM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserUnavailable, launch, openView, type RequestTiming } from '../test/helpers/browser.js';
import { spawnServe, type RunningServer } from '../test/helpers/process.js';
import { fmtMs, quantile, verdict } from './lib-stats.js';

const STARTS = Math.max(1, Number(process.env['BENCH_STARTS'] ?? 3));
const REPEATS = Math.max(0, Number(process.env['BENCH_REPEATS'] ?? 3));
const TARGET_MS = 1000;
const VIEWS: Array<[string, string]> = [
  ['overview', '#/overview'], ['model', '#/model/churn'], ['feature', '#/feature/churn/monthly_spend'],
  ['alerts', '#/alerts?state=all'], ['slos', '#/slos'], ['registry', '#/registry'],
  ['executive', '#/exec'], ['oncall', '#/oncall'], ['debug', '#/debug/churn'],
];

const log = (s: string): void => console.log(s);

interface Figures { first: number[]; repeated: number[]; server: number[] }

/** Sends a view's requests at once, as the browser did, and returns when the last answer is read (ms). */
async function replay(base: string, requests: readonly RequestTiming[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(requests.filter((r) => r.path.startsWith('/v1/')).map(async (r) => {
    const res = await fetch(`${base}${r.path}`);
    await res.arrayBuffer();
  }));
  return performance.now() - t0;
}

const unavailable = browserUnavailable();
if (unavailable) {
  console.error(`bench:dashboard cannot run: ${unavailable}`);
  process.exit(2);
}
const dataDir = mkdtempSync(join(tmpdir(), 'lookout-bench-dash-'));
const figures = new Map<string, Figures>(VIEWS.map(([name]) => [name, { first: [], repeated: [], server: [] }]));
const shell: number[] = [];
const browser = await launch();
let server: RunningServer | undefined;
try {
  log(`bench:dashboard — ${STARTS} server starts on 30 days of demo data, each view opened once after each start and ${REPEATS} more times`);
  log(`machine: ${cpus().length} CPUs; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`);
  for (let start = 0; start < STARTS; start++) {
    const t0 = performance.now();
    server = await spawnServe(['--demo', '--data-dir', dataDir], 300_000);
    log(`start ${start + 1}: listening after ${(performance.now() - t0) / 1000 < 1 ? fmtMs(performance.now() - t0) : `${((performance.now() - t0) / 1000).toFixed(1)} s`}${start === 0 ? ' (demo fill included)' : ' (warm-up included)'}`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The browser's own first page (renderer start-up) is not a view's figure; this one asks the API nothing.
    await page.goto(`${server.url}/healthz`);
    for (const [name, hash] of VIEWS) {
      const f = figures.get(name) as Figures;
      const requests: RequestTiming[] = [];
      const t = await openView(page, `${server.url}/ui/${hash}`, { complete: true, timeoutMs: 60_000, requests });
      f.first.push(t.completeMs ?? NaN);
      f.server.push(await replay(server.url, requests));
      for (let i = 0; i < REPEATS; i++) f.repeated.push((await openView(page, `${server.url}/ui/${hash}`, { complete: true, timeoutMs: 60_000 })).completeMs ?? NaN);
    }
    // The shell alone: the document and bundle, timed to the moment the app starts rendering.
    for (let i = 0; i < 3; i++) shell.push((await openView(page, `${server.url}/ui/#/overview`)).renderStartMs);
    await page.close();
    await server.stop();
    server = undefined;
  }
  const fmt = (xs: number[]): string => `median ${fmtMs(quantile(xs, 0.5)).padStart(8)}, max ${fmtMs(Math.max(...xs)).padStart(8)}`;
  log(`\nall panels drawn, ms from navigation start (first open after a start: n=${STARTS} per view; repeated: n=${STARTS * REPEATS})`);
  const firstAll: number[] = [];
  const repeatedAll: number[] = [];
  for (const [name, f] of figures) {
    firstAll.push(...f.first);
    repeatedAll.push(...f.repeated);
    const ratio = quantile(f.first, 0.5) / Math.max(1, quantile(f.server, 0.5));
    log(`  ${name.padEnd(10)} first ${fmt(f.first)}   repeated ${REPEATS ? fmt(f.repeated) : '-'}   its requests from node ${fmt(f.server)} (page / requests ${ratio.toFixed(1)}x)`);
  }
  log(`  shell only (document and bundle, until the app starts rendering): median ${fmtMs(quantile(shell, 0.5))}`);
  const worstFirst = Math.max(...firstAll);
  const worstRepeated = repeatedAll.length ? Math.max(...repeatedAll) : NaN;
  log(`\ntarget: every view under ${TARGET_MS} ms — first open after a start: worst ${fmtMs(worstFirst)} ${verdict(worstFirst < TARGET_MS)}`
    + `; repeated opens: worst ${REPEATS ? fmtMs(worstRepeated) : '-'} ${REPEATS ? verdict(worstRepeated < TARGET_MS) : ''}`);
  log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  await server?.stop();
  await browser.close();
  rmSync(dataDir, { recursive: true, force: true });
}
