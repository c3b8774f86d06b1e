import type { FastifyInstance } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import type { LookoutConfig } from './config.js';
import { checkAlertingConfig, createAlerting } from './alerting/setup.js';
import { buildApp } from './http/app.js';
import { readTls, reloadTlsOnChange } from './http/tls.js';
import type { AppDeps } from './http/deps.js';
import { declareConfiguredModels } from './models/configured.js';
import { upgradeReferenceLabels, type LabelsUpgradeResult } from './monitoring/reference-labels-upgrade.js';
import { warmUp } from './monitoring/warm-up.js';
import type { WindowValueFiller } from './monitoring/window-value-filler.js';
import { InputError } from './io/errors.js';
import { listenError, StartStopped, storeRefusedAtStart } from './startup-errors.js';
import { probeListen } from './listen-probe.js';
import { LogNotifier, type RolloutNotifier } from './rollout/notifier.js';
import { RegistryRollback } from './wiring/registry-rollback.js';
import { RolloutAlerts } from './wiring/rollout-alerts.js';
import { wire } from './wiring/wire.js';
import { openStoreForServe } from './storage/open-for-serve.js';

export { storeUrl } from './storage/open-for-serve.js';

/** Old minute windows (and events, evaluations and alert history past retention.eventsDays, evaluationsDays and alertsDays) are pruned hourly (ingest/retention.ts), the first time a minute after the start. */
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
  /** The background upgrade of references stored without their labels' distribution (null if it failed). */
  labelsUpgrade: Promise<LabelsUpgradeResult | null>;
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

/** Opens the store, loads models (declaring those of the config), and starts the HTTP server. */
export async function startServer(opts: ServerOptions): Promise<Server> {
  const { config } = opts;
  // Before anything is opened or written (models are checked before any is declared: declareConfiguredModels).
  checkAlertingConfig({ settings: config.alerting, monitors: config.monitors ?? [], slos: config.slos ?? [], source: config.source });
  const tls = config.server.tls ? readTls(config.server.tls) : undefined;
  const store = await openStoreForServe(config);
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
      labelled: (model, version, from, to) => deps.performance.labelled(model, version, from, to),
      // labelCoverage of a window before the events kept is not computable (their labels were deleted with them)
      ...(deps.retention && { retention: deps.retention }),
      onRound: (seconds, evaluated, failed) => deps.metrics.monitorRound(seconds, evaluated, failed),
      onDelivery: (rec, seconds) => deps.metrics.notification(rec.notifier, rec.status, seconds),
    });
    deps.metrics.watchNotifiers(deps.alerting.notifiers.map((n) => n.config.id));
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
      .then((r) => app.log.info(`query caches warmed for ${r.models} model${r.models === 1 ? '' : 's'} in ${Math.round(r.ms)} ms`))
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
        if (!closing) app.log.warn(`pruning old minute windows, events, evaluations or alert history failed (tried again in an hour): ${String(e)}`);
      }, (n) => {
        deps.metrics.windowsPruned.inc(n.windows);
        deps.metrics.eventsPruned.inc(n.events);
        deps.metrics.evaluationsPruned.inc(n.evaluations);
        for (const kind of ['alerts', 'notifications', 'actions'] as const) deps.metrics.alertHistoryPruned.inc({ kind }, n[kind]);
        if (n.windows + n.events + n.evaluations + n.alerts + n.notifications + n.actions > 0) {
          app.log.info(`pruned ${n.windows} minute and 10-minute window summaries past the minute-window retention, ${n.events} events past retention.eventsDays, ${n.evaluations} monitor evaluations past retention.evaluationsDays and ${n.alerts} resolved alerts, ${n.notifications} notifications and ${n.actions} actions past retention.alertsDays`);
        }
      });
    }
    const warming = (warmOn && opts.warmUp !== 'before-listen' ? warm() : Promise.resolve()).then(backfill);
    // References stored before their labels' distribution existed get it from their file, in the background: a large
    // file takes seconds to read, and the start neither waits for it nor fails by it (monitoring/reference-labels-upgrade.ts).
    const upgrading = upgradeReferenceLabels(deps, { stopped }).catch((e: unknown) => {
      if (!closing) process.stderr.write(`lookout: warning: giving stored references their labels' distribution failed (tried again at the next start): ${e instanceof Error ? e.message : String(e)}\n`);
      return null;
    });
    let filling: Promise<unknown> = Promise.resolve();
    const fillTimer = fillOn ? setInterval(() => {
      if (!filler.busy) filling = filler.fillClosed(stopped).catch(() => undefined); // a long run is not queued behind
    }, fillMs) : null;
    fillTimer?.unref();
    return {
      app, deps, url, labelsUpgrade: upgrading,
      async close() {
        closing = true;
        stopTlsReload?.();
        if (fillTimer) clearInterval(fillTimer);
        await warming;
        await upgrading;
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
