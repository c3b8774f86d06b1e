import { configError, entry, invalidConfig } from '../config-where.js';
import { InputError } from '../io/errors.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import type { SummaryReader } from '../monitoring/query.js';
import type { EventsRetention } from '../monitoring/performance.js';
import { MonitorEvaluator, type LabelledReader } from '../monitors/evaluator.js';
import { parseMonitor } from '../monitors/definition.js';
import { MonitorService } from '../monitors/service.js';
import { parseSlo } from '../monitors/slo.js';
import type { StorageBackend } from '../storage/backend.js';
import { NoRegistryRollback, type RollbackRequester } from './actions/rollback.js';
import { ActionRunner } from './actions/runner.js';
import { createNotifier } from './notifiers/registry.js';
import type { Notifier } from './notifiers/types.js';
import { AlertPipeline, type RaiseInput } from './pipeline.js';
import { parseAlertingSettings, type AlertingSettings } from './settings.js';
import type { DeliveryObserver } from './stage.js';
import { consoleLogger, type Logger } from './types.js';

export interface AlertingOptions {
  store: StorageBackend;
  reader: SummaryReader;
  catalog: ModelCatalog;
  clock: () => number;
  newId: () => string;
  /** The `alerting:` config section. */
  settings?: unknown;
  /** Monitors and SLOs declared in the config file (created or replaced at start). */
  monitors?: unknown[];
  slos?: unknown[];
  /** The config file they come from (its errors name it); absent for a config built in code. */
  source?: string;
  log?: Logger;
  /** Labelled events without features (the server's performance cache: shared with GET /performance, kept between ticks). */
  labelled?: LabelledReader;
  /** retention.eventsDays (the server's Retention): the labelCoverage monitor metric is not computable before the events kept. */
  retention?: EventsRetention;
  /** Base URL for dashboard links when the config gives none. */
  publicUrl?: string;
  /** Each monitor evaluation round's duration, evaluations and failure (the server's /metrics). */
  onRound?: (seconds: number, evaluated: number, failed: boolean) => void;
  /** Each delivery to a notifier: sent or failed, its attempts and time (the server's /metrics). */
  onDelivery?: DeliveryObserver;
}

/** Monitors, SLOs, the alert pipeline, notifiers and actions, wired together. */
export interface Alerting {
  settings: AlertingSettings;
  monitors: MonitorService;
  pipeline: AlertPipeline;
  actions: ActionRunner;
  notifiers: Notifier[];
  /** Issue 5 wires the registry here; until then rollbacks are logged no-ops. */
  setRollbackRequester(r: RollbackRequester): void;
  /** For other code (e.g. the rollout controller): raise or resolve an alert through the pipeline. */
  raise(input: RaiseInput): Promise<unknown>;
  resolve(input: Omit<RaiseInput, 'severity' | 'summary'>): Promise<unknown>;
  start(): void;
  stop(): Promise<void>;
}

export async function createAlerting(o: AlertingOptions): Promise<Alerting> {
  const log = o.log ?? consoleLogger;
  const alertStore = o.store.alertStore();
  const { settings, notifiers } = configError(o.source, 'alerting', () => {
    const st = parseAlertingSettings(o.settings);
    return { settings: st, notifiers: st.notifiers.map((n, i) => createNotifier(n, `alerting.notifiers[${i}]`)) };
  });
  let rollback: RollbackRequester = new NoRegistryRollback(log);
  const actions = new ActionRunner(alertStore, () => settings.actions, () => rollback, o.newId, log);
  const dashboardUrl = (): string => settings.pipeline.dashboardUrl || o.publicUrl || '';
  const pipeline = new AlertPipeline({ store: alertStore, newId: o.newId, log, settings: () => ({ ...settings.pipeline, dashboardUrl: dashboardUrl(), flushIntervalMs: settings.evaluationIntervalMs }), notifiers: () => notifiers, actions, ...(o.onDelivery && { onDelivery: o.onDelivery }) });
  const monitors = new MonitorService({
    store: alertStore, evaluator: new MonitorEvaluator({ reader: o.reader, catalog: o.catalog, store: o.store, evaluations: (id, from, to) => alertStore.listEvaluations(id, from, to), ...(o.labelled && { labelled: o.labelled }), ...(o.retention && { retention: o.retention }) }), reader: o.reader,
    pipeline, clock: o.clock, newId: o.newId, log, dashboardUrl,
    featuresOf: (model) => {
      const versions = o.catalog.versions(model);
      return versions.length === 0 ? null : [...new Set(versions.flatMap((v) => v.spec.features.map((f) => f.name)))];
    },
    versionsOf: (model) => (o.catalog.model(model) ? o.catalog.versions(model).map((v) => v.record.version) : null),
    segmentKeysOf: (model) => o.catalog.model(model)?.model.segmentKeys ?? null,
    classesOf: (model) => o.catalog.model(model)?.model.classes ?? null,
    ...(o.onRound && { onRound: o.onRound }),
  });
  await monitors.load();
  // All checked against the models before any is stored: a refused config replaces none (nor resolves its alerts).
  for (const [i, m] of (o.monitors ?? []).entries()) configError(o.source, entry('monitors', i, m), () => monitors.checkMonitor(m));
  for (const [i, s] of (o.slos ?? []).entries()) configError(o.source, entry('slos', i, s), () => monitors.checkSlo(s));
  const clash = idClash(o);
  if (clash !== undefined) throw new InputError(invalidConfig(o.source, clash.where, clash.message));
  for (const [i, m] of (o.monitors ?? []).entries()) await configError(o.source, entry('monitors', i, m), () => monitors.putMonitor(m));
  for (const [i, s] of (o.slos ?? []).entries()) await configError(o.source, entry('slos', i, s), () => monitors.putSlo(s));
  monitors.reportProblems();
  await pipeline.restore(o.clock());
  return {
    settings, monitors, pipeline, actions, notifiers,
    setRollbackRequester: (r) => { rollback = r; },
    raise: (input) => pipeline.raise(input, o.clock()),
    resolve: (input) => pipeline.resolveRaised(input, o.clock()),
    start: () => monitors.start(settings.evaluationIntervalMs),
    stop: () => monitors.stop(),
  };
}

const idOf = (item: unknown): unknown => (typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['id'] : undefined);

/**
 * The config file's alerting section, monitors and SLOs read as createAlerting reads them, without a store (throws the
 * InputError it would): checked before the server writes anything, so a typo in one leaves the store as it was.
 */
export function checkAlertingConfig(o: Pick<AlertingOptions, 'settings' | 'monitors' | 'slos' | 'source'>): void {
  configError(o.source, 'alerting', () => parseAlertingSettings(o.settings).notifiers.map((n, i) => createNotifier(n, `alerting.notifiers[${i}]`)));
  const newId = (): string => 'config';
  for (const [i, m] of (o.monitors ?? []).entries()) configError(o.source, entry('monitors', i, m), () => parseMonitor(m, newId));
  for (const [i, s] of (o.slos ?? []).entries()) configError(o.source, entry('slos', i, s), () => parseSlo(s, newId));
  const clash = idClash(o);
  if (clash !== undefined) throw new InputError(invalidConfig(o.source, clash.where, clash.message));
}

/** An SLO of the config whose id a monitor of the config has (one would replace the other). */
function idClash(o: Pick<AlertingOptions, 'monitors' | 'slos'>): { where: string; message: string } | undefined {
  const monitorIds = (o.monitors ?? []).map(idOf);
  const clash = (o.slos ?? []).findIndex((s) => idOf(s) !== undefined && monitorIds.includes(idOf(s)));
  if (clash < 0) return undefined;
  const slo = o.slos?.[clash];
  return { where: entry('slos', clash, slo), message: `the id is already used by monitors[${monitorIds.indexOf(idOf(slo))}] of the config` };
}
