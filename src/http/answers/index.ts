import { Alert, AlertAnswer, AlertList, RaisedAlert, Silence, SilenceAnswer, SilenceList } from './alerts.js';
import { DistributionAnswer } from './distribution.js';
import { DatasetDrift, DriftAnswer, FeatureDrift } from './drift.js';
import { HealthAnswer, HealthFigures, Healthz } from './health.js';
import { EventPage, StoredEvent } from './events-page.js';
import { EventsAnswer, LabelsAnswer } from './ingest.js';
import { MetricsResult, MetricValue } from './metrics.js';
import { Model, ModelList } from './models.js';
import { Evaluation, EvaluationList, Monitor, MonitorAnswer, MonitorList } from './monitors.js';
import { OverviewAnswer } from './overview.js';
import { PerformanceAnswer, PerformanceBucket, PerformanceBucketsAnswer, PerformanceFigures } from './performance.js';
import { QualityAnswer } from './quality.js';
import {
  AliasChange, AliasMap, ArtifactAnswer, ArtifactRef, Deployment, DeploymentList, KillSwitchAnswer, Prediction, RegisterAnswer, RegistryLimits, RegistryVersion,
  RegistryVersionAnswer, ServingAnswer, ServingConfig, ShadowReport, SnapshotList, SnapshotMade, VersionEntry, VersionEntryAnswer, VersionList,
} from './registry.js';
import { Comparison, PromoteAnswer, Rollout, RolloutAnswer, RolloutChange, RolloutPage, TickAnswer } from './rollouts.js';
import type { Schema } from './schema.js';
import { SegmentsAnswer } from './segments.js';
import {
  Action, ActionAnswer, ActionList, MonitorRun, MonitorStats, NotificationList, SloAnswer, SloDefinition, SloDeleted, SloList, SloState,
} from './slos.js';
import { SeriesAnswer, TimeseriesAnswer } from './series.js';

/**
 * The JSON Schemas of successful answers, by name: #/components/schemas of GET /v1/openapi.json. A route names the one
 * it answers in its config (`answer: answer('DriftAnswer')`); openapi.ts alone reads them. Never hand them to Fastify's
 * `schema.response`: its serializer drops whatever an answer holds that its schema does not list.
 */
export const ANSWER_SCHEMAS = {
  MetricValue, MetricsResult, FeatureDrift, DatasetDrift, HealthFigures, PerformanceFigures, PerformanceBucket, Model, Alert,
  EventsAnswer, LabelsAnswer, ModelList, DriftAnswer, HealthAnswer, PerformanceAnswer, PerformanceBucketsAnswer, TimeseriesAnswer,
  SeriesAnswer, SegmentsAnswer, QualityAnswer, DistributionAnswer, OverviewAnswer, AlertList, AlertAnswer, RaisedAlert, StoredEvent, EventPage, Silence, SilenceList, SilenceAnswer, Monitor, MonitorList, MonitorAnswer, Evaluation, EvaluationList,
  ArtifactRef, RegistryVersion, VersionEntry, VersionList, VersionEntryAnswer, RegistryVersionAnswer, RegisterAnswer, ArtifactAnswer, RegistryLimits, AliasMap,
  AliasChange, Deployment, DeploymentList, KillSwitchAnswer, ServingConfig, ServingAnswer, SnapshotMade, SnapshotList, Prediction, ShadowReport,
  Rollout, RolloutAnswer, RolloutChange, RolloutPage, TickAnswer, Comparison, PromoteAnswer,
  SloDefinition, SloAnswer, SloDeleted, SloState, SloList, MonitorStats, MonitorRun, NotificationList, Action, ActionList, ActionAnswer, Healthz,
} satisfies Record<string, Schema>;

export type AnswerName = keyof typeof ANSWER_SCHEMAS;

/** A route's successful answer as the OpenAPI document describes it: its status(es) and the schema of its JSON body. */
export interface AnswerSpec {
  /** The statuses it is answered with (POST /v1/models: 201 created, 200 replaced). */
  status: readonly number[];
  /** null: answered without a body (204). */
  schema: AnswerName | null;
  description: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's successful answer, for GET /v1/openapi.json only (not a response schema: nothing is serialised by it). */
    answer?: AnswerSpec;
  }
}

/** A route config's `answer`: `schema` answered with `status` (200 by default; several: each of them). */
export function answer(schema: AnswerName, description: string, status: number | readonly number[] = 200): AnswerSpec {
  return { status: typeof status === 'number' ? [status] : status, schema, description };
}

/** A route config's `answer` when it answers 204 without a body. */
export function noContent(description: string): AnswerSpec {
  return { status: [204], schema: null, description };
}

/** Route options with `a` as their answer (route config `answer`), the rest as given. */
export function withAnswer<T extends { config: object }>(options: T, a: AnswerSpec): T {
  return { ...options, config: { ...options.config, answer: a } };
}
