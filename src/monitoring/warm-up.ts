import { granularityFor } from '../core/time/windows.js';
import type { StorageBackend } from '../storage/backend.js';
import type { ModelCatalog } from './catalog.js';
import type { PerformanceCache } from './performance-cache.js';
import { performanceBuckets } from './performance-buckets.js';
import type { EventsRetention } from './performance.js';
import type { SummaryReader } from './query.js';
import { driftOf } from './drift-query.js';
import { seriesMetric, TIMESERIES_METRICS } from './timeseries.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export interface WarmUpDeps {
  reader: SummaryReader;
  catalog: ModelCatalog;
  performance: PerformanceCache;
  clock: () => number;
  store: Pick<StorageBackend, 'summarySegments'>;
  /** retention.eventsDays: the buckets warmed are the route's (a bucket before the events kept says so), cached for it. */
  retention?: EventsRetention | undefined;
}

/** The per-window metrics a dashboard charts (every timeseries metric but the per-feature ones). */
const CHARTED = TIMESERIES_METRICS.filter((m) => m !== 'drift' && m !== 'missing');

/**
 * Fills the query caches for the dashboards' default range (the last `days` days) of every model's default
 * version (SummaryReader.resolveVersion: its serving alias's, else the newest), in the background after start: the window summaries of the whole traffic and of each segment
 * decoded over that range and over the last 24 h (health, drift; the whole traffic's drift computed once, not kept), the charted per-window values computed at the default granularity
 * (and by hour over the last 7 days: the dashboard's "7d" range), the labelled
 * events read and the realized quality per bucket of the model page's chart computed (performance). What a long-running server has in its caches anyway (a checkpoint drops only the
 * windows it rewrites), so the first dashboard after a restart does not pay for all of it. `stopped()`
 * ends it early (shutdown). Errors are the caller's to log; the only writes are the window values its series compute
 * (SummaryReader: feature metrics of hour and day windows), in the background.
 */
export async function warmUp(deps: WarmUpDeps, opts: { days?: number; stopped?: () => boolean } = {}): Promise<{ models: number; drifts: number; ms: number }> {
  const t0 = performance.now();
  const stopped = opts.stopped ?? ((): boolean => false);
  const to = deps.clock();
  const from = to - (opts.days ?? 30) * DAY;
  let models = 0;
  let drifts = 0;
  // The versions with any window at all (one read of the day windows' keys, as the segment cap's at start-up): a version
  // that never received an event has nothing to warm, yet its visit cost ~60 ms of store reads finding nothing (audit 16:
  // 500 models of which 50 with events warmed in 39 s, 12 s without those visits). Synced first, as queries are: every
  // event acknowledged so far is in the windows read.
  await deps.reader.sync();
  const stored = new Set((await deps.store.summarySegments('day')).map((k) => `${k.model}\u0000${k.version}`));
  for (const m of deps.catalog.models()) {
    const v = deps.reader.resolveVersion(m.name); // what the dashboards read without a version (audit 26: was the newest)
    if (!v || stopped() || !stored.has(`${m.name}\u0000${v.record.version}`)) continue;
    models++;
    // The charted series of the default range, and of the dashboard's "7d" range (by hour where the default is by
    // day). Their feature metrics are stored per window once computed, so after the first start this reads little.
    for (const start of to - from > WEEK ? [from, to - WEEK] : [from]) {
      const g = granularityFor(start, to);
      const seconds = { minute: 60, hour: 3600, day: 86_400 }[g];
      await deps.reader.seriesValuesMany(v, '', start, to, g, CHARTED.map((name) => seriesMetric(name, v, seconds)));
      if (stopped()) break;
    }
    if (stopped()) break;
    // The 30-day range (model pages) and the last 24 h (the overview's default), whole traffic and segments.
    const segments = ['', ...(await deps.reader.segments(v, from, to))];
    for (const start of [from, to - DAY]) {
      for (const segment of segments) {
        if (stopped()) break;
        const merged = await deps.reader.merged(v, segment, start, to);
        // The drift those pages show beside it, computed once and not kept (cheap from the cached merge, ~2 ms for 50
        // features): the first computation in a new process took 20-35 ms more, V8 compiling the statistics' code. Not
        // worth stopping the rest of the warm-up for: a failure here is the /drift request's to report.
        try {
          if (segment === '' && driftOf(v, merged) !== null) drifts++;
        } catch {
          // the same computation answers /drift, with its error
        }
      }
    }
    if (stopped()) break;
    // The model page's quality chart: the headline metric (web/src/views/common.ts) per bucket of whole days, at
    // most 15 buckets (web/src/views/quality.ts); this also reads the labelled events of the range.
    const headline = m.outputKind === 'regression' ? 'mae' : 'accuracy';
    const step = DAY * Math.max(1, Math.ceil((to - from) / DAY / 15));
    // Of the range the route cuts into buckets (its effective range: the first and last bucket are clipped to it).
    const eff = deps.reader.effectiveRange(from, to);
    await performanceBuckets(deps.performance, m, v, eff.from, eff.to, step, { segment: '', metrics: [headline], summaries: (f, t) => deps.reader.merged(v, '', f, t), retention: deps.retention });
  }
  return { models, drifts, ms: performance.now() - t0 };
}
