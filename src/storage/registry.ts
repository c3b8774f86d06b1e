/**
 * Storage of the model registry and the gateway's control state: registered versions (artifact, lineage,
 * tags, notes, upstream), aliases, the deployment history, serving configuration, rollouts and pauses.
 * One interface, implemented once in SQL (registry-sql.ts) over both backends (DuckDB file, PostgreSQL),
 * and checked by the shared contract suite in registry-contract.ts.
 */

export interface ArtifactRef {
  /** Hex SHA-256 of the content; null for an external reference whose content was not hashed. */
  sha256: string | null;
  size: number | null;
  /** Where the bytes are: "artifact:<sha256>" (data directory) or any path/URL reference. */
  uri: string;
}

export interface Lineage {
  gitCommit?: string;
  dataVersion?: string;
  hyperparameters?: Record<string, unknown>;
  /** Offline metrics (name -> value). */
  metrics?: Record<string, number>;
  /** Reference profile: where it comes from (e.g. "lookout:reference" or a URI). */
  referenceProfile?: string;
}

export interface RegistryVersionRecord {
  model: string;
  version: string;
  createdAt: number;
  createdBy: string | null;
  /** Immutable once set. */
  artifact: ArtifactRef | null;
  /** Immutable. */
  lineage: Lineage;
  tags: string[];
  notes: string | null;
  /** HTTP endpoint of the model server serving this version (POST {features} -> {prediction, ...}). */
  upstream: string | null;
}

/** The mutable fields of a registered version. */
export interface VersionPatch {
  tags?: string[];
  notes?: string | null;
  upstream?: string | null;
}

export type DeploymentKind = 'set' | 'promote' | 'rollback' | 'pause' | 'resume';

export interface DeploymentRecord {
  id: string;
  model: string;
  at: number;
  /** The alias that changed ("" for a pause/resume of the whole model). */
  alias: string;
  from: string | null;
  to: string;
  by: string;
  reason: string;
  kind: DeploymentKind;
}

export interface AliasChange {
  model: string;
  alias: string;
  to: string;
  /** When defined, the change only happens if the alias currently points there (null = unset). */
  expectFrom?: string | null;
}

export interface RolloutRecord {
  id: string;
  model: string;
  state: string;
  createdAt: number;
  updatedAt: number;
  /** The controller's state (opaque JSON to storage). */
  data: Record<string, unknown>;
}

export interface PauseRecord {
  model: string;
  /** "" pauses the whole model. */
  version: string;
  at: number;
  by: string;
  reason: string;
}

/** An alias did not point where the caller expected (someone else changed it first). */
export class AliasConflictError extends Error {
  constructor(readonly alias: string, readonly expected: string | null, readonly actual: string | null) {
    super(`alias "${alias}" points to ${actual ?? '(unset)'}, expected ${expected ?? '(unset)'}`);
    this.name = 'AliasConflictError';
  }
}

/** A text field held U+0000, which PostgreSQL text cannot store: both backends refuse it before writing anything. */
export class NulInTextError extends Error {
  constructor(readonly field: string) {
    super(`${field} must not contain U+0000`);
    this.name = 'NulInTextError';
  }
}

/** A version's upstream, as the control state holds it (RegistryStore.versionTargets). */
export interface VersionTarget {
  model: string;
  version: string;
  upstream: string | null;
}

export interface RegistryStore {
  /** Creates the tables if needed (idempotent). */
  init(): Promise<void>;

  /** Stores a new version; returns false (and changes nothing) when it already exists. */
  createVersion(v: RegistryVersionRecord): Promise<boolean>;
  getVersion(model: string, version: string): Promise<RegistryVersionRecord | null>;
  /** Ordered by createdAt, then version. */
  listVersions(model: string): Promise<RegistryVersionRecord[]>;
  /** Changes the mutable fields; returns the updated record, or null when the version does not exist. */
  updateVersion(model: string, version: string, patch: VersionPatch): Promise<RegistryVersionRecord | null>;
  /** Sets the artifact of a version that has none; returns the stored record (its artifact may differ: then nothing changed). */
  attachArtifact(model: string, version: string, artifact: ArtifactRef): Promise<RegistryVersionRecord | null>;

  aliases(model: string): Promise<Record<string, string>>;
  /**
   * Each version's model, version and upstream (of one model, or of every model in one read), ordered by model and
   * version: what the control state (routing) needs, read every refreshMs, without the lineage, tags, notes and
   * artifact a version record carries (5,000 versions with ~1 KB of lineage each: 17-43 against 125-211 ms a read on DuckDB).
   */
  versionTargets(model?: string): Promise<VersionTarget[]>;
  /** Every model's aliases, ordered by model, then alias. */
  allAliases(): Promise<Array<{ model: string; alias: string; version: string }>>;
  /**
   * Moves an alias and records the deployment in the same transaction; returns the previous target. An alias that
   * already points to `to` is left as it is and nothing is recorded.
   */
  setAlias(change: AliasChange, deployment: DeploymentRecord): Promise<string | null>;
  /** Records a deployment that moves no alias (pause, resume). */
  recordDeployment(d: DeploymentRecord): Promise<void>;
  /** Deployments with `at` in [from, to), in the order they were applied (their `at` can be a few ms out of that order). */
  deployments(model: string, from: number, to: number): Promise<DeploymentRecord[]>;

  /** Per-model serving configuration (opaque JSON). */
  putServing(model: string, config: Record<string, unknown>, at: number): Promise<void>;
  getServing(model: string): Promise<Record<string, unknown> | null>;
  listServing(): Promise<Array<{ model: string; config: Record<string, unknown> }>>;

  putRollout(r: RolloutRecord): Promise<void>;
  getRollout(id: string): Promise<RolloutRecord | null>;
  /** Rollouts of a model (all models when undefined), newest first. */
  listRollouts(model?: string): Promise<RolloutRecord[]>;
  /**
   * At most `limit` rollouts of a model, newest first in listRollouts' order (createdAt, then id in byte order, both
   * descending), only those after `before` in that order when given (the last one of the previous page).
   */
  listRolloutPage(model: string, limit: number, before?: { createdAt: number; id: string }): Promise<RolloutRecord[]>;
  /** The newest rollout of each model (in listRollouts' order: createdAt, then id in byte order), one row per model. */
  latestRollouts(): Promise<RolloutRecord[]>;

  /**
   * Pauses a model or version and records the deployment, in one transaction; returns false (and writes nothing, the
   * first pause's record is kept) when it is paused already.
   */
  pause(p: PauseRecord, d: DeploymentRecord): Promise<boolean>;
  /** Removes a pause and records the deployment; returns false (and writes nothing) when it is not paused. */
  resume(model: string, version: string, d: DeploymentRecord): Promise<boolean>;
  listPauses(): Promise<PauseRecord[]>;
}
