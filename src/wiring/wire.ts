import { join } from 'node:path';
import { parseAlertingSettings } from '../alerting/settings.js';
import type { LookoutConfig } from '../config.js';
import { uuidv7 } from '../io/uuid7.js';
import { seededRandom } from '../core/random/rng.js';
import { buildRegistryServices } from '../gateway/services.js';
import { ApiKeys } from '../http/auth.js';
import type { AppDeps } from '../http/deps.js';
import { ServerMetrics } from '../http/metrics.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { DEFAULT_MAX_SEGMENTS_PER_MODEL, OTHER_SEGMENT_VALUE } from '../ingest/segment-cap.js';
import { ModelCatalog } from '../monitoring/catalog.js';
import { PerformanceCache, watchCommits } from '../monitoring/performance-cache.js';
import { SummaryReader } from '../monitoring/query.js';
import { WindowValueFiller } from '../monitoring/window-value-filler.js';
import { Retention } from '../ingest/retention.js';
import type { StorageBackend } from '../storage/backend.js';
import type { SummaryKey } from '../storage/types.js';
import { readerSync, syncedStore } from '../ingest/synced-store.js';
import { storeJournalDir } from '../ingest/journal-dir.js';
import { intermediateSince } from '../monitoring/intermediate-since.js';
import { dataDirEntryError, journalGapWarning } from '../startup-errors.js';
import type { RolloutNotifier } from '../rollout/notifier.js';

/** The longest action cooldown of the alerting config (checked before wire: startServer), which retention keeps actions for. */
function longestCooldown(config: LookoutConfig): number {
  const { actions } = parseAlertingSettings(config.alerting);
  return Math.max(actions.retrain?.cooldownMs ?? 0, actions.rollback?.cooldownMs ?? 0);
}

/**
 * The server's parts on an opened store: the catalog, the ingest pipeline (its journal recovered), the readers and
 * their caches, the registry and gateway, retention, metrics and API keys.
 */
export async function wire(raw: StorageBackend, config: LookoutConfig, clock: () => number, notifier: RolloutNotifier): Promise<AppDeps> {
  // The journal's files refused by the file system (a file in the way, another user's): the operator's to fix (exit 2).
  const entryError = (e: unknown): never => {
    throw dataDirEntryError(config.dataDir, e) ?? e;
  };
  const catalog = new ModelCatalog(raw);
  await catalog.load();
  const queued = { events: (): number => 0 };
  const metrics = new ServerMetrics(() => queued.events());
  if (raw.memoryUsage) metrics.storeMemory = raw.memoryUsage.bind(raw);
  if (raw.memoryLimit) metrics.watchStoreMemoryLimit(raw.memoryLimit.bind(raw));
  // Results and labelled events of GET /performance, dropped when a commit writes the model's events or labels over their times.
  const performance = new PerformanceCache(raw, {
    ttlMs: raw.kind === 'duckdb' ? Infinity : 5000, clock,
    ...(config.server.maxLabelledEvents !== undefined && { limit: config.server.maxLabelledEvents }),
  });
  watchCommits(raw, (model, touched) => performance.invalidate(model, touched));
  const invalidate = { summaries: (_keys: readonly SummaryKey[]): void => undefined };
  const foldedModels = new Set<string>();
  const pipeline = new IngestPipeline(raw, catalog, {
    onSummaries: (keys) => invalidate.summaries(keys),
    sampleRate: config.ingest.sampleRate,
    ...(config.ingest.deltaWorker !== undefined && { deltaWorker: config.ingest.deltaWorker }),
    ...(config.ingest.maxSegmentsPerModel !== undefined && { maxSegmentsPerModel: config.ingest.maxSegmentsPerModel }),
    ...(config.ingest.maxQueuedEvents !== undefined && { maxQueuedEvents: config.ingest.maxQueuedEvents }),
    onSegmentFolded: (model) => {
      // Said once per model and run; /metrics counts every one.
      if (!foldedModels.has(model)) {
        foldedModels.add(model);
        process.stderr.write(`lookout: model "${model}" has reached its limit of ${config.ingest.maxSegmentsPerModel ?? DEFAULT_MAX_SEGMENTS_PER_MODEL} distinct segments (ingest.maxSegmentsPerModel): events of new segments are summarised under "${OTHER_SEGMENT_VALUE}" (is a segment key an id, such as a user's?)\n`);
      }
      metrics.segmentsFolded.inc({ model });
    },
    random: seededRandom(clock() % 2 ** 32),
    clock,
    journalDir: await storeJournalDir(join(config.dataDir, 'journal'), raw).catch(entryError),
    onCommit: (_e, _r, seconds, stages) => {
      metrics.commitSeconds.observe(seconds);
      for (const [stage, s] of Object.entries(stages)) metrics.commitStageSeconds.observe({ stage }, s);
    },
    onCheckpoint: (_w, seconds) => metrics.checkpointSeconds.observe(seconds),
  });
  // Decided before anything is written: whether this store's intermediate windows are complete from the start.
  const since = await intermediateSince(raw, clock());
  const recovered = await pipeline.open().catch(entryError);
  if (recovered.missing !== undefined) process.stderr.write(journalGapWarning(recovered.missing));
  if (recovered.replayed + recovered.skipped > 0) {
    process.stderr.write(`lookout: recovered the summaries of ${recovered.replayed} ingest groups from the journal${recovered.skipped ? ` (${recovered.skipped} rows of model versions no longer declared skipped)` : ''}\n`);
  }
  // Readers see summaries through sync(): what was acknowledged is checkpointed before they read.
  const sync = readerSync(() => pipeline.sync());
  const store = syncedStore(raw, sync);
  const reader = new SummaryReader(store, catalog, clock);
  reader.sync = sync;
  reader.intermediateSince = since;
  let valuesFailed = 0;
  reader.onWindowValuesError = (e) => {
    // Nothing is lost (the values are computed again on the next read); said once, not per query.
    if (valuesFailed++ === 0) process.stderr.write(`lookout: could not store computed window values (they are recomputed when needed): ${String(e)}\n`);
  };
  const filler = new WindowValueFiller(reader, catalog, clock);
  let fillFailed = 0;
  filler.onError = (e) => {
    // The windows stay pending and are tried again on the next run; said once.
    if (fillFailed++ === 0) process.stderr.write(`lookout: could not compute window values ahead of queries (tried again later): ${String(e)}\n`);
  };
  filler.onRun = (r) => {
    metrics.windowValuesFilled.inc(r.windows);
    metrics.windowValueFillFailures.inc(r.failed);
    metrics.windowValueFillSeconds.observe(r.ms / 1000);
  };
  metrics.windowValuesPending = () => filler.pendingWindows;
  const filling = config.server.windowValueFillSeconds !== 0; // else nothing would ever take the noted windows
  invalidate.summaries = (keys) => {
    reader.cache.invalidate(keys);
    if (filling) filler.noteWritten(keys);
  };
  queued.events = () => pipeline.queuedEvents;
  // Ids the server assigns (events without one, the gateway's predictions, records): time-ordered (src/io/uuid7.ts).
  const newId = (): string => uuidv7();
  const registry = await buildRegistryServices({
    store, catalog, pipeline, dataDir: config.dataDir, clock, newId, random: seededRandom((clock() + 1) % 2 ** 32),
    notifier, ...(config.registry?.tickMs !== undefined && { tickMs: config.registry.tickMs }),
    ...(config.registry?.refreshMs !== undefined && { refreshMs: config.registry.refreshMs }),
    ...(config.registry?.maxArtifactMb !== undefined && { maxArtifactMb: config.registry.maxArtifactMb }),
  });
  metrics.watchGatewayRecorder(registry.recorder);
  reader.servingVersion = (model) => {
    const c = registry.registry.control(model);
    return c.aliases[c.serving.alias];
  };
  return {
    store, catalog, pipeline, metrics, clock, registry,
    reader, performance, filler,
    retention: new Retention(raw, () => catalog.models(), clock, {
      ...(config.retention?.eventsDays !== undefined && { eventsMs: config.retention.eventsDays * 86_400_000 }),
      ...(config.retention?.evaluationsDays !== undefined && { evaluationsMs: config.retention.evaluationsDays * 86_400_000 }),
      ...(config.retention?.alertsDays !== undefined && { alertsMs: config.retention.alertsDays * 86_400_000, actionCooldownMs: longestCooldown(config) }),
      // /performance caches labelled events by range: those of a model whose events went are read again
      onEventsPruned: (model) => performance.invalidate(model),
    }),
    keys: new ApiKeys(config.auth.keys),
    newId,
    dataDir: config.dataDir,
  };
}
