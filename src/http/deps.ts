import type { Retention } from '../ingest/retention.js';
import type { RegistryServices } from '../gateway/services.js';
import type { Alerting } from '../alerting/setup.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import type { PerformanceCache } from '../monitoring/performance-cache.js';
import type { SummaryReader } from '../monitoring/query.js';
import type { WindowValueFiller } from '../monitoring/window-value-filler.js';
import type { StorageBackend } from '../storage/backend.js';
import type { ApiKeys } from './auth.js';
import type { ServerMetrics } from './metrics.js';

/** Everything the HTTP routes use; built by the server (src/server.ts) or by tests. */
export interface AppDeps {
  store: StorageBackend;
  catalog: ModelCatalog;
  pipeline: IngestPipeline;
  reader: SummaryReader;
  /** Computes the stored values of closed hour and day windows ahead of queries (absent in apps built without it). */
  filler?: WindowValueFiller;
  /** Deletes minute and 10-minute windows past the minute-window retention, events, monitor evaluations and alert history past retention.eventsDays, evaluationsDays and alertsDays (hourly; ingest/retention.ts). */
  retention?: Retention;
  /** What GET /performance keeps between requests (labelled events, computed results). */
  performance: PerformanceCache;
  keys: ApiKeys;
  metrics: ServerMetrics;
  /** Wall clock (epoch ms); tests inject a simulated one. */
  clock: () => number;
  newId: () => string;
  /** Where uploaded reference files are kept. */
  dataDir: string;
  /** Largest request body in bytes (default 16 MiB). */
  bodyLimit?: number;
  /** Model registry, prediction gateway and rollout controller (issue 5); their routes exist when set. */
  registry?: RegistryServices;
  /** Monitors, SLOs and alerts (issue 4); absent in apps built without them. */
  alerting?: Alerting;
}
