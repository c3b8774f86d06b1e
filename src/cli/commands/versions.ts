import { closeSync, openSync, statSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { InputError } from '../../io/errors.js';
import { action, api, ApiCallError, print, uploadFile, withApiOptions, type ApiOptions } from '../api.js';
import { listTable } from '../format.js';
import { parseList, parseNonEmpty } from '../parse.js';

type Opts = ApiOptions & {
  upstream?: string; gitCommit?: string; dataVersion?: string; hyperparameters?: Record<string, unknown>; metrics?: Record<string, number>;
  referenceProfile?: string; tags?: string[]; notes?: string; artifact?: string; artifactUri?: string; artifactSha256?: string; by?: string; reason?: string;
};

function parseJsonObject(v: string): Record<string, unknown> {
  try {
    const o = JSON.parse(v) as unknown;
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) return o as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new InvalidArgumentError('expected a JSON object, e.g. \'{"depth": 6}\'.');
}

/**
 * Refuses, before the version is registered, an artifact over the server's limit (GET /v1/registry/limits): refused
 * only at its upload, it would leave the (immutable) version registered without its artifact. A server without the
 * endpoint (older) is not asked.
 */
async function checkArtifactLimit(o: ApiOptions, file: string, size: number): Promise<void> {
  let max: number | null;
  try {
    max = (await api<{ maxArtifactBytes: number | null }>(o, 'GET', '/v1/registry/limits')).maxArtifactBytes;
  } catch (e) {
    if (e instanceof ApiCallError && e.status === 404) return;
    throw e;
  }
  if (max !== null && size > max) {
    throw new InputError(`the artifact (${size} bytes) is larger than this server's limit of ${max / (1024 * 1024)} MiB (${max} bytes; registry.maxArtifactMb `
      + `in the server's configuration): nothing was registered (${file})`, 'payload_too_large', { size, maxArtifactBytes: max, registered: false });
  }
}

/**
 * Uploads the artifact of a version just registered (or found registered). Refused (a 413 when the server's limit
 * changed after the pre-check, a lost connection), the version stays registered without it: the error says so, and
 * that re-running the command attaches one (register is idempotent and attaches to a version without an artifact).
 */
async function uploadArtifact(o: ApiOptions, model: string, version: string, file: string, size: number, had: unknown): Promise<{ artifact: unknown; created: boolean }> {
  try {
    return await uploadFile<{ artifact: unknown; created: boolean }>(o, `${m(model, version)}/artifact`, file, size);
  } catch (e) {
    if (!(e instanceof ApiCallError || e instanceof InputError) || had !== null) throw e;
    const msg = e.message.replace(/: nothing was stored$/, '');
    const message = `${model}@${version} is registered without its artifact: the upload of ${file} was refused: ${msg}. `
      + 'To attach one, re-run this command with an artifact the server accepts (the version is kept as registered)';
    const state = { model, version, registered: true, artifact: null };
    if (e instanceof ApiCallError) throw new ApiCallError(e.status, e.code, message, { ...(e.details as Record<string, unknown> | undefined), ...state });
    throw new InputError(message, e.code, { ...e.details, ...state });
  }
}

const m = (model: string, version?: string): string => `/v1/models/${encodeURIComponent(model)}/versions${version === undefined ? '' : `/${encodeURIComponent(version)}`}`;

/** `lookout versions ...`: list, show, register (with lineage and artifact), update (alias tag), pause, resume. */
export function versionsCommand(setCode: (c: number) => void): Command {
  const versions = new Command('versions').description('model versions: semver, artifacts, lineage (talks to a running server: --url, --api-key)');
  withApiOptions(versions.command('list <model>').description('versions of a model'))
    .option('--sort <order>', 'semver (precedence, prereleases before their release) or created', parseNonEmpty, 'semver')
    .action(action(setCode, async (model: string, o: Opts & { sort: string }) => {
      const r = await api<{ versions: Array<Record<string, unknown>> }>(o, 'GET', `${m(model)}?sort=${encodeURIComponent(o.sort)}`);
      print(o, r, () => listTable(`model ${model} has no versions`, ['version', 'created', 'aliases', 'artifact', 'git', 'tags', 'paused'], r.versions.map((v) => [
        String(v.version), typeof v.createdAt === 'number' ? new Date(v.createdAt).toISOString() : '-', (v.aliases as string[]).join(',') || '-',
        ((v.artifact as { sha256?: string; uri?: string } | null)?.sha256?.slice(0, 12) ?? (v.artifact as { uri?: string } | null)?.uri ?? '-'),
        String((v.lineage as { gitCommit?: string }).gitCommit ?? '-'), (v.tags as string[]).join(',') || '-', v.paused ? 'yes' : 'no',
      ])));
    }));
  withApiOptions(versions.command('show <model> <version>').description('one version with lineage and notes')).action(action(setCode, async (model: string, version: string, o: Opts) => {
    const r = await api(o, 'GET', m(model, version));
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  }));
  withApiOptions(versions.command('register <model> <version>').description('register a semver version (immutable) and optionally upload its artifact'))
    .option('--upstream <url>', 'HTTP endpoint of the model server for this version')
    .option('--git-commit <sha>', 'the training code\'s commit (lineage.gitCommit)').option('--data-version <id>', 'training data version')
    .option('--hyperparameters <json>', 'JSON object', parseJsonObject).option('--metrics <json>', 'offline metrics, JSON object', parseJsonObject)
    .option('--reference-profile <uri>', 'where the reference profile comes from')
    .option('--tags <list>', 'comma-separated', parseList).option('--notes <text>', 'why this version exists')
    .option('--artifact <file>', 'upload this file as the artifact (content-addressed, sha256)')
    .option('--artifact-uri <uri>', 'reference an artifact kept elsewhere (path or URL)').option('--artifact-sha256 <hex>', 'digest of the referenced artifact')
    .option('--by <name>', 'who')
    .action(action(setCode, async (model: string, version: string, o: Opts) => {
      // both: the version would be registered with the reference, then the upload refused (409), the file never stored
      if (o.artifact && o.artifactUri) throw new InputError('give --artifact FILE (uploaded, hashed by the server) or --artifact-uri URI (kept elsewhere), not both');
      // alone, the digest would be dropped and the version registered without an artifact
      if (o.artifactSha256 && !o.artifactUri) throw new InputError('--artifact-sha256 is the digest of the artifact named by --artifact-uri: give --artifact-uri too (an --artifact FILE is hashed by the server)');
      // Check the artifact before registering: a version is immutable, so a missing file must not leave it registered without one.
      let size: number | undefined;
      try {
        if (o.artifact) {
          closeSync(openSync(o.artifact, 'r'));
          const st = statSync(o.artifact);
          if (!st.isFile()) throw new Error('not a file');
          // the server refuses an empty artifact: refused after the version's registration, the version would stay without one
          if (st.size === 0) throw new Error('the file is empty (0 bytes)');
          size = st.size;
        }
      } catch (e) {
        throw new InputError(`cannot read the artifact ${o.artifact}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const lineage = {
        ...(o.gitCommit && { gitCommit: o.gitCommit }), ...(o.dataVersion && { dataVersion: o.dataVersion }), ...(o.hyperparameters && { hyperparameters: o.hyperparameters }),
        ...(o.metrics && { metrics: o.metrics }), ...(o.referenceProfile && { referenceProfile: o.referenceProfile }),
      };
      const body = {
        lineage, ...(o.tags && { tags: o.tags }), ...(o.notes && { notes: o.notes }), ...(o.upstream && { upstream: o.upstream }), ...(o.by && { by: o.by }),
        ...(o.artifactUri && { artifact: { uri: o.artifactUri, ...(o.artifactSha256 && { sha256: o.artifactSha256 }) } }),
      };
      if (o.artifact && size !== undefined) await checkArtifactLimit(o, o.artifact, size);
      const r = await api<{ created: boolean; version: Record<string, unknown> }>(o, 'PUT', m(model, version), body);
      let artifact: unknown = r.version.artifact;
      let attached = false;
      if (o.artifact && size !== undefined) {
        const up = await uploadArtifact(o, model, version, o.artifact, size, r.version.artifact);
        artifact = up.artifact;
        attached = up.created;
      }
      // a version registered before without its artifact gets it now: that is a change, not "unchanged"
      const what = r.created ? 'registered' : attached ? 'already registered' : 'already registered (unchanged)';
      print(o, { ...r, version: { ...r.version, artifact } }, () => `${model}@${version} ${what}${artifact ? `; artifact ${attached && !r.created ? 'attached: ' : ''}${JSON.stringify(artifact)}` : ''}\n`);
    }));
  withApiOptions(versions.command('update <model> <version>').alias('tag').description('change the tags, notes or upstream of a version (the mutable fields)'))
    .option('--tags <list>', "comma-separated (replaces the tags; '' clears them)", (v: string) => (v === '' ? [] : parseList(v)))
    .option('--notes <text>', "replaces the notes ('' clears them)")
    .option('--upstream <url>', "replaces the upstream URL ('' clears it)")
    .action(action(setCode, async (model: string, version: string, o: Opts) => {
      // '' clears a field (null): stored as an empty string, it would still show as notes
      const body = {
        ...(o.tags && { tags: o.tags }), ...(o.notes !== undefined && { notes: o.notes === '' ? null : o.notes }),
        ...(o.upstream !== undefined && { upstream: o.upstream === '' ? null : o.upstream }),
      };
      if (Object.keys(body).length === 0) throw new InputError('nothing to change: give --tags, --notes or --upstream (\'\' clears one)');
      const r = await api(o, 'PATCH', m(model, version), body);
      print(o, r, () => `${model}@${version} updated\n`);
    }));
  for (const verb of ['pause', 'resume'] as const) {
    withApiOptions(versions.command(`${verb} <model> <version>`).description(`${verb} one version (kill switch)`)).option('--reason <text>', 'why (kept in the deployment history)').option('--by <name>', 'who (default: the API key\'s name)')
      .action(action(setCode, async (model: string, version: string, o: Opts) => {
        const r = await api<{ paused: boolean; changed?: boolean }>(o, 'POST', `${m(model, version)}/${verb}`, { ...(o.reason && { reason: o.reason }), ...(o.by && { by: o.by }) });
        print(o, r, () => `${model}@${version}: ${r.paused ? 'paused' : 'serving'}${r.changed === false ? ' (already; nothing changed)' : ''}\n`);
      }));
  }
  return versions;
}
