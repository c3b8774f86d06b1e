import type { Random } from '../core/random/rng.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import { maxArtifactBytes } from '../registry/artifact-limit.js';
import { ArtifactStore } from '../registry/artifacts.js';
import { ModelRegistry } from '../registry/registry.js';
import { RolloutController } from '../rollout/controller.js';
import { LogNotifier, type RolloutNotifier } from '../rollout/notifier.js';
import type { StorageBackend } from '../storage/backend.js';
import { Gateway } from './gateway.js';
import { EventRecorder } from './recorder.js';
import { GatewayStats } from './stats.js';
import { UpstreamClients } from './upstream.js';

/** Registry, gateway and rollout controller of one server, wired together. */
export interface RegistryServices {
  registry: ModelRegistry;
  artifacts: ArtifactStore;
  upstreams: UpstreamClients;
  recorder: EventRecorder;
  stats: GatewayStats;
  gateway: Gateway;
  rollouts: RolloutController;
  close(): Promise<void>;
}

export interface RegistryWiring {
  store: StorageBackend;
  catalog: ModelCatalog;
  pipeline: IngestPipeline;
  dataDir: string;
  clock: () => number;
  newId: () => string;
  random: Random;
  notifier?: RolloutNotifier;
  /** Rollout controller evaluation interval in ms (0: only explicit tick() calls; default 5000). */
  tickMs?: number;
  /** Control state is re-read from the store this often (other nodes' changes; default 5000; 0: never). */
  refreshMs?: number;
  /** registry.maxArtifactMb: the largest artifact upload in MiB (default 10240; 0: no limit). */
  maxArtifactMb?: number;
}

export async function buildRegistryServices(w: RegistryWiring): Promise<RegistryServices> {
  const regStore = w.store.registry();
  await regStore.init();
  const artifacts = new ArtifactStore(w.dataDir);
  // file times are wall-clock times, whatever clock the server is given (tests run on fixed ones)
  const swept = await artifacts.sweep(Date.now());
  if (swept > 0) process.stderr.write(`lookout: deleted ${swept} temporary file(s) of artifact uploads a stop cut off (${artifacts.dir})\n`);
  const registry = new ModelRegistry({ store: regStore, catalog: w.catalog, artifacts, clock: w.clock, newId: w.newId, maxArtifactBytes: maxArtifactBytes(w.maxArtifactMb) });
  await registry.load();
  const stats = new GatewayStats(w.clock);
  const upstreams = new UpstreamClients();
  const mirrors = new UpstreamClients();
  const recorder = new EventRecorder(w.pipeline, { onError: (err, n) => process.stderr.write(`lookout: gateway could not record ${n} events: ${String(err)}\n`) });
  const rollouts = new RolloutController({ registry, stats, clock: w.clock, newId: w.newId, notifier: w.notifier ?? new LogNotifier() });
  await rollouts.load();
  const gateway = new Gateway({ registry, catalog: w.catalog, upstreams, mirrors, recorder, stats, clock: w.clock, newId: w.newId, random: w.random, overrides: rollouts });
  const timers: NodeJS.Timeout[] = [];
  const tickMs = w.tickMs ?? 5000;
  if (tickMs > 0) timers.push(setInterval(() => void rollouts.tick().catch((e: unknown) => process.stderr.write(`lookout: rollout tick failed: ${String(e)}\n`)), tickMs));
  const refreshMs = w.refreshMs ?? 5000;
  let refreshing = false;
  // a round still reading when the next is due (a slow store) is not overlapped by another
  if (refreshMs > 0) {
    timers.push(setInterval(() => {
      if (refreshing) return;
      refreshing = true;
      void registry.load().catch(() => undefined).finally(() => { refreshing = false; });
    }, refreshMs));
  }
  for (const t of timers) t.unref();
  return {
    registry, artifacts, upstreams, recorder, stats, gateway, rollouts,
    async close() {
      for (const t of timers) clearInterval(t);
      // (the HTTP server has stopped taking requests) mirrored calls still out end first, each within its timeout:
      // closing their connections would record a shadow's answer on its way as a connection failure of the shadow
      await gateway.mirrorsSettled();
      await recorder.flush();
      await Promise.all([upstreams.close(), mirrors.close()]);
    },
  };
}
