import type { RegistryVersionRecord } from '../storage/registry.js';
import type { RegisterInput } from './registry.js';
import { RegistryError } from './errors.js';

/** JSON with object keys sorted at every level: two lineages that differ only in key order are the same lineage. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'object' && x !== null && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
}

/**
 * The fields in which a repeated registration differs from the version registered: the lineage always (it is the
 * version's identity), the artifact, tags, notes and upstream when the request states them (left out, they are not
 * restated). `wanted` is the record the request would have created.
 */
export function registrationDiffers(existing: RegistryVersionRecord, wanted: RegistryVersionRecord, input: RegisterInput): string[] {
  const differs: string[] = [];
  if (canonicalJson(existing.lineage) !== canonicalJson(wanted.lineage)) differs.push('lineage');
  // key order aside (audit 27: an upload records {sha256, size, uri}, a registration {uri, sha256, size})
  if (wanted.artifact !== null && canonicalJson(existing.artifact) !== canonicalJson(wanted.artifact)) differs.push('artifact');
  if (input.tags !== undefined && JSON.stringify(existing.tags) !== JSON.stringify(wanted.tags)) differs.push('tags');
  if (input.notes !== undefined && existing.notes !== wanted.notes) differs.push('notes');
  if (input.upstream !== undefined && existing.upstream !== wanted.upstream) differs.push('upstream');
  return differs;
}

/**
 * The 409 of a repeated registration that differs: answered 200 "unchanged", the person who re-ran it with a new
 * upstream would believe it changed. Names the fields, and the way to change the mutable ones.
 */
export function reregisterConflict(existing: RegistryVersionRecord, differs: string[]): RegistryError {
  const { model, version } = existing;
  const mutable: string[] = differs.filter((f) => f === 'tags' || f === 'notes' || f === 'upstream');
  const fixed = differs.filter((f) => !mutable.includes(f));
  const how = [
    ...(fixed.length > 0 ? [`the ${fixed.join(' and ')} of a version ${fixed.length === 1 ? 'is' : 'are'} immutable: register a new version`] : []),
    ...(mutable.length > 0 ? [`change ${mutable.join(', ')} with PATCH /v1/models/${model}/versions/${version} (lookout versions update ${model} ${version})`] : []),
  ];
  return new RegistryError('conflict', `version ${model}@${version} is already registered with other ${differs.join(', ')}; nothing was changed: ${how.join('; ')}`,
    { differs, existing });
}
