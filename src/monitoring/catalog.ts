import type { Ajv, ValidateFunction } from 'ajv';
import { base64ToBytes } from '../core/summary/base64.js';
import { fittedOnOneClass } from '../core/summary/calibration.js';
import { isStoredLabels, loadLabels } from '../core/summary/label-summary.js';
import { summarySeed } from '../core/summary/seed.js';
import type { SummarySpec } from '../core/summary/spec.js';
import { WindowSummary, type FeatureSummary } from '../core/summary/window.js';
import type { ModelContext } from '../ingest/validate-event.js';
import { declarationConflicts, DeclarationConflict } from '../models/declaration-change.js';
import { featuresFromSchema } from '../models/features.js';
import { unknownKeyword } from '../models/schema-keywords.js';
import { compileBounded, metaChecker } from '../models/schema-compile.js';
import { unsafeRegex } from '../models/schema-patterns.js';
import { schemaSizeProblem } from '../models/schema-size.js';
import type { StorageBackend } from '../storage/backend.js';
import { SerialQueue } from '../io/serial-queue.js';
import { CommitOutcomeUnknown } from '../storage/commit-outcome.js';
import type { ModelRecord, VersionRecord } from '../storage/types.js';
import { classIndex, declaredPositive } from './performance.js';
import { isReferenceProfile, type ReferenceProfile } from './profile.js';
import { segmentParts } from './segment-match.js';

/** Validators kept for schemas compiled again (a model declared again, several models of one schema, a start). */
const COMPILED_KEPT = 64;

export interface VersionContext {
  record: VersionRecord;
  spec: SummarySpec;
  /** `labels`: the reference's label distribution (ReferenceProfile.labels), when it has one. */
  reference: { profile: ReferenceProfile; summary: WindowSummary; labels?: FeatureSummary } | null;
}

interface Entry {
  ctx: ModelContext;
  versions: Map<string, VersionContext>;
  /** Every segment key the model has declared, now or before (see segmentKeysEver). */
  segmentKeysEver: readonly string[];
}

/** The store state entry that keeps the segment keys a model has ever declared (a JSON array of strings). */
export function segmentKeysState(model: string): string {
  return `model.segmentKeys.${model}`;
}

export { summarySeed };

/**
 * In-memory view of the models and versions in the store: compiled input validators and the summary spec
 * and reference of every version. Writes go to the store first, then refresh the view.
 */
export class ModelCatalog {
  private readonly entries = new Map<string, Entry>();
  /** Declarations in progress, one queue per model: each is checked against the one before it, not only the stored one. */
  private readonly declaring = new Map<string, SerialQueue>();
  /** Checks input schemas against draft-07's meta-schema; compiles none of them (see compileSchema). */
  private readonly meta: Ajv;
  /** Every keyword this Ajv knows (draft-07, its metadata and the formats' ones): strict mode being off, it ignores others. */
  private readonly keywords: ReadonlySet<string>;
  /** The validators of the schemas compiled last, by schema text (least recently used first): at most COMPILED_KEPT. */
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly store: StorageBackend) {
    this.meta = metaChecker();
    this.keywords = new Set(Object.keys(this.meta.RULES.keywords));
  }

  /**
   * Reads every model, its versions and segment keys: three reads in all (two reads per model until audit 15: 1,500
   * models took 4.5-6 s of the server's start).
   */
  async load(): Promise<void> {
    this.entries.clear();
    const versions = new Map<string, VersionRecord[]>();
    for (const v of await this.store.listVersions()) versions.set(v.model, [...(versions.get(v.model) ?? []), v]);
    const states = await this.store.statesWithPrefix(segmentKeysState(''));
    for (const m of await this.store.listModels()) {
      const own = versions.get(m.name) ?? [];
      this.index(m, own, await this.loadSegmentKeysEver(m, own, states.get(segmentKeysState(m.name)) ?? null));
    }
  }

  /**
   * The segment keys a model has declared, now or before, as kept in the store's state (`stored`); a store written before
   * they were kept there gets them once from the segments its windows are stored under (all the keys that hold any data).
   */
  private async loadSegmentKeysEver(m: ModelRecord, versions: readonly VersionRecord[], stored: string | null): Promise<string[]> {
    const parsed = stored === null ? null : jsonOrNull(stored);
    if (Array.isArray(parsed) && parsed.every((k) => typeof k === 'string')) return union(m.segmentKeys, parsed as string[]);
    const keys = new Set<string>();
    for (const v of versions) {
      for (const k of await this.store.querySummaryKeys({ model: m.name, version: v.version, granularity: 'day', from: 0, to: Number.MAX_SAFE_INTEGER })) {
        for (const key of Object.keys(segmentParts(k.segment) ?? {})) keys.add(key);
      }
    }
    const ever = union(m.segmentKeys, [...keys].sort());
    await this.store.setState(segmentKeysState(m.name), JSON.stringify(ever));
    return ever;
  }

  /**
   * Throws a readable error when the schema does not compile. A stored schema (`stored`) was checked against the
   * meta-schema when it was declared: it is not again (a 200,000-value enum, accepted by earlier releases, took minutes).
   */
  compileSchema(schema: Record<string, unknown>, stored = false): ValidateFunction {
    const key = JSON.stringify(schema);
    const hit = this.compiled.get(key);
    if (hit) {
      this.compiled.delete(key);
      this.compiled.set(key, hit);
      return hit;
    }
    // As Ajv's compile checks it, with its message.
    if (!stored && !this.meta.validateSchema(schema)) throw new Error(`schema is invalid: ${this.meta.errorsText(this.meta.errors)}`);
    // An instance of its own, dropped with the validator: one Ajv kept every schema it compiled (its cache, and the
    // generated code's scope) for the life of the process, ~30 KB per declaration of a 40-feature model, and
    // registered a schema's "$id", so that declaring the model again threw "schema with key or id ... already exists".
    const validate = compileBounded(schema);
    this.compiled.set(key, validate);
    if (this.compiled.size > COMPILED_KEPT) this.compiled.delete(this.compiled.keys().next().value as string);
    return validate;
  }

  /**
   * Throws a readable error when the schema cannot be a model's input schema: it does not compile, or its type leaves
   * out "object" (events carry their features as an object: such a model would reject every event), or it holds a word
   * that is no keyword (a typo such as "minimun" would check nothing: unknownKeyword), or it exceeds SCHEMA_LIMITS.
   */
  checkInputSchema(schema: Record<string, unknown>): void {
    // first: Ajv's meta-schema check and compile take time and stack growing with the schema (SCHEMA_LIMITS)
    const size = schemaSizeProblem(schema);
    if (size !== undefined) throw new Error(size);
    const t = schema['type'];
    if (t !== undefined && !(t === 'object' || (Array.isArray(t) && t.includes('object')))) {
      throw new Error(`it describes the features object of an event, so its "type" must be "object" (got ${JSON.stringify(t).slice(0, 100)})`);
    }
    // a misspelt kind was ignored: integer codes meant as categories were monitored as numbers
    const props = schema['properties'];
    for (const [name, def] of Object.entries(typeof props === 'object' && props !== null ? props : {})) {
      const kind = typeof def === 'object' && def !== null ? (def as Record<string, unknown>)['x-lookout-kind'] : undefined;
      if (kind !== undefined && kind !== 'categorical' && kind !== 'numerical') {
        throw new Error(`properties.${name.slice(0, 100)}["x-lookout-kind"] must be "categorical" or "numerical" (got ${JSON.stringify(kind)?.slice(0, 60)})`);
      }
    }
    const unknown = unknownKeyword(schema, this.keywords);
    if (unknown !== undefined) throw new Error(unknown);
    // a regular expression events are checked against with no bound on its time: one event could hold the server
    const unsafe = unsafeRegex(schema);
    if (unsafe !== undefined) throw new Error(unsafe);
    this.compileSchema(schema);
  }

  /** Throws what putModel would refuse `m` for (its input schema, a DeclarationConflict), writing nothing. */
  async checkModel(m: ModelRecord): Promise<void> {
    this.checkInputSchema(m.inputSchema);
    await this.checkDeclarationChange(m);
  }

  /**
   * Declares or redeclares a model; true when it was new. Declarations of one model run one at a time (concurrent
   * first declarations all answered "created", each checked against none of the others).
   */
  putModel(m: ModelRecord): Promise<boolean> {
    const queue = this.declaring.get(m.name) ?? new SerialQueue();
    this.declaring.set(m.name, queue);
    return queue.run(() => this.declare(m)).finally(() => {
      if (queue.pending === 0) this.declaring.delete(m.name);
    });
  }

  private async declare(m: ModelRecord): Promise<boolean> {
    await this.checkModel(m);
    const existing = this.entries.get(m.name);
    // a redeclaration keeps when the model was first declared, even one made at the same time as that first one
    if (existing !== undefined) m = { ...m, createdAt: existing.ctx.model.createdAt };
    const before = existing?.segmentKeysEver ?? [];
    const ever = union(m.segmentKeys, before);
    // Kept before the model changes: data stored under a key dropped now stays queryable by it (see segmentKeysEver).
    if (ever.some((k) => !before.includes(k))) await this.store.setState(segmentKeysState(m.name), JSON.stringify(ever));
    await this.written(m.name, () => this.store.putModel(m));
    this.index(m, await this.store.listVersions(m.name), ever);
    return existing === undefined;
  }

  /**
   * Throws DeclarationConflict when `m` changes what the model's stored events or references cannot follow (a feature's
   * kind, the prediction's, the order of multiclass classes, a class removed: declarationConflicts).
   */
  private async checkDeclarationChange(m: ModelRecord): Promise<void> {
    const e = this.entries.get(m.name);
    if (!e) return;
    const conflicts = declarationConflicts(e.ctx.model, m);
    if (conflicts.length === 0) return;
    const stored = [...e.versions.values()].some((v) => v.reference !== null) || (await this.store.countEvents(m.name)) > 0;
    if (stored) throw new DeclarationConflict(m.name, conflicts);
  }

  async putVersion(v: VersionRecord): Promise<void> {
    const e = this.entries.get(v.model);
    if (!e) throw new Error(`unknown model "${v.model}"`);
    await this.written(v.model, () => this.store.putVersion(v));
    e.versions.set(v.version, this.versionContext(e.ctx.model, v));
    (e.ctx.versions as Set<string>).add(v.version);
  }

  /**
   * Runs a write of the model's; when its COMMIT answer was lost (PostgreSQL: it may have been stored), the model is read
   * back from the store once it answers again, so that the API shows what the store holds (the client is told to read
   * its change back before sending it again) rather than the view from before the write.
   */
  private async written(model: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (e) {
      if (e instanceof CommitOutcomeUnknown) {
        // Read back only once the write's session has ended: before, PostgreSQL could take the COMMIT after the read.
        let ended: Promise<void> | null = null;
        this.readBack(model, 120, () => (ended ??= e.sessionEnded().catch((err: unknown) => {
          ended = null;
          throw err;
        })));
      }
      throw e;
    }
  }

  private readBack(model: string, attemptsLeft: number, sessionEnded: () => Promise<void>): void {
    setTimeout(() => {
      void (async () => {
        await sessionEnded();
        const m = (await this.store.listModels()).find((r) => r.name === model);
        if (m) this.index(m, await this.store.listVersions(model), this.entries.get(model)?.segmentKeysEver ?? m.segmentKeys);
      })().catch(() => {
        if (attemptsLeft > 1) this.readBack(model, attemptsLeft - 1, sessionEnded);
      });
    }, 1000).unref();
  }

  model(name: string): ModelContext | undefined {
    return this.entries.get(name)?.ctx;
  }

  /**
   * Every segment key the model declares now or has declared before (those declared now first), or [] for an unknown
   * model: events stored while a key was declared are summarised under it, so a query may still name it.
   */
  segmentKeysEver(name: string): readonly string[] {
    return this.entries.get(name)?.segmentKeysEver ?? [];
  }

  models(): ModelRecord[] {
    return [...this.entries.values()].map((e) => e.ctx.model).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  version(model: string, version: string): VersionContext | undefined {
    return this.entries.get(model)?.versions.get(version);
  }

  versions(model: string): VersionContext[] {
    return [...(this.entries.get(model)?.versions.values() ?? [])].sort((a, b) => a.record.createdAt - b.record.createdAt);
  }

  private index(m: ModelRecord, versions: VersionRecord[], segmentKeysEver: readonly string[]): void {
    const ctx: ModelContext = {
      model: m,
      versions: new Set(versions.map((v) => v.version)),
      validateFeatures: this.compileSchema(m.inputSchema, true),
      classes: m.classes && m.classes.length > 0 ? new Set(m.classes) : null,
    };
    const map = new Map<string, VersionContext>();
    for (const v of versions) map.set(v.version, this.versionContext(m, v));
    this.entries.set(m.name, { ctx, versions: map, segmentKeysEver });
  }

  private versionContext(m: ModelRecord, v: VersionRecord): VersionContext {
    const profile = isReferenceProfile(v.reference) ? withoutOneClassCalibration(v.reference) : null;
    const spec = specFor(m, profile);
    const seed = summarySeed(m.name, v.version, '', 'reference', 0);
    const labels = profile && isStoredLabels(profile.labels) ? loadLabels(profile.labels, seed) : undefined;
    const reference = profile ? { profile, summary: WindowSummary.fromBytes(base64ToBytes(profile.summary), spec, seed), ...(labels && { labels }) } : null;
    return { record: v, spec, reference };
  }
}

/**
 * A profile stored before calibrations fitted on one class were refused keeps one (every score calibrated to 0 or 1):
 * read as the profile the upload gives today, without it (so no CBPE estimate from it, rather than a certain one).
 */
function withoutOneClassCalibration(p: ReferenceProfile): ReferenceProfile {
  if (p.calibration === undefined || !fittedOnOneClass(p.calibration)) return p;
  const { calibration: _stale, ...rest } = p;
  return rest;
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The keys of `first`, then those of `more` not among them. */
function union(first: readonly string[], more: readonly string[]): string[] {
  return [...new Set([...first, ...more])];
}

export function specFor(m: ModelRecord, profile: ReferenceProfile | null): SummarySpec {
  return {
    outputKind: m.outputKind,
    features: featuresFromSchema(m.inputSchema),
    edges: profile?.edges ?? {},
    ...(profile?.positiveClass !== undefined && { positiveClass: profile.positiveClass }),
    ...(scoreIndex(m, profile) !== undefined && { scoreIndex: scoreIndex(m, profile) }),
    ...(profile?.calibration !== undefined && { calibration: profile.calibration }),
    // Events carry their scores in the model's declared class order: the fits hold while it is the one they were made in.
    ...(profile?.classCalibrations !== undefined && sameList(profile.classCalibrations.classes, m.classes ?? []) && {
      classes: profile.classCalibrations.classes, classCalibrations: profile.classCalibrations.fits,
    }),
  };
}

/**
 * A binary model's index of its positive class among its two declared classes (the reference's positive class, else
 * the declared one: declaredPositive), for events that send `scores` instead of `score`; undefined otherwise.
 */
export function scoreIndex(m: ModelRecord, profile: ReferenceProfile | null): number | undefined {
  return classIndex(m, profile?.positiveClass ?? declaredPositive(m));
}
