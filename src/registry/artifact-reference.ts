import type { ArtifactRef } from '../storage/registry.js';
import { SHA256, type ArtifactStore } from './artifacts.js';
import { RegistryError } from './errors.js';

const SCHEME = 'artifact:';

/**
 * The artifact reference a registration records. A reference elsewhere (a path or URL) is taken as given. One in the
 * store's own content-addressed scheme (`artifact:<sha256>`, as an upload records it and `versions show` prints it)
 * must name bytes this store holds, with their digest and size if it states them, and is recorded as an upload of them
 * is (sha256 and size filled in). Until audit 27 it was taken as given: a version could claim uploaded bytes never
 * stored (its download a 404), a digest other than its URI's, or another size.
 * A stated sha256 is hex in either case and recorded in lowercase (audit 28: PowerShell's Get-FileHash prints uppercase,
 * which was refused; the same digest in two cases would compare as two artifacts).
 */
export async function artifactReference(artifacts: ArtifactStore, stated: { uri: string; sha256?: string; size?: number }, model: string, version: string): Promise<ArtifactRef> {
  const input = stated.sha256 === undefined ? stated : { ...stated, sha256: stated.sha256.toLowerCase() };
  if (!input.uri.startsWith(SCHEME)) return { uri: input.uri, sha256: input.sha256 ?? null, size: input.size ?? null };
  const digest = input.uri.slice(SCHEME.length);
  const refuse = (why: string): RegistryError => new RegistryError('validation_failed', why, { artifact: input });
  if (!SHA256.test(digest)) {
    throw refuse(`artifact.uri ${JSON.stringify(input.uri.slice(0, 100))} is not a content address of this store ("artifact:" and 64 lowercase hex digits: the sha256 of uploaded bytes); a file kept elsewhere is referenced by its path or URL`);
  }
  if (input.sha256 !== undefined && input.sha256 !== digest) throw refuse(`artifact.sha256 ${input.sha256} is not the digest its uri names (${digest})`);
  const size = await artifacts.size(digest);
  if (size === null) {
    throw refuse(`no artifact with sha256 ${digest} is stored here: upload the bytes (PUT /v1/models/${model}/versions/${version}/artifact, lookout versions register --artifact FILE), or reference a file kept elsewhere by its path or URL`);
  }
  if (input.size !== undefined && input.size !== size) throw refuse(`artifact.size ${input.size} is not the size of the stored bytes (${size}) of ${input.uri}`);
  return { sha256: digest, size, uri: input.uri };
}
