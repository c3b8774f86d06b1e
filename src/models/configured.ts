import type { LookoutConfig } from '../config.js';
import { configError, entry, invalidConfig } from '../config-where.js';
import type { AppDeps } from '../http/deps.js';
import { ApiError } from '../http/errors.js';
import { parseTime } from '../http/params.js';
import { referenceWarnings } from '../http/routes/monitor-warnings.js';
import { InputError } from '../io/errors.js';
import { referenceFromFile, referenceOptions, sameReferenceOptions } from '../monitoring/reference-builder.js';
import type { ReferenceProfile } from '../monitoring/profile.js';
import type { ModelRecord, VersionRecord } from '../storage/types.js';
import { checkModelShape } from './declaration.js';
import { DeclarationConflict } from './declaration-change.js';
import { takeRangeReference } from './range-reference.js';

/**
 * Models and versions of the config file: created or updated; references computed when missing. Every model is checked
 * and every reference file read before anything is written: a refused config leaves the store as it was.
 */
export async function declareConfiguredModels(deps: AppDeps, config: LookoutConfig, warn: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)): Promise<void> {
  const now = deps.clock();
  const planned: Array<{ record: ModelRecord; versions: VersionRecord[] }> = [];
  /** The versions whose reference is a file of the config (`at`: where), told at the end which features it lacks. */
  const fromFiles: Array<{ model: string; version: string; at: string }> = [];
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
      const at = `models[${i}].versions[${j}].reference (model ${JSON.stringify(m.name)}, version ${JSON.stringify(v.version)})`;
      const { file, from, to, version: rangeOf, ...cols } = v.reference ?? {};
      if (from !== undefined || to !== undefined || rangeOf !== undefined) {
        // A past range of stored traffic, taken again only when the range or its version changed.
        if (file !== undefined || Object.keys(cols).length > 0) throw new InputError(invalidConfig(config.source, at, `is a file (file, with label, prediction, score, positiveClass, scores) or a range of stored traffic (from, to, version), not both: ${Object.keys(v.reference ?? {}).join(', ')}`));
        const range = configRange(from, to, now, (why) => new InputError(invalidConfig(config.source, at, why)));
        const of = rangeOf ?? v.version;
        if (source?.from !== range.from || source.to !== range.to || source.version !== of) {
          const src = deps.catalog.version(m.name, of);
          if (!src) throw new InputError(invalidConfig(config.source, at, `model ${JSON.stringify(m.name)} has no stored version ${JSON.stringify(of)} to take the reference range from${rangeOf === undefined ? ' (version: names another version of the model; without it, the version itself)' : ''}`));
          try {
            reference = { ...(await takeRangeReference(deps, record, src, v.version, range.from, range.to)) };
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            throw new InputError(invalidConfig(config.source, at, e.message), e.code, e.details);
          }
        }
      } else if (file === undefined && v.reference !== undefined) {
        throw new InputError(invalidConfig(config.source, at, 'needs a file, or a range of stored traffic (from, to and the version to take it from)'));
      }
      if (file !== undefined) fromFiles.push({ model: m.name, version: v.version, at });
      // Built again when the file or its options changed (a `scores:` added to the file was ignored while the file was the same).
      if (file !== undefined && (source?.file !== file || !sameReferenceOptions(source.options, referenceOptions(cols)))) {
        try {
          reference = { ...(await referenceFromFile(record, v.version, file, cols, now)) };
        } catch (e) {
          // The file's own problems (missing, unreadable, a column it lacks); not an internal error.
          if (!(e instanceof InputError)) throw e;
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
  // As an upload's answer says it (referenceWarnings): at each start, while the file lacks the column.
  for (const { model, version, at } of fromFiles) {
    for (const w of referenceWarnings(deps, model, version).warnings ?? []) warn(`lookout: warning: ${config.source ?? 'config'}: ${at}: ${w.problem}`);
  }
}

/**
 * A config reference range's from and to as epoch ms (epoch ms, or ISO-8601 times, no zone: UTC, as the API takes them):
 * both given, from before to, and past (to at most now: a range still running would be a different reference at each
 * start).
 */
function configRange(from: string | number | undefined, to: string | number | undefined, now: number, fail: (why: string) => Error): { from: number; to: number } {
  const time = (v: string | number | undefined, name: string): number => {
    if (v === undefined) throw fail(`a reference range needs both from and to (${name} is missing)`);
    try {
      const t = parseTime(String(v), name);
      if (t === undefined) throw fail(`${name} is empty`);
      return t;
    } catch (e) {
      throw e instanceof ApiError ? fail(e.message) : e;
    }
  };
  const range = { from: time(from, 'from'), to: time(to, 'to') };
  if (!(range.from < range.to)) throw fail(`from (${new Date(range.from).toISOString()}) must be before to (${new Date(range.to).toISOString()})`);
  if (range.to > now) throw fail(`to (${new Date(range.to).toISOString()}) is in the future: a reference range must have passed (the server's clock says ${new Date(now).toISOString()})`);
  return range;
}
