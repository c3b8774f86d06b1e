import { bytesToBase64 } from '../core/summary/base64.js';
import { canonicalKey } from '../core/metrics/labels.js';
import { referenceLabels, storeLabels } from '../core/summary/label-summary.js';
import { binaryScore } from '../core/summary/spec.js';
import { NumericSummary } from '../core/summary/numeric.js';
import type { LabelledOutcome, ModelRecord } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import { classIndex, positiveClass, realizedWithNote } from './performance.js';
import { binaryCalibration, classCalibrations } from './reference-builder.js';
import type { ReferenceProfile } from './profile.js';
import type { SummaryReader } from './query.js';

/**
 * A reference profile from a past time range of stored traffic: the merged summary of [from, to) of the
 * source version, with decile edges taken from its sketches (so PSI-style bins come from the KLL quantiles), and the
 * source's reference's CBPE calibrations (binary, or multiclass per class) and positive class. `labelled`: the source's
 * labelled events of the range (by event time), for the reference metrics (as /performance computes them over the
 * range, CIs included) and label drift's reference.
 */
export async function referenceFromRange(reader: SummaryReader, source: VersionContext, model: ModelRecord, from: number, to: number, now: number, labelled?: { events: readonly LabelledOutcome[]; seed: number }): Promise<ReferenceProfile> {
  const merged = await reader.merged(source, '', from, to);
  const edges: Record<string, number[]> = {};
  const deciles = (s: NumericSummary): number[] => {
    const out: number[] = [];
    for (let i = 1; i < 10; i++) {
      const e = s.kll.quantile(i / 10);
      if (out.length === 0 || e !== out[out.length - 1]) out.push(e);
    }
    return out;
  };
  for (const [name, s] of merged.features) if (s instanceof NumericSummary && s.count > 0) edges[name] = deciles(s);
  if (merged.prediction instanceof NumericSummary && merged.prediction.count > 0) edges['__prediction'] = deciles(merged.prediction);
  if (merged.score.count > 0) edges['__score'] = deciles(merged.score);
  return {
    source: { from, to, version: source.record.version },
    rows: merged.events,
    edges,
    summary: bytesToBase64(merged.toBytes()),
    ...(source.reference?.profile.positiveClass !== undefined && { positiveClass: source.reference.profile.positiveClass }),
    ...(source.reference?.profile.calibration !== undefined && { calibration: source.reference.profile.calibration }),
    // A multiclass model's per-class calibrations too (until audit 15 only the binary one: such a version had no estimate).
    ...(source.reference?.profile.classCalibrations !== undefined && { classCalibrations: source.reference.profile.classCalibrations }),
    ...(labelled && labelled.events.length > 0 && rangeMetrics(model, source, labelled.events)),
    ...(labelled && labelled.events.length > 0 && { labels: storeLabels(referenceLabels(model.outputKind, labelled.events.map((l) => l.label), labelled.seed, model.classes?.length)) }),
    createdAt: now,
  };
}

/**
 * The reference metrics of a range's labelled events: /performance's realized metrics of them (seed 0, 200 bootstrap
 * resamples), a binary model's positive class they were measured with when the source's reference names none, and
 * CBPE's calibrations from them when the source has none.
 * Nothing when the metrics refuse the events (labels stored before they were checked): the reference is still usable
 * for drift.
 */
function rangeMetrics(m: ModelRecord, source: VersionContext, events: readonly LabelledOutcome[]): Pick<ReferenceProfile, 'metrics' | 'positiveClass' | 'calibration' | 'classCalibrations'> {
  const positive = positiveClass(m, source, events);
  const { realized } = realizedWithNote(m, source, events, 0, 200, undefined, positive);
  if (!realized) return {};
  const own = source.reference?.profile.positiveClass === undefined && positive !== undefined;
  return { metrics: realized, ...(own && { positiveClass: positive }), ...(!hasCalibration(source) && rangeCalibrations(m, events, positive)) };
}

const hasCalibration = (v: VersionContext): boolean => v.reference?.profile.calibration !== undefined || v.reference?.profile.classCalibrations !== undefined;

/**
 * CBPE's calibrations fitted on the range's labelled events, as a reference file's are on its rows (isotonic, score
 * against "the label is the positive class", binary; one-vs-rest per declared class, multiclass), for a source version
 * that has none (no reference, or one without scores): events without the scores it needs are left out; none when a
 * class is never, or always, the label.
 */
function rangeCalibrations(m: ModelRecord, events: readonly LabelledOutcome[], positive: string | undefined): Pick<ReferenceProfile, 'calibration' | 'classCalibrations'> {
  if (m.outputKind === 'binary' && positive !== undefined) {
    const index = classIndex(m, positive);
    const key = canonicalKey(positive);
    const s: number[] = [];
    const y: Array<0 | 1> = [];
    for (const l of events) {
      const score = binaryScore(l.event.score, l.event.scores, index);
      if (score === null || !Number.isFinite(score)) continue;
      s.push(score);
      y.push(canonicalKey(l.label) === key ? 1 : 0);
    }
    const calibration = binaryCalibration(s, y);
    return calibration ? { calibration } : {};
  }
  const classes = m.classes ?? [];
  if (m.outputKind !== 'multiclass' || classes.length < 2) return {};
  const scored = events.filter((l) => l.event.scores?.length === classes.length);
  const columns = classes.map((_, k) => Float64Array.from(scored, (l) => (l.event.scores as readonly number[])[k] as number));
  const fits = classCalibrations(classes, columns, scored.map((l) => l.label));
  return fits ? { classCalibrations: fits } : {};
}
