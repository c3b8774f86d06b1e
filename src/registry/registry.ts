import { SerialQueue } from '../io/serial-queue.js';
import { MAX_FEATURE_DEPTH, nestedDeeperThan } from '../ingest/limits.js';
import type { ModelContext } from '../ingest/validate-event.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import type {
  ArtifactRef, DeploymentKind, DeploymentRecord, Lineage, PauseRecord, RegistryStore, RegistryVersionRecord, VersionPatch, VersionTarget,
} from '../storage/registry.js';
import { AliasConflictError } from '../storage/registry.js';
import type { ModelRecord } from '../storage/types.js';
import type { ArtifactStore } from './artifacts.js';
import { artifactReference } from './artifact-reference.js';
import { ArtifactUploads } from './artifact-uploads.js';
import { RegistryError } from './errors.js';
import { rollbackTarget } from './history.js';
import { registrationDiffers, reregisterConflict } from './reregister.js';
import { checkAliasName, checkServing, DEFAULT_SERVING, type ServingConfig } from './serving.js';
import { normalizeTags } from './tags.js';
import { sortVersions, type VersionSort } from './version-order.js';
import { checkUpstream, checkVersionName } from './version-checks.js';
import { unknownModelMessage, unknownVersionMessage } from '../models/known-names.js';

export interface RegistryOptions {
  store: RegistryStore;
  catalog: ModelCatalog;
  artifacts: ArtifactStore;
  clock: () => number;
  newId: () => string;
  /** The largest artifact upload in bytes (default: no limit). */
  maxArtifactBytes?: number;
}

/** What the gateway reads on every request (kept in memory, updated by every write through this registry). */
export interface ModelControl {
  aliases: Record<string, string>;
  serving: ServingConfig;
  modelPaused: boolean;
  pausedVersions: ReadonlySet<string>;
  /** version -> upstream URL */
  upstreams: ReadonlyMap<string, string>;
  /** Versions in the registry store (a version registered elsewhere, e.g. by the demo, may not be in the catalog). */
  registered: ReadonlySet<string>;
}

export interface RegisterInput {
  version: string;
  lineage?: Lineage;
  tags?: string[];
  notes?: string;
  upstream?: string;
  /** A reference to an artifact kept elsewhere (path or URL), with its digest when known. */
  artifact?: { uri: string; sha256?: string; size?: number };
  by?: string;
}

export interface AliasResult {
  alias: string;
  version: string;
  previous: string | null;
}

export interface AliasChangeOptions {
  reason: string;
  by?: string;
  kind?: DeploymentKind;
  /** Only move the alias if it still points here (null: unset). */
  expectFrom?: string | null;
}

/** The model registry: semver versions, artifacts, lineage, aliases with their history, pauses, serving config. */
export class ModelRegistry {
  private readonly controls = new Map<string, ModelControl>();
  private readonly listeners: Array<(model: string) => void> = [];
  /** Refreshes started per model: only the latest one started applies its result (it read the newest state). */
  private readonly generation = new Map<string, number>();
  /** The newest refresh (or load) of each model while it runs: one it superseded waits for it (readControl). */
  private readonly newest = new Map<string, Promise<void>>();
  /** Artifact uploads in progress, one queue per content address. */
  private readonly uploads: ArtifactUploads;
  /** Serving configuration writes, one queue per model (a read-modify-write never overwrites a write made meanwhile). */
  private readonly servingWrites = new Map<string, SerialQueue>();

  constructor(private readonly o: RegistryOptions) {
    this.uploads = new ArtifactUploads(o);
  }

  /** The largest artifact upload in bytes (Infinity: no limit). */
  get maxArtifactBytes(): number {
    return this.o.maxArtifactBytes ?? Infinity;
  }

  get store(): RegistryStore {
    return this.o.store;
  }

  /**
   * Reads the control state of every model from the store: in four reads whatever the number of models (one model at a
   * time, four reads each, an idle server of 2,000 models spent 3/4 of a core on the refresh every refreshMs).
   */
  async load(): Promise<void> {
    const models = this.o.catalog.models().map((m) => m.name);
    const gens = new Map(models.map((m) => [m, this.nextGeneration(m)]));
    const run = this.loadControls(models, gens);
    for (const m of models) this.newest.set(m, run);
    try {
      await run;
    } finally {
      for (const m of models) if (this.newest.get(m) === run) this.newest.delete(m);
    }
  }

  private async loadControls(models: readonly string[], gens: ReadonlyMap<string, number>): Promise<void> {
    const pauses = await this.o.store.listPauses();
    const serving = await this.o.store.listServing();
    const versions = await this.o.store.versionTargets();
    const aliases = await this.o.store.allAliases();
    const byModel = <T extends { model: string }>(rows: readonly T[]): Map<string, T[]> => {
      const out = new Map<string, T[]>();
      for (const r of rows) {
        const list = out.get(r.model);
        if (list) list.push(r);
        else out.set(r.model, [r]);
      }
      return out;
    };
    const pausesOf = byModel(pauses);
    const servingOf = new Map(serving.map((s) => [s.model, s.config]));
    const versionsOf = byModel(versions);
    const aliasesOf = byModel(aliases);
    for (const model of models) {
      // a refresh of the model that started meanwhile read after this did: its state stands
      if (this.generation.get(model) !== gens.get(model)) continue;
      const named: Record<string, string> = {};
      for (const a of aliasesOf.get(model) ?? []) named[a.alias] = a.version;
      this.setControl(model, pausesOf.get(model) ?? [], servingOf.get(model) ?? null, versionsOf.get(model) ?? [], named);
    }
  }

  async refresh(model: string): Promise<void> {
    const gen = this.nextGeneration(model);
    const run = this.readControl(model, gen);
    this.newest.set(model, run);
    try {
      await run;
    } finally {
      if (this.newest.get(model) === run) this.newest.delete(model);
    }
  }

  private async readControl(model: string, gen: number): Promise<void> {
    const ps = (await this.o.store.listPauses()).filter((p) => p.model === model);
    const raw = await this.o.store.getServing(model);
    const versions = await this.o.store.versionTargets(model);
    const aliases = await this.o.store.aliases(model);
    if (this.generation.get(model) !== gen) {
      // A refresh or load() that started since read after this one did: its state stands. Audit 28: this one returned
      // at once, and the change it followed (an alias set) was answered before that state stood, so the next request
      // (a rollout started right after moving the alias) read the alias as it was before (seen as a flaky dashboard
      // test under load: the rollout took the old version as its primary and ended at once). It waits for it now.
      await this.newest.get(model)?.catch(() => undefined);
      return;
    }
    this.setControl(model, ps, raw, versions, aliases);
  }

  private nextGeneration(model: string): number {
    const gen = (this.generation.get(model) ?? 0) + 1;
    this.generation.set(model, gen);
    return gen;
  }

  private setControl(model: string, ps: readonly PauseRecord[], raw: Record<string, unknown> | null, versions: readonly VersionTarget[], aliases: Record<string, string>): void {
    const upstreams = new Map<string, string>();
    const registered = new Set<string>();
    for (const v of versions) {
      registered.add(v.version);
      if (v.upstream !== null) upstreams.set(v.version, v.upstream);
    }
    this.controls.set(model, {
      aliases,
      serving: raw === null ? DEFAULT_SERVING : checkServing(raw),
      modelPaused: ps.some((p) => p.version === ''),
      pausedVersions: new Set(ps.filter((p) => p.version !== '').map((p) => p.version)),
      upstreams,
      registered,
    });
    for (const f of this.listeners) f(model);
  }

  /** The in-memory control state of a model (defaults when nothing is configured). */
  control(model: string): ModelControl {
    return this.controls.get(model) ?? { aliases: {}, serving: DEFAULT_SERVING, modelPaused: false, pausedVersions: new Set(), upstreams: new Map(), registered: new Set() };
  }

  onChange(f: (model: string) => void): void {
    this.listeners.push(f);
  }

  requireModel(name: string): ModelRecord {
    const m = this.o.catalog.model(name)?.model;
    if (!m) throw new RegistryError('unknown_model', unknownModelMessage(name, this.o.catalog.models().map((x) => x.name)));
    return m;
  }

  /** The model's validation context (its compiled input schema), as the gateway and ingest use it. */
  requireContext(name: string): ModelContext {
    this.requireModel(name);
    return this.o.catalog.model(name) as ModelContext;
  }

  /** A version's reference positive class (the upload's positiveClass, else the one its metrics took), if it has a reference. */
  referencePositive(model: string, version: string): string | undefined {
    return this.o.catalog.version(model, version)?.reference?.profile.positiveClass;
  }

  requireVersion(model: string, version: string): void {
    this.requireModel(model);
    const registered = this.control(model).registered;
    if (!this.o.catalog.version(model, version) && !registered.has(version)) {
      const known = new Set([...this.o.catalog.versions(model).map((v) => v.record.version), ...registered]);
      throw new RegistryError('unknown_version', unknownVersionMessage(model, version, [...known]));
    }
  }

  async registerVersion(model: string, input: RegisterInput): Promise<{ record: RegistryVersionRecord; created: boolean }> {
    this.requireModel(model);
    checkVersionName(input.version);
    if (input.upstream !== undefined) checkUpstream(input.upstream);
    // stored as JSON text: deeper values overflowed JSON.stringify's stack (500)
    if (nestedDeeperThan(input.lineage, MAX_FEATURE_DEPTH)) throw new RegistryError('validation_failed', `"lineage" nests arrays or objects more than ${MAX_FEATURE_DEPTH} levels deep`);
    const record: RegistryVersionRecord = {
      model, version: input.version, createdAt: this.o.clock(), createdBy: input.by ?? null,
      // audit 27: an `artifact:<sha256>` reference must name bytes stored here, with their digest and size
      artifact: input.artifact ? await artifactReference(this.o.artifacts, input.artifact, model, input.version) : null,
      lineage: input.lineage ?? {}, tags: normalizeTags(input.tags ?? []), notes: input.notes || null, upstream: input.upstream ?? null,
    };
    const created = await this.o.store.createVersion(record);
    if (!created) {
      const existing = await this.o.store.getVersion(model, input.version) as RegistryVersionRecord;
      const differs = registrationDiffers(existing, record, input);
      if (differs.length > 0) throw reregisterConflict(existing, differs);
      return { record: existing, created: false };
    }
    if (!this.o.catalog.version(model, input.version)) {
      await this.o.catalog.putVersion({ model, version: input.version, createdAt: record.createdAt, metadata: { registry: true } });
    }
    await this.refresh(model);
    return { record, created: true };
  }

  async getVersion(model: string, version: string): Promise<RegistryVersionRecord | null> {
    this.requireModel(model);
    return this.o.store.getVersion(model, version);
  }

  /** Every version of the model (registered ones with their registry data), in semver order (or oldest first). */
  async listVersions(model: string, sort: VersionSort = 'semver'): Promise<Array<Record<string, unknown>>> {
    this.requireModel(model);
    const registered = new Map((await this.o.store.listVersions(model)).map((v) => [v.version, v]));
    const ctl = this.control(model);
    const names = new Set([...this.o.catalog.versions(model).map((v) => v.record.version), ...registered.keys()]);
    return sortVersions([...names].map((version) => {
      const r = registered.get(version);
      const createdAt = r?.createdAt ?? this.o.catalog.version(model, version)?.record.createdAt ?? 0;
      return {
        version, createdAt, registered: r !== undefined, artifact: r?.artifact ?? null, lineage: r?.lineage ?? {}, tags: r?.tags ?? [],
        ...(r?.notes != null && { notes: r.notes }), upstream: r?.upstream ?? null, createdBy: r?.createdBy ?? null,
        paused: ctl.modelPaused || ctl.pausedVersions.has(version),
        aliases: Object.entries(ctl.aliases).filter(([, v]) => v === version).map(([a]) => a),
      };
    }), sort);
  }

  async updateVersion(model: string, version: string, patch: VersionPatch): Promise<RegistryVersionRecord> {
    this.requireModel(model);
    if (typeof patch.upstream === 'string') checkUpstream(patch.upstream);
    // an empty note is no note (null), as at registration
    const p: VersionPatch = { ...patch, ...(patch.tags !== undefined && { tags: normalizeTags(patch.tags) }), ...(patch.notes === '' && { notes: null }) };
    const r = await this.o.store.updateVersion(model, version, p);
    if (!r) throw new RegistryError('unknown_version', `version ${model}@${version} is not registered`);
    await this.refresh(model);
    return r;
  }

  /** Stores the bytes content-addressed and attaches them to the version (once: artifacts are immutable); see ArtifactUploads. */
  async uploadArtifact(model: string, version: string, body: Uint8Array | AsyncIterable<Uint8Array>): Promise<{ artifact: ArtifactRef; created: boolean }> {
    this.requireModel(model);
    return this.uploads.upload(model, version, body, this.maxArtifactBytes);
  }

  async aliases(model: string): Promise<Record<string, string>> {
    this.requireModel(model);
    return this.o.store.aliases(model);
  }

  async setAlias(model: string, alias: string, version: string, opts: AliasChangeOptions): Promise<AliasResult> {
    this.requireVersion(model, version);
    checkAliasName(alias);
    const d = this.deployment(model, alias, version, opts.kind ?? 'set', opts.by, opts.reason);
    try {
      const previous = await this.o.store.setAlias({ model, alias, to: version, ...(opts.expectFrom !== undefined && { expectFrom: opts.expectFrom }) }, d);
      await this.refresh(model);
      return { alias, version, previous };
    } catch (e) {
      if (e instanceof AliasConflictError) throw new RegistryError('conflict', `${e.message} (changed concurrently)`, { alias, expected: e.expected, actual: e.actual });
      throw e;
    }
  }

  /** Flips an alias back to the version it pointed to before, recording a "rollback" deployment. */
  async rollback(model: string, alias: string, reason: string, by: string): Promise<AliasResult> {
    this.requireModel(model);
    checkAliasName(alias);
    const current = (await this.o.store.aliases(model))[alias];
    if (current === undefined) throw new RegistryError('conflict', `alias "${alias}" of model "${model}" is not set: nothing to roll back`);
    const target = rollbackTarget(await this.o.store.deployments(model, 0, Number.MAX_SAFE_INTEGER), alias, current);
    if (target === null) throw new RegistryError('conflict', `alias "${alias}" of model "${model}" has no earlier version to roll back to`);
    this.refusePausedTarget(model, alias, target);
    return this.setAlias(model, alias, target, { reason, by, kind: 'rollback', expectFrom: current });
  }

  /**
   * A rollback or promotion onto a paused version (its kill switch) would have the alias's traffic answered 503 or by the
   * fallback chain: refused, as a blue-green switch to a paused standby is. (A plain alias set is the operator's call.)
   */
  refusePausedTarget(model: string, alias: string, version: string): void {
    if (!this.control(model).pausedVersions.has(version)) return;
    throw new RegistryError('conflict', `cannot move alias "${alias}" of model "${model}" to ${version}: that version is paused (kill switch); `
      + `resume it first (POST /v1/models/${model}/versions/${version}/resume) or set the alias to another version`, { alias, version, paused: true });
  }

  async deployments(model: string, from: number, to: number): Promise<DeploymentRecord[]> {
    this.requireModel(model);
    return this.o.store.deployments(model, from, to);
  }

  /** Kill switch: pauses the whole model (version undefined) or one version; false when it was paused already (nothing recorded). */
  async pause(model: string, version: string | undefined, by: string, reason: string): Promise<boolean> {
    if (version !== undefined) this.requireVersion(model, version);
    else this.requireModel(model);
    const at = this.o.clock();
    const changed = await this.o.store.pause({ model, version: version ?? '', at, by, reason }, this.deployment(model, '', version ?? '*', 'pause', by, reason));
    await this.refresh(model);
    return changed;
  }

  /** Ends a pause; false when it was not paused (nothing recorded). */
  async resume(model: string, version: string | undefined, by: string, reason: string): Promise<boolean> {
    if (version !== undefined) this.requireVersion(model, version);
    else this.requireModel(model);
    const changed = await this.o.store.resume(model, version ?? '', this.deployment(model, '', version ?? '*', 'resume', by, reason));
    await this.refresh(model);
    return changed;
  }

  /** Sets the model's serving configuration; `check` (the rollout controller's, say) may refuse it by throwing, in the write's turn. */
  async putServing(model: string, raw: unknown, check?: (cfg: ServingConfig) => void): Promise<ServingConfig> {
    const cfg = checkServing(raw, this.requireModel(model));
    // a misspelt version would only show as 503s (or silently lost shadow traffic) once requests are routed to it
    const p = cfg.policy;
    const named = [...('candidate' in p ? [p.candidate] : []), ...('standby' in p ? [p.standby] : []), ...cfg.fallback.flatMap((s) => ('version' in s ? [s.version] : []))];
    for (const v of named) this.requireVersion(model, v);
    return this.servingTurn(model, async () => {
      check?.(cfg);
      await this.o.store.putServing(model, { ...cfg }, this.o.clock());
      await this.refresh(model);
      return cfg;
    });
  }

  /**
   * Changes the model's serving configuration as it is stored now (`change` gets it, answers the new one, or null to
   * leave it), after any write of it in progress: the blue-green switch's standby update used to write back the
   * configuration it had read before its alias flip, undoing a PUT .../serving acknowledged meanwhile.
   */
  async updateServing(model: string, change: (cur: ServingConfig) => ServingConfig | null): Promise<ServingConfig> {
    const m = this.requireModel(model);
    return this.servingTurn(model, async () => {
      const raw = await this.o.store.getServing(model);
      const cur = raw === null ? DEFAULT_SERVING : checkServing(raw);
      const next = change(cur);
      if (next === null) return cur;
      const cfg = checkServing(next, m);
      await this.o.store.putServing(model, { ...cfg }, this.o.clock());
      await this.refresh(model);
      return cfg;
    });
  }

  private servingTurn<T>(model: string, f: () => Promise<T>): Promise<T> {
    const queue = this.servingWrites.get(model) ?? new SerialQueue();
    this.servingWrites.set(model, queue);
    return queue.run(f).finally(() => {
      if (queue.pending === 0) this.servingWrites.delete(model);
    });
  }

  private deployment(model: string, alias: string, to: string, kind: DeploymentKind, by: string | undefined, reason: string): DeploymentRecord {
    return { id: this.o.newId(), model, at: this.o.clock(), alias, from: null, to, by: by ?? 'api', reason, kind };
  }
}
