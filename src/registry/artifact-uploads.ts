import { SerialQueue } from '../io/serial-queue.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import type { ArtifactRef, RegistryStore, RegistryVersionRecord } from '../storage/registry.js';
import { ArtifactTooLargeError, type ArtifactStore } from './artifacts.js';
import { artifactTooLarge } from './artifact-limit.js';
import { RegistryError } from './errors.js';

/** Artifact uploads of the registry: the bytes stored content-addressed and attached to their version. */
export class ArtifactUploads {
  /** One upload of given bytes (by sha256) at a time. */
  private readonly uploads = new Map<string, SerialQueue>();

  constructor(private readonly o: { store: RegistryStore; catalog: ModelCatalog; artifacts: ArtifactStore }) {}

  /**
   * Stores the bytes content-addressed and attaches them to the version (once: artifacts are immutable). The bytes
   * (a request body) are streamed to a temporary file while hashed, never held in memory. A refused or interrupted
   * upload leaves nothing behind: bytes it wrote that no version refers to are deleted again.
   */
  async upload(model: string, version: string, body: Uint8Array | AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ artifact: ArtifactRef; created: boolean }> {
    const current = await this.o.store.getVersion(model, version);
    if (!current) throw new RegistryError('unknown_version', `version ${model}@${version} is not registered`);
    const refuse = (artifact: ArtifactRef | null, ref?: ArtifactRef): RegistryError => new RegistryError('conflict',
      `version ${model}@${version} already has an artifact (${artifact?.sha256 ?? artifact?.uri}); artifacts are immutable`, { artifact, ...(ref && { uploaded: ref }) });
    // an artifact kept elsewhere: no upload can match it, refused before anything is read
    if (current.artifact !== null && !current.artifact.uri.startsWith('artifact:')) throw refuse(current.artifact);
    const received = await this.o.artifacts.receive(body instanceof Uint8Array ? [body] : body, maxBytes).catch((e: unknown) => {
      throw e instanceof ArtifactTooLargeError ? artifactTooLarge(e.maxBytes) : e;
    });
    const ref = received.ref;
    const same = (a: ArtifactRef | null): boolean => a?.sha256 === ref.sha256 && a.uri === ref.uri;
    try {
      // a model file of 0 bytes is a failed build or export, not a model: attached, it would be served as the version's
      if (ref.size === 0) throw new RegistryError('bad_request', 'the artifact is empty (0 bytes): send the model file\'s bytes as application/octet-stream');
      if (current.artifact !== null && !same(current.artifact)) throw refuse(current.artifact, ref);
      // one upload of given bytes at a time: a refused one may only delete the file while no other one is attaching it
      const queue = this.uploads.get(ref.sha256) ?? new SerialQueue();
      this.uploads.set(ref.sha256, queue);
      try {
        return await queue.run(async () => {
          const written = await received.commit();
          const after = await this.o.store.attachArtifact(model, version, ref) as RegistryVersionRecord;
          if (!same(after.artifact)) {
            if (written && !(await this.artifactInUse(ref.sha256))) await this.o.artifacts.remove(ref.sha256);
            throw refuse(after.artifact, ref);
          }
          return { artifact: ref, created: current.artifact === null };
        });
      } finally {
        if (queue.pending === 0) this.uploads.delete(ref.sha256);
      }
    } finally {
      await received.discard();
    }
  }

  /** Whether a registered version of any model refers to the stored bytes. */
  private async artifactInUse(sha256: string): Promise<boolean> {
    for (const m of this.o.catalog.models()) {
      if ((await this.o.store.listVersions(m.name)).some((v) => v.artifact?.sha256 === sha256 || v.artifact?.uri === `artifact:${sha256}`)) return true;
    }
    return false;
  }
}
