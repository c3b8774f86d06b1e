import type { VersionContext } from '../monitoring/catalog.js';
import type { ModelRecord } from '../storage/types.js';
import type { AppDeps } from './deps.js';
import { ApiError } from './errors.js';
import { unknownModelMessage } from '../models/known-names.js';
import { rangeParams, type RangeParams } from './params.js';
import { undeclaredSegmentKeys } from '../monitoring/segment-match.js';

/** The model named in a request, or a 404 `unknown_model` listing the known ones. */
export function requireModel(deps: AppDeps, name: string): ModelRecord {
  const m = deps.catalog.model(name)?.model;
  if (!m) throw new ApiError('unknown_model', unknownModelMessage(name, deps.catalog.models().map((x) => x.name)));
  return m;
}

/** A query's model version (the one named by `version`, else the newest) and its range parameters. */
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
  if (!v) throw new ApiError('unknown_version', r.version ? `model "${name}" has no version "${r.version}"` : `model "${name}" has no versions yet`);
  return { v, r };
}
