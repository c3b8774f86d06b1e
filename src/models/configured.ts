import type { LookoutConfig } from '../config.js';
import { configError, entry, invalidConfig } from '../config-where.js';
import type { AppDeps } from '../http/deps.js';
import { InputError } from '../io/errors.js';
import { referenceFromFile, referenceOptions, sameReferenceOptions } from '../monitoring/reference-builder.js';
import type { ReferenceProfile } from '../monitoring/profile.js';
import type { ModelRecord, VersionRecord } from '../storage/types.js';
import { checkModelShape } from './declaration.js';
import { DeclarationConflict } from './declaration-change.js';

/**
 * Models and versions of the config file: created or updated; references computed when missing. Every model is checked
 * and every reference file read before anything is written: a refused config leaves the store as it was.
 */
export async function declareConfiguredModels(deps: AppDeps, config: LookoutConfig): Promise<void> {
  const now = deps.clock();
  const planned: Array<{ record: ModelRecord; versions: VersionRecord[] }> = [];
  for (const [i, m] of config.models.entries()) {
    const where = entry('models', i, m, 'name');
    const existing = deps.catalog.model(m.name)?.model;
    const record: ModelRecord = {
      name: m.name, outputKind: m.outputKind, inputSchema: m.inputSchema, segmentKeys: m.segmentKeys ?? [],
      ...(m.classes && { classes: m.classes }), ...(m.description !== undefined && { description: m.description }),
      createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    try {
      deps.catalog.checkInputSchema(record.inputSchema);
    } catch (e) {
      throw new InputError(invalidConfig(config.source, where, `inputSchema is not a valid input schema: ${e instanceof Error ? e.message : String(e)}`));
    }
    configError(config.source, where, () => checkModelShape(record));
    try {
      await deps.catalog.checkModel(record);
    } catch (e) {
      if (e instanceof DeclarationConflict) throw new InputError(invalidConfig(config.source, where, e.message));
      throw e;
    }
    const versions: VersionRecord[] = [];
    for (const [j, v] of (m.versions ?? []).entries()) {
      const current = deps.catalog.version(m.name, v.version);
      let reference = current?.record.reference;
      const source = (reference as Partial<ReferenceProfile> | undefined)?.source;
      // Built again when the file or its options changed (a `scores:` added to the file was ignored while the file was the same).
      const { file, ...cols } = v.reference ?? { file: undefined };
      if (file !== undefined && (source?.file !== file || !sameReferenceOptions(source.options, referenceOptions(cols)))) {
        try {
          reference = { ...(await referenceFromFile(record, v.version, file, cols, now)) };
        } catch (e) {
          // The file's own problems (missing, unreadable, a column it lacks); not an internal error.
          if (!(e instanceof InputError)) throw e;
          const at = `models[${i}].versions[${j}].reference (model ${JSON.stringify(m.name)}, version ${JSON.stringify(v.version)})`;
          throw new InputError(invalidConfig(config.source, at, e.message), e.code, e.details);
        }
      }
      // A version the file declares without `metadata` keeps what the API gave it (as POST .../versions does): the file
      // is declared again at each start, and every restart cleared it.
      const metadata = v.metadata ?? current?.record.metadata;
      versions.push({
        model: m.name, version: v.version, createdAt: current?.record.createdAt ?? now,
        ...(reference && { reference }), ...(metadata && { metadata }),
      });
    }
    planned.push({ record, versions });
  }
  for (const { record, versions } of planned) {
    await deps.catalog.putModel(record);
    for (const v of versions) await deps.catalog.putVersion(v);
  }
}
