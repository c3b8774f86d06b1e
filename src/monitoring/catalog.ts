import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { base64ToBytes } from '../core/summary/base64.js';
import { summarySeed } from '../core/summary/seed.js';
import type { SummarySpec } from '../core/summary/spec.js';
import { WindowSummary } from '../core/summary/window.js';
import type { ModelContext } from '../ingest/validate-event.js';
import { featuresFromSchema } from '../models/features.js';
import type { StorageBackend } from '../storage/backend.js';
import type { ModelRecord, VersionRecord } from '../storage/types.js';
import { isReferenceProfile, type ReferenceProfile } from './profile.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

export interface VersionContext {
  record: VersionRecord;
  spec: SummarySpec;
  reference: { profile: ReferenceProfile; summary: WindowSummary } | null;
}

interface Entry {
  ctx: ModelContext;
  versions: Map<string, VersionContext>;
}

export { summarySeed };

/**
 * In-memory view of the models and versions in the store: compiled input validators and the summary spec
 * and reference of every version. Writes go to the store first, then refresh the view.
 */
export class ModelCatalog {
  private readonly entries = new Map<string, Entry>();
  private readonly ajv: Ajv;

  constructor(private readonly store: StorageBackend) {
    this.ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });
    addFormats(this.ajv);
  }

  async load(): Promise<void> {
    this.entries.clear();
    for (const m of await this.store.listModels()) this.index(m, await this.store.listVersions(m.name));
  }

  /** Throws a readable error when the schema does not compile. */
  compileSchema(schema: Record<string, unknown>): ValidateFunction {
    return this.ajv.compile(schema);
  }

  /**
   * Throws a readable error when the schema cannot be a model's input schema: it does not compile, or its type leaves
   * out "object" (events carry their features as an object: such a model would reject every event).
   */
  checkInputSchema(schema: Record<string, unknown>): void {
    const t = schema['type'];
    if (t !== undefined && !(t === 'object' || (Array.isArray(t) && t.includes('object')))) {
      throw new Error(`it describes the features object of an event, so its "type" must be "object" (got ${JSON.stringify(t).slice(0, 100)})`);
    }
    this.compileSchema(schema);
  }

  async putModel(m: ModelRecord): Promise<void> {
    this.checkInputSchema(m.inputSchema);
    await this.store.putModel(m);
    this.index(m, await this.store.listVersions(m.name));
  }

  async putVersion(v: VersionRecord): Promise<void> {
    const e = this.entries.get(v.model);
    if (!e) throw new Error(`unknown model "${v.model}"`);
    await this.store.putVersion(v);
    e.versions.set(v.version, this.versionContext(e.ctx.model, v));
    (e.ctx.versions as Set<string>).add(v.version);
  }

  model(name: string): ModelContext | undefined {
    return this.entries.get(name)?.ctx;
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

  private index(m: ModelRecord, versions: VersionRecord[]): void {
    const ctx: ModelContext = {
      model: m,
      versions: new Set(versions.map((v) => v.version)),
      validateFeatures: this.compileSchema(m.inputSchema),
      classes: m.classes && m.classes.length > 0 ? new Set(m.classes) : null,
    };
    const map = new Map<string, VersionContext>();
    for (const v of versions) map.set(v.version, this.versionContext(m, v));
    this.entries.set(m.name, { ctx, versions: map });
  }

  private versionContext(m: ModelRecord, v: VersionRecord): VersionContext {
    const profile = isReferenceProfile(v.reference) ? v.reference : null;
    const spec = specFor(m, profile);
    const reference = profile ? { profile, summary: WindowSummary.fromBytes(base64ToBytes(profile.summary), spec, summarySeed(m.name, v.version, '', 'reference', 0)) } : null;
    return { record: v, spec, reference };
  }
}

export function specFor(m: ModelRecord, profile: ReferenceProfile | null): SummarySpec {
  return {
    outputKind: m.outputKind,
    features: featuresFromSchema(m.inputSchema),
    edges: profile?.edges ?? {},
    ...(profile?.positiveClass !== undefined && { positiveClass: profile.positiveClass }),
    ...(profile?.calibration !== undefined && { calibration: profile.calibration }),
  };
}
