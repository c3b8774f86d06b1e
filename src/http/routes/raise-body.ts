import { unknownVersionMessage } from '../../models/known-names.js';
import type { RaiseInput } from '../../alerting/pipeline.js';
import { SEVERITIES, type Severity } from '../../core/rules/types.js';
import { EXTERNAL_ALLOWED_LABELS, reservedLabelsError } from '../../monitors/reserved-labels.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { requireModel } from '../model-params.js';

/** The fields of POST /v1/alerts: those `alerting.raise` takes in process (docs/alerting.md, "Alerts"). */
export const RAISE_FIELDS = ['source', 'model', 'version', 'severity', 'summary', 'labels', 'context'] as const;
/** Context keys the dashboard and the notifiers turn into links. */
const LINK_KEYS = ['runbookUrl', 'dashboardUrl'] as const;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * POST /v1/alerts' body as `alerting.raise` takes it. Until audit 23 only source, model, severity, summary and labels
 * were read: `version` and `context`, which the docs list, were dropped without a word, as was a misspelt field
 * (`lables`: the alert went out without its routing labels). Its body is read by bodyOf(req, RAISE_FIELDS), which refuses
 * another field.
 */
export function raiseInput(deps: AppDeps, b: Record<string, unknown>): RaiseInput {
  for (const k of ['source', 'model', 'summary'] as const) if (typeof b[k] !== 'string' || b[k] === '') throw new ApiError('validation_failed', `"${k}" is required (a string)`);
  const model = b['model'] as string;
  requireModel(deps, model);
  if (!(SEVERITIES as readonly unknown[]).includes(b['severity'])) throw new ApiError('validation_failed', `"severity" must be one of ${SEVERITIES.join(', ')}`);
  const labels = b['labels'] ?? {};
  if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) throw new ApiError('validation_failed', '"labels" must be an object of strings');
  const reserved = reservedLabelsError(labels as Record<string, string>, 'labels', EXTERNAL_ALLOWED_LABELS);
  if (reserved !== undefined) throw new ApiError('validation_failed', reserved);
  const version = b['version'] ?? null;
  if (version !== null) {
    if (typeof version !== 'string' || version === '') throw new ApiError('validation_failed', '"version" must be a version of the model (a string) or null');
    const known = deps.catalog.versions(model).map((v) => v.record.version);
    if (!known.includes(version)) throw new ApiError('unknown_version', unknownVersionMessage(model, version, known));
  }
  const context = b['context'];
  if (context !== undefined) {
    if (!isObject(context)) throw new ApiError('validation_failed', '"context" must be an object');
    for (const k of LINK_KEYS) {
      const v = context[k];
      if (v !== undefined && !(typeof v === 'string' && /^https?:\/\/[^/\s]+/.test(v))) throw new ApiError('validation_failed', `"context.${k}" must be an http(s) URL`);
    }
  }
  return {
    source: b['source'] as string, model, version, severity: b['severity'] as Severity, summary: b['summary'] as string,
    labels: labels as Record<string, string>, ...(context !== undefined && { context: context as Record<string, unknown> }),
  };
}
