import type { SilenceState } from '../../src/alerting/silence-state.js';

/** The API shapes the dashboard reads (see src/http/routes; checked against the real server in test/dashboard.test.ts). */
export interface ModelInfo {
  name: string;
  outputKind: 'binary' | 'multiclass' | 'regression';
  segmentKeys: string[];
  description?: string;
  inputSchema: { properties?: Record<string, Record<string, unknown>> };
  versions: Array<{ version: string; createdAt: number; metadata: Record<string, unknown>; reference: { rows: number; metrics: Metrics | null } | null }>;
  /** The version the server reads without ?version= (its serving alias's, else the newest; audit 26). */
  defaultVersion: string | null;
}

export interface MetricValue { value: number | null; ci: [number, number] | null }
export interface Metrics { task: string; n: number; metrics: Record<string, MetricValue> }

export interface Health {
  events: number;
  throughputPerSecond: number;
  errorRate: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  costPerInferenceUsd: number | null;
  costUsd: number;
  /** Events that reported a cost (what costUsd and costPerInferenceUsd are of). */
  costEvents: number;
}

export interface FeatureDrift {
  name: string;
  kind: 'numerical' | 'categorical';
  method: string;
  threshold: number;
  score: number | null;
  drifted: boolean;
  stats: Record<string, unknown> & { newCategories?: string[]; quality: { missingCurrent: number; outOfRange: number } };
  note?: string;
}

export interface Drift {
  features: FeatureDrift[];
  /** Features the reference has no column of: their drift is not measured. */
  skipped?: Array<{ name: string; reason: string }>;
  prediction: FeatureDrift | null;
  datasetDrift: { share: number; drifted: boolean; threshold: number; driftedFeatures: number; features: number };
  currentEvents: number;
}

/** One row of GET /v1/overview: a version's figures as /health, /drift (datasetDrift) and /performance answer them. */
export interface OverviewRow {
  model: string;
  version: string;
  health: Health;
  /** null: no reference (the /drift request's 422), or driftError. */
  /** skipped: the features drift does not measure (the reference has no column of them; absent from servers before audit 24). */
  drift: { datasetDrift: Drift['datasetDrift']; driftedFeatures: string[]; skipped?: Drift['skipped'] } | null;
  driftError?: string;
  performance?: Performance | null;
  performanceError?: string;
}

export interface Performance {
  labelled: number;
  events: number;
  labelCoverage: number | null;
  realized: Metrics | null;
  estimated: { accuracy: number; precision: number; recall: number; f1: number; n: number } | null;
  reference: Metrics | null;
  /** null when asked with segments=false. */
  bySegment: Array<{ segment: string; labelled: number; realized: Metrics | null; labelDrift?: FeatureDrift | null }> | null;
  /** Set when the range held more labelled events than the server reads (server.maxLabelledEvents): the above is of a sample. */
  sampled: { rate: number; labelledInRange: number } | null;
}

/** GET /performance/buckets: realized metrics per aligned bucket. */
export interface PerformanceBuckets {
  step: number;
  /** Aligned to multiples of step, the first and last clipped to the range; `estimated`: the bucket's CBPE estimate. */
  buckets: Array<{ from: number; to: number; labelled: number; predictions: number; labelCoverage: number | null; labelCoverageNote?: string; realized: Metrics | null; realizedNote?: string; estimated: Performance['estimated']; labelDrift: FeatureDrift | null; labelDriftNote?: string; sampled: { rate: number; labelledInRange: number } | null }>;
  reference: Metrics | null;
}

export interface Quality {
  events: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  features: Array<{ name: string; kind: string; missingRate: number | null; missingRateReference: number | null; newCategories: string[]; newCategoryRate: number | null; outOfRange: number | null }>;
}

export interface Point { t: number; value: number | null; events: number }
export interface Timeseries { metric: string; granularity: string; points: Point[] }

export interface SampledEvent {
  id: string;
  ts: number;
  segment: string;
  /** null for a failed inference (its error says why). */
  prediction: string | number | null;
  score: number | null;
  latencyMs: number | null;
  error: string | null;
  features: Record<string, unknown>;
}

export type Severity = 'warning' | 'page' | 'critical';

export interface Alert {
  id: string;
  monitorId: string;
  model: string;
  version: string | null;
  severity: Severity;
  state: 'open' | 'acknowledged' | 'resolved';
  falsePositive: boolean;
  labels: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  updatedAt: number;
  acknowledgedBy?: string;
  /** The note of the last acknowledgement or resolve (its `note`). */
  note?: string;
  silenced: boolean;
  inhibited: boolean;
  /** Loose on purpose: alerts raised from outside (POST /v1/alerts) carry a summary rather than a metric. */
  context: { metric?: string; summary?: string; observed?: number | null; baseline?: number | null; threshold?: number | null; change?: number | null; segments?: Array<{ segment: string; value: number; overflow?: boolean }>; runbookUrl?: string; dashboardUrl?: string; windowStart?: number; windowEnd?: number };
}

export interface Monitor {
  id: string;
  model: string;
  /** The version it is pinned to; without one it watches the model's defaultVersion. */
  version?: string;
  name: string;
  metric: string;
  kind: string;
  last: null | {
    at: number; status: 'ok' | 'warning' | 'page' | 'critical' | 'insufficient_data' | 'pending'; value: number | null; threshold: number | null;
    /** While pending (a `for` duration): the severity it would fire at and the earliest time it can. */
    pendingSeverity?: string; firesAt?: number;
  };
  /** Why it cannot be evaluated as declared (its model no longer fits it, or its stored definition is invalid); null: none. */
  problem?: null | { code: 'misconfigured' | 'invalid'; message: string };
  /** What is wrong with a monitor evaluated as stored (a level that can never be the verdict, stored by an older release); absent before audit 24. */
  warnings?: string[];
}

/** An action an alert ran or queued (GET /v1/actions). */
export interface Action { id: string; at: number; kind: string; model: string; alertId: string | null; state: string; detail: Record<string, unknown>; updatedAt: number }

/** A delivery of an alert group to a notifier (GET /v1/notifications). */
export interface Notification { id: string; at: number; notifier: string; groupKey: string; firing: number; resolved: number; status: 'sent' | 'failed'; attempts: number; error?: string }

export interface MonitorStats { id: string; model: string; alerts: number; falsePositives: number; falsePositiveRate: number | null; alertsPerWeek: number }

export interface Silence { id: string; matchers: Array<{ name: string; value: string; isRegex?: boolean; isNegative?: boolean }>; startsAt: number; endsAt: number; createdBy: string; comment: string; active: boolean; state: SilenceState }

export interface Slo {
  id: string;
  model: string;
  name: string;
  kind: string;
  objective: number;
  windowDays: number;
  errorBudgetRemaining: number | null;
  burnRates: Record<string, number | null>;
  firing: Array<{ severity: string; long: string; short: string }>;
  /** The burn-rate rules of the SLO's window (factors scaled to it: 14.4, 6, 3, 1 for 30 days). */
  rules?: Array<{ severity: string; factor: number; long: string; short: string }>;
}

export interface VersionInfo {
  version: string;
  createdAt: number;
  artifact: null | { sha256: string; size: number; uri: string };
  lineage: { gitCommit?: string; dataVersion?: string; hyperparameters?: Record<string, unknown>; metrics?: Record<string, unknown> };
  tags: string[];
  notes?: string;
  paused: boolean;
}

export interface Deployment { id: string; at: number; alias: string; from: string | null; to: string; by: string; reason: string; kind: 'set' | 'promote' | 'rollback' | 'pause' | 'resume' }

export interface Rollout {
  id: string;
  primary: string;
  candidate: string;
  policy: string;
  steps: number[];
  step: number;
  weight: number;
  state: string;
  analyses: Array<{ step: number; at: number; pass: boolean; checks: Array<{ name: string; canary: number | null; primary: number | null; limit: number | null; pass: boolean; detail?: string }> }>;
  /** A running rollout whose candidate (or model) is paused: why it gets no traffic (audit 29). */
  blocked?: string;
  endReason?: string | null;
}
