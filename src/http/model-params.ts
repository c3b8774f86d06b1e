import type { VersionContext } from '../monitoring/catalog.js';
import type { ModelRecord } from '../storage/types.js';
import type { AppDeps } from './deps.js';
import { ApiError } from './errors.js';
import { unknownModelMessage, unknownVersionMessage } from '../models/known-names.js';
import { rangeParams, type RangeParams } from './params.js';
import { undeclaredSegmentKeys } from '../monitoring/segment-match.js';

/** The model named in a request, or a 404 `unknown_model` listing the known ones. */
export function requireModel(deps: AppDeps, name: string): ModelRecord {
  const m = deps.catalog.model(name)?.model;
  if (!m) throw new ApiError('unknown_model', unknownModelMessage(name, deps.catalog.models().map((x) => x.name)));
  return m;
}

/** A query's model version (the one named by `version`, else SummaryReader.resolveVersion's default) and its range parameters. */
export function versionAndRange(deps: AppDeps, name: string, query: Record<string, unknown>): { v: VersionContext; r: RangeParams } {
  const m = requireModel(deps, name);
  const r = rangeParams(query, deps.clock(), m);
  // No event carries a key the model never declared: an empty answer would look like a segment without traffic. A key
  // declared before (dropped since) still holds the events stored meanwhile.
  const ever = deps.catalog.segmentKeysEver(name);
  const undeclared = undeclaredSegmentKeys(r.segment, ever);
  if (undeclared.length > 0) {
    const earlier = ever.filter((k) => !m.segmentKeys.includes(k));
    throw new ApiError('bad_request', `segment names ${undeclared.map((k) => `"${k.slice(0, 100)}"`).join(', ')}, not a segment key of model "${name}"; its segment keys: ${m.segmentKeys.join(', ') || '(none)'}${earlier.length > 0 ? `; declared before: ${earlier.join(', ')}` : ''}`, { segmentKeys: m.segmentKeys, earlierSegmentKeys: earlier });
  }
  const v = deps.reader.resolveVersion(name, r.version);
  if (!v) throw new ApiError('unknown_version', r.version ? unknownVersionMessage(name, r.version, deps.catalog.versions(name).map((x) => x.record.version)) : `model "${name}" has no versions yet`);
  return { v, r };
}

/**
 * The 422 of a query that needs the version's reference. Audit 25: registering a candidate version (registry.md's
 * `PUT .../versions/1.4.0`) makes it the newest, which a query reads unless given `version`, and `/drift` of a model
 * that was fine a moment before answered "version 1.4.0 ... has no reference yet" without a word of why that version;
 * so, when the version was not asked for, the message says so and names the versions that have a reference.
 */
export function noReferenceError(deps: AppDeps, v: VersionContext, asked: string | undefined): ApiError {
  const { model, version } = v.record;
  let newest = '';
  if (asked === undefined) {
    const others = deps.catalog.versions(model).filter((x) => x.reference !== null && x.record.version !== version).map((x) => x.record.version);
    const list = others.length > 10 ? `${others.slice(-10).join(', ')}, ...` : others.join(', ');
    const why = deps.reader.servingVersion(model) === version ? `the version the serving alias of "${model}" points to` : `the newest version of "${model}" (its serving alias is not set)`;
    newest = `; ${version} is ${why}, which a query reads unless given ?version=${others.length > 0 ? ` (versions with a reference: ${list})` : ''}`;
  }
  return new ApiError('unprocessable', `version ${version} of "${model}" has no reference yet: upload one (PUT /v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/reference)${newest}`);
}
