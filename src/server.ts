import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { LookoutConfig } from './config.js';
import { uuidv7 } from './io/uuid7.js';
import { seededRandom } from './core/random/rng.js';
import { buildRegistryServices } from './gateway/services.js';
import { checkAlertingConfig, createAlerting } from './alerting/setup.js';
import type { Server as TlsServer } from 'node:tls';
import { buildApp } from './http/app.js';
import { readTls, reloadTlsOnChange } from './http/tls.js';
import { ApiKeys } from './http/auth.js';
import type { AppDeps } from './http/deps.js';
import { ServerMetrics } from './http/metrics.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { DEFAULT_MAX_SEGMENTS_PER_MODEL, OTHER_SEGMENT_VALUE } from './ingest/segment-cap.js';
import { checkModelShape } from './models/declaration.js';
import { ModelCatalog } from './monitoring/catalog.js';
import { PerformanceCache, watchCommits } from './monitoring/performance-cache.js';
import { SummaryReader } from './monitoring/query.js';
import { warmUp } from './monitoring/warm-up.js';
import { WindowValueFiller } from './monitoring/window-value-filler.js';
import { Retention } from './ingest/retention.js';
import { referenceFromFile, referenceOptions, sameReferenceOptions } from './monitoring/reference-builder.js';
import type { ReferenceProfile } from './monitoring/profile.js';
import type { StorageBackend } from './storage/backend.js';
import type { ModelRecord, SummaryKey, VersionRecord } from './storage/types.js';
import { readerSync, syncedStore } from './ingest/synced-store.js';
import { storeJournalDir } from './ingest/journal-dir.js';
import { intermediateSince } from './monitoring/intermediate-since.js';
import { checkStoreFormat } from './storage/format.js';
import { VERSION } from './version.js';
import { openStore } from './storage/open.js';
import { InputError } from './io/errors.js';
import { configError, entry, invalidConfig } from './config-where.js';
import { makeDirs } from './io/make-dirs.js';
import { DeclarationConflict } from './models/declaration-change.js';
import { dataDirEntryError, dataDirError, listenError, shownStoreUrl, StartStopped, storeOpenError, storeRefusedAtStart, summaryFilesCheck, journalGapWarning } from './startup-errors.js';
import { probeListen } from './listen-probe.js';
import { LogNotifier, type RolloutNotifier } from './rollout/notifier.js';
import { RegistryRollback } from './wiring/registry-rollback.js';
import { RolloutAlerts } from './wiring/rollout-alerts.js';

/** Old minute windows (and events past retention.eventsDays) are pruned hourly (ingest/retention.ts), the first time a minute after the start. */
const PRUNE_INTERVAL_MS = 3_600_000;
const PRUNE_FIRST_MS = 60_000;
/** How long a stop lets requests in flight finish (config server.shutdownGraceSeconds): within Kubernetes' 30 s grace period, with time left for the last checkpoint. */
const DEFAULT_SHUTDOWN_GRACE_SECONDS = 20;
/**
 * How long receiving a request may take (config server.requestTimeoutSeconds; http/request-timeout.ts): the largest JSON
 * body, 16 MiB, arrives within it at 280 KB/s (2.2 Mbit/s); file uploads (artifacts, reference files) are cut only after
 * as long without a byte.
 */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

export interface Server {
  app: FastifyInstance;
  deps: AppDeps;
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  config: LookoutConfig;
  clock?: () => number;
  logger?: boolean;
  /** Where the log goes (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** Listen (default) or only build the app (tests using app.inject). */
  listen?: boolean;
  /** Called after models are loaded, before listening (the demo fills the store here); it may stop early on `signal`. */
  beforeListen?: (deps: AppDeps, signal?: AbortSignal) => Promise<void>;
  /**
   * Stops the start-up (a SIGTERM meanwhile): looked at between its steps (and by beforeListen and the warm-up within
   * theirs); once aborted, startServer closes what it opened (the ingest pipeline checkpoints, the store is closed) and
   * rejects with StartStopped.
   */
  signal?: AbortSignal;
  /** Where rollout events go (default: the log). */
  rolloutNotifier?: RolloutNotifier;
  /** When the query caches are warmed (monitoring/warm-up.ts): in the background after listening (default), or before (the demo). */
  warmUp?: 'background' | 'before-listen';
}

export function storeUrl(config: LookoutConfig): string {
  return config.storage ?? `duckdb:${join(config.dataDir, 'lookout.duckdb')}`;
}

/** Opens the store, loads models (declaring those of the config), and starts the HTTP server. */
export async function startServer(opts: ServerOptions): Promise<Server> {
  const { config } = opts;
  // Before anything is opened or written (models are checked before any is declared: declareConfiguredModels).
  checkAlertingConfig({ settings: config.alerting, monitors: config.monitors ?? [], slos: config.slos ?? [], source: config.source });
  const tls = config.server.tls ? readTls(config.server.tls) : undefined;
  try {
    makeDirs(config.dataDir);
    accessSync(config.dataDir, constants.W_OK);
  } catch (e) {
    throw dataDirError(config.dataDir, e);
  }
  const store = await openStore(storeUrl(config), {
    ...(config.summaryFilesMb !== undefined && { summaryFilesBytes: config.summaryFilesMb * 1024 * 1024 }),
    ...(config.duckdbMemoryMb !== undefined && { memoryLimitMb: config.duckdbMemoryMb }),
  }).catch((e: unknown) => {
    throw storeOpenError(storeUrl(config), e);
  });
  // Creating the tables can fail for the environment too (a role without CREATE on the database, a schema name
  // PostgreSQL reserves): one line and exit code 2, as for a store that cannot be opened, not an internal error.
  await store.init().catch(async (e: unknown) => {
    await store.close().catch(() => undefined);
    throw storeOpenError(storeUrl(config), e);
  });
  const filesRefused = summaryFilesCheck(config.dataDir, store.summaryFilesError?.() ?? null);
  if (filesRefused !== null) {
    await store.close();
    throw filesRefused;
  }
  try {
    await store.claimWriter?.();
  } catch (e) {
    await store.close();
    throw new InputError(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
  }
  await checkStoreFormat(store, VERSION, shownStoreUrl(storeUrl(config))).catch(async (e: unknown) => {
    await store.close().catch(() => undefined);
    throw e instanceof InputError ? e : storeRefusedAtStart(config.dataDir, e instanceof Error ? e.message : String(e));
  });
  const aborted = (): boolean => opts.signal?.aborted === true;
  const check = (): void => {
    if (aborted()) throw new StartStopped();
  };
  let wired: AppDeps | null = null;
  try {
    check();
    const rolloutAlerts = new RolloutAlerts([opts.rolloutNotifier ?? new LogNotifier()]);
    const deps = await wire(store, config, opts.clock ?? Date.now, rolloutAlerts);
    wired = deps;
    check();
    await declareConfiguredModels(deps, config);
    check();
    deps.alerting = await createAlerting({
      store: deps.store, reader: deps.reader, catalog: deps.catalog, clock: deps.clock, newId: deps.newId,
      settings: config.alerting, monitors: config.monitors ?? [], slos: config.slos ?? [], source: config.source,
      // Over server.maxLabelledEvents, monitors evaluate a uniform sample (their sample counts say so).
      labelled: async (model, version, from, to) => (await deps.performance.labelled(model, version, from, to)).events,
      onRound: (seconds, evaluated, failed) => deps.metrics.monitorRound(seconds, evaluated, failed),
    });
    // cross-issue hooks: alert rollback actions flip registry aliases; rollout rollbacks raise alerts
    if (deps.registry) deps.alerting.setRollbackRequester(new RegistryRollback(deps.registry));
    rolloutAlerts.attach(deps.alerting);
    if (opts.beforeListen) {
      // The demo fill takes a minute or two: an address it could not listen on afterwards is refused before it.
      if (opts.listen !== false) {
        await probeListen(config.server.host, config.server.port).catch((e: unknown) => {
          throw listenError(config.server.host, config.server.port, e);
        });
      }
      await opts.beforeListen(deps, opts.signal);
    }
    check();
    const graceSeconds = config.server.shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS;
    const app = buildApp(deps, {
      logger: opts.logger ?? false, requestLogs: config.server.requestLogs ?? 'errors', ...(opts.logStream ? { logStream: opts.logStream } : {}),
      requestTimeoutMs: (config.server.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
      ...(tls && { https: tls }),
      shutdownGrace: {
        ms: graceSeconds * 1000,
        onClosed: (n) => void process.stderr.write(`lookout: shutdown: closed ${n} connection${n === 1 ? '' : 's'} whose request was not answered within ${graceSeconds} s (server.shutdownGraceSeconds; a client stalled mid-request?): not processed, the client may retry\n`),
      },
    });
    let closing = false;
    // Query caches for the dashboards' default range (see monitoring/warm-up.ts).
    const warmUpDays = config.server.warmUpDays ?? 30;
    const stopped = (): boolean => closing || aborted();
    const filler = deps.filler as WindowValueFiller;
    const warm = (): Promise<void> => warmUp(deps, { days: warmUpDays, stopped })
      .then((r) => app.log.info(`query caches warmed for ${r.models} models in ${Math.round(r.ms)} ms`))
      .catch((e: unknown) => { if (!closing) app.log.warn(`query cache warm-up failed: ${String(e)}`); });
    const warmOn = warmUpDays > 0 && opts.listen !== false;
    // Stored window values of closed hour and day windows, computed ahead of queries (monitoring/window-value-filler.ts):
    // those of the warm-up range after it (once stored, later starts only read them), then every windowValueFillSeconds
    // those of the windows that closed since.
    const fillMs = (config.server.windowValueFillSeconds ?? 60) * 1000;
    const fillOn = fillMs > 0 && opts.listen !== false;
    const backfill = (): Promise<void> => (fillOn && warmUpDays > 0 ? filler.backfill(warmUpDays, stopped)
      .then((r) => app.log.info(`window values of ${r.windows} closed windows computed or found in ${Math.round(r.ms)} ms`))
      .catch((e: unknown) => { if (!closing) app.log.warn(`window value backfill failed: ${String(e)}`); }) : Promise.resolve());
    if (warmOn && opts.warmUp === 'before-listen') await warm();
    check();
    let url = '';
    if (opts.listen !== false) {
      try {
        url = await app.listen({ host: config.server.host, port: config.server.port });
      } catch (e) {
        closing = true;
        await app.close();
        throw listenError(config.server.host, config.server.port, e);
      }
    } else await app.ready();
    const stopTlsReload = config.server.tls && opts.listen !== false ? reloadTlsOnChange(app.server as unknown as TlsServer, config.server.tls, app.log) : null;
    deps.alerting.start();
    if (opts.listen !== false) {
      deps.retention?.start(PRUNE_INTERVAL_MS, PRUNE_FIRST_MS, (e) => {
        if (!closing) app.log.warn(`pruning old minute windows or events failed (tried again in an hour): ${String(e)}`);
      }, (n) => {
        deps.metrics.windowsPruned.inc(n.windows);
        deps.metrics.eventsPruned.inc(n.events);
        if (n.windows + n.events > 0) app.log.info(`pruned ${n.windows} minute and 10-minute window summaries past the minute-window retention and ${n.events} events past retention.eventsDays`);
      });
    }
    const warming = (warmOn && opts.warmUp !== 'before-listen' ? warm() : Promise.resolve()).then(backfill);
    let filling: Promise<unknown> = Promise.resolve();
    const fillTimer = fillOn ? setInterval(() => {
      if (!filler.busy) filling = filler.fillClosed(stopped).catch(() => undefined); // a long run is not queued behind
    }, fillMs) : null;
    fillTimer?.unref();
    return {
      app, deps, url,
      async close() {
        closing = true;
        stopTlsReload?.();
        if (fillTimer) clearInterval(fillTimer);
        await warming;
        await filling;
        await deps.retention?.stop();
        try {
          await deps.alerting?.stop();
          await app.close();
          await deps.registry?.close();
          // Its last checkpoint refused (a store refusing writes; the journal's directory unwritable): said as what it is
          // (the bare EACCES of the journal's next file until audit 13), and what it means.
          await deps.pipeline.close().catch((e: unknown) => {
            if ((store.failure?.() ?? null) !== null) throw e; // the store's refusal, said as it is (serve.ts)
            const why = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
            throw new Error(`the last checkpoint could not be written (${why}); nothing acknowledged is lost: the next start recovers it from the summary journal`, { cause: e });
          });
        } finally {
          await store.close();
        }
      },
    };
  } catch (e) {
    // What acknowledged ingest added is checkpointed (else the journal keeps it: nothing is lost either way).
    await wired?.registry?.close().catch(() => undefined);
    await wired?.pipeline.close().catch(() => undefined);
    // A write the store refused on the way (DuckDB stopped on a failed COMMIT: a full disk) is the environment's, said
    // in one line with exit code 2, not an internal error with a stack trace.
    const refused = e instanceof StartStopped || e instanceof InputError ? null : store.failure?.() ?? null;
    await store.close();
    if (refused !== null) throw storeRefusedAtStart(config.dataDir, refused);
    throw e;
  }
}

async function wire(raw: StorageBackend, config: LookoutConfig, clock: () => number, notifier: RolloutNotifier): Promise<AppDeps> {
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
  return {
    store, catalog, pipeline, metrics, clock, registry,
    reader, performance, filler,
    retention: new Retention(raw, () => catalog.models(), clock, {
      ...(config.retention?.eventsDays !== undefined && { eventsMs: config.retention.eventsDays * 86_400_000 }),
      // /performance caches labelled events by range: those of a model whose events went are read again
      onEventsPruned: (model) => performance.invalidate(model),
    }),
    keys: new ApiKeys(config.auth.keys),
    newId,
    dataDir: config.dataDir,
  };
}

/**
 * Models and versions of the config file: created or updated; references computed when missing. Every model is checked
 * and every reference file read before anything is written: a refused config leaves the store as it was.
 */
async function declareConfiguredModels(deps: AppDeps, config: LookoutConfig): Promise<void> {
  const now = deps.clock();
  const planned: Array<{ record: ModelRecord; versions: VersionRecord[] }> = [];
  for (const [i, m] of config.models.entries()) {
    const where = entry('models', i, m, 'name');
    const existing = deps.catalog.model(m.name)?.model;
    const record: ModelRecord = {
      name: m.name, outputKind: m.outputKind, inputSchema: m.inputSchema, segmentKeys: m.segmentKeys ?? [],
      ...(m.classes && { classes: m.classes }), ...(m.description !== undefined && { description: m.description }),
      createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    try {
      deps.catalog.checkInputSchema(record.inputSchema);
    } catch (e) {
      throw new InputError(invalidConfig(config.source, where, `inputSchema is not a valid input schema: ${e instanceof Error ? e.message : String(e)}`));
    }
    configError(config.source, where, () => checkModelShape(record));
    try {
      await deps.catalog.checkModel(record);
    } catch (e) {
      if (e instanceof DeclarationConflict) throw new InputError(invalidConfig(config.source, where, e.message));
      throw e;
    }
    const versions: VersionRecord[] = [];
    for (const [j, v] of (m.versions ?? []).entries()) {
      const current = deps.catalog.version(m.name, v.version);
      let reference = current?.record.reference;
      const source = (reference as Partial<ReferenceProfile> | undefined)?.source;
      // Built again when the file or its options changed (a `scores:` added to the file was ignored while the file was the same).
      const { file, ...cols } = v.reference ?? { file: undefined };
      if (file !== undefined && (source?.file !== file || !sameReferenceOptions(source.options, referenceOptions(cols)))) {
        try {
          reference = { ...(await referenceFromFile(record, v.version, file, cols, now)) };
        } catch (e) {
          // The file's own problems (missing, unreadable, a column it lacks); not an internal error.
          if (!(e instanceof InputError)) throw e;
          const at = `models[${i}].versions[${j}].reference (model ${JSON.stringify(m.name)}, version ${JSON.stringify(v.version)})`;
          throw new InputError(invalidConfig(config.source, at, e.message), e.code, e.details);
        }
      }
      // A version the file declares without `metadata` keeps what the API gave it (as POST .../versions does): the file
      // is declared again at each start, and every restart cleared it.
      const metadata = v.metadata ?? current?.record.metadata;
      versions.push({
        model: m.name, version: v.version, createdAt: current?.record.createdAt ?? now,
        ...(reference && { reference }), ...(metadata && { metadata }),
      });
    }
    planned.push({ record, versions });
  }
  for (const { record, versions } of planned) {
    await deps.catalog.putModel(record);
    for (const v of versions) await deps.catalog.putVersion(v);
  }
}
