import { statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { isStoredLabels } from '../core/summary/label-summary.js';
import type { StorageBackend } from '../storage/backend.js';
import type { ModelCatalog } from './catalog.js';
import { isReferenceProfile, type ReferenceProfile } from './profile.js';
import { referenceFromFile, type ReferenceColumns } from './reference-builder.js';

/** What upgradeReferenceLabels did, reference by reference. */
export interface LabelsUpgradeResult {
  /** References given their labels' distribution. */
  upgraded: number;
  /** References whose file is gone (upload again). */
  gone: number;
  /** References whose file no longer gives the profile stored (changed since): not upgraded. */
  changed: number;
  /** References whose file could not be read (a warning; tried again at the next start). */
  failed: number;
  /** References whose file has no labels: nothing to add. */
  none: number;
}

const STATE_PREFIX = 'reference.labelsUpgrade.';

/** The store state entry that remembers a reference checked for good (its file has no labels, or changed): not read again. */
export function labelsUpgradeState(model: string, version: string): string {
  return `${STATE_PREFIX}${JSON.stringify([model, version])}`;
}

interface Checked { createdAt: number; outcome: 'none' | 'changed'; at: number }

/**
 * Gives the references stored before ReferenceProfile.labels existed their labels' distribution (label drift), from
 * the file they were built from: an upload's copy in DATA_DIR/references, or lookout.yaml's file. Run once at each
 * start, in the background after the server listens (a large file takes seconds to read; the start never waits for it,
 * nor fails by it): until it is done such a version answers labelDrift null, as before.
 *
 * For each version whose reference came from a file and has no `labels`: the file is read again by the upload's own
 * code (referenceFromFile, with the options the reference was built with, profile.source.options) and only `labels` is
 * taken from it, every other field of the stored profile kept as it is. The profile records no size or hash of its
 * file, so the file counts as unchanged when it gives back the very profile stored (rows, decile edges, the summary's
 * bytes, metrics, calibrations: everything but `labels` and `createdAt`); else it changed (or the model's declaration
 * did) and the reference is left as it is, saying to upload it again. A reference whose stored fields depend on none of
 * its labels (no metrics: no prediction or score column) could have had its label column alone edited: it is taken
 * only if the file was not modified after the reference was built (mtime, against profile.createdAt).
 *
 * The labels are not part of the summary spec (specFor): storing them changes no window summary, so no pipeline
 * sync is needed. A reference replaced meanwhile (a PUT .../reference during the read) is left to the new one.
 * One line on stderr (`log`) per reference upgraded, per reference that cannot be (file gone, changed, unreadable).
 */
export async function upgradeReferenceLabels(
  deps: { catalog: ModelCatalog; store: StorageBackend; clock: () => number },
  opts: { stopped?: () => boolean; log?: (line: string) => void } = {},
): Promise<LabelsUpgradeResult> {
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const result: LabelsUpgradeResult = { upgraded: 0, gone: 0, changed: 0, failed: 0, none: 0 };
  let states: Map<string, string> | null = null; // read once, when some reference lacks labels
  for (const m of deps.catalog.models()) {
    for (const v of deps.catalog.versions(m.name)) {
      if (opts.stopped?.() === true) return result;
      const stored = v.record.reference;
      if (!isReferenceProfile(stored) || isStoredLabels(stored.labels) || v.reference === null) continue;
      const file = stored.source.file;
      if (file === undefined) continue; // a range's reference: its labels were the range's labelled events
      const of = `the reference of model ${JSON.stringify(m.name)} version ${JSON.stringify(v.record.version)}`;
      const what = `lookout: ${of}`;
      const key = labelsUpgradeState(m.name, v.record.version);
      states ??= await deps.store.statesWithPrefix(STATE_PREFIX);
      const checked = parseChecked(states.get(key) ?? null);
      if (checked !== null && checked.createdAt === stored.createdAt) {
        if (checked.outcome === 'none') result.none++;
        else {
          result.changed++;
          log(`${what} has no label distribution (label drift): its file ${file} changed since the reference was built (found ${new Date(checked.at).toISOString()}); upload the reference again to get label drift`);
        }
        continue;
      }
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          result.failed++;
          log(`lookout: warning: ${of} was not given its label distribution (label drift): its file ${file} cannot be read (${e instanceof Error ? e.message : String(e)}); tried again at the next start, or upload the reference again`);
          continue;
        }
        result.gone++;
        log(`${what} has no label distribution (label drift) and its file ${file} is gone: upload the reference again to get label drift`);
        continue;
      }
      let built: ReferenceProfile;
      try {
        built = await referenceFromFile(m, v.record.version, file, columnsOf(stored), stored.createdAt);
      } catch (e) {
        result.failed++;
        log(`lookout: warning: ${of} was not given its label distribution (label drift): its file ${file} could not be read (${e instanceof Error ? e.message : String(e)}); tried again at the next start, or upload the reference again`);
        continue;
      }
      // What the catalog reads (a one-class calibration dropped), against what the upload gives today.
      const same = sameBesidesLabels(v.reference.profile, built);
      // whole milliseconds, as createdAt: a file written in the millisecond its reference was built (mtime 1000.7, createdAt
      // the clock's 1000) is not one edited after it (it was read as edited about once in ten CI runs: its label drift lost)
      const edited = same && built.labels !== undefined && v.reference.profile.metrics === undefined && Math.floor(mtime) > stored.createdAt;
      if (!same || edited || built.labels === undefined) {
        const outcome = same && !edited ? 'none' : 'changed';
        await deps.store.setState(key, JSON.stringify({ createdAt: stored.createdAt, outcome, at: deps.clock() } satisfies Checked));
        if (outcome === 'none') result.none++;
        else {
          result.changed++;
          log(`${what} has no label distribution (label drift): its file ${file} ${edited ? `was modified (${new Date(mtime).toISOString()}) after the reference was built (${new Date(stored.createdAt).toISOString()})` : 'no longer gives the reference stored (changed since it was built, or the model\'s declaration did)'}; upload the reference again to get label drift`);
        }
        continue;
      }
      // Replaced while the file was read (an upload, a declaration): the new reference is not overwritten.
      if (deps.catalog.version(m.name, v.record.version)?.record !== v.record) continue;
      await deps.catalog.putVersion({ ...v.record, reference: { ...stored, labels: built.labels } });
      result.upgraded++;
      log(`${what} was given its label distribution (label drift) from its file ${file}, as an upload of it gives`);
    }
  }
  return result;
}

/** The reference's columns as its upload (or lookout.yaml) gave them, from the options stored in its source. */
function columnsOf(p: ReferenceProfile): ReferenceColumns {
  const o = p.source.options ?? {};
  return {
    ...(o.label !== undefined && { label: o.label }), ...(o.prediction !== undefined && { prediction: o.prediction }),
    ...(o.score !== undefined && { score: o.score }), ...(o.positiveClass !== undefined && { positiveClass: o.positiveClass }),
    ...(o.scores !== undefined && { scores: o.scores }), ...(o.decimal !== undefined && { decimal: o.decimal }),
  };
}

/** Whether two profiles are the same but for `labels` and `createdAt`, as stored (JSON: a NaN is null, key order aside). */
function sameBesidesLabels(a: ReferenceProfile, b: ReferenceProfile): boolean {
  const plain = (p: ReferenceProfile): unknown => {
    const { labels: _labels, createdAt: _createdAt, ...rest } = p;
    return JSON.parse(JSON.stringify(rest)) as unknown;
  };
  return isDeepStrictEqual(plain(a), plain(b));
}

function parseChecked(text: string | null): Checked | null {
  if (text === null) return null;
  try {
    const x = JSON.parse(text) as Partial<Checked>;
    return typeof x.createdAt === 'number' && (x.outcome === 'none' || x.outcome === 'changed') && typeof x.at === 'number' ? (x as Checked) : null;
  } catch {
    return null;
  }
}
