import { summarySeed } from '../core/summary/seed.js';
import type { AppDeps } from '../http/deps.js';
import { InputError } from '../io/errors.js';
import type { VersionContext } from '../monitoring/catalog.js';
import type { ReferenceProfile } from '../monitoring/profile.js';
import { referenceFromRange } from '../monitoring/reference-range.js';
import type { ModelRecord } from '../storage/types.js';

/**
 * Version `version`'s reference from a past range of `source`'s stored traffic (POST .../versions `reference: {from,
 * to, version}`, lookout.yaml's `reference: {from, to, version}`): the merged summaries of the range, and the labelled
 * events they cover (the range's whole minutes or hours; a uniform sample beyond server.maxLabelledEvents) for the
 * reference metrics, label drift's reference and, when the source has none, CBPE's calibrations. A range without an
 * event of the source is refused (InputError): drift against an empty reference compares nothing.
 */
export async function takeRangeReference(deps: Pick<AppDeps, 'reader' | 'performance' | 'clock'>, m: ModelRecord, source: VersionContext, version: string, from: number, to: number): Promise<ReferenceProfile> {
  const eff = deps.reader.effectiveRange(from, to);
  const labelled = await deps.performance.labelled(m.name, source.record.version, eff.from, eff.to);
  const profile = await referenceFromRange(deps.reader, source, m, from, to, deps.clock(), { events: labelled.events, seed: summarySeed(m.name, version, '', 'reference', 0) });
  if (profile.rows === 0) {
    throw new InputError(`version ${source.record.version} of "${m.name}" has no event from ${new Date(from).toISOString()} to ${new Date(to).toISOString()}: a reference range needs stored traffic`);
  }
  return profile;
}
