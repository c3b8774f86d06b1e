import type { Annotation } from './charts/time.js';
import { matches } from '../../src/core/rules/matchers.js';
import { allAlerts, allSilences, deployments } from './data.js';
import type { Range } from './route.js';
import { alertTitle } from './status.js';
import type { Point, Silence } from './types.js';

/**
 * A silence drawn on a model's charts: one of its matchers on the `model` label matches the model, as the silence
 * stage reads it (audit 25: a regex matched every model, and `model!=churn` was drawn on churn's charts).
 */
function silencesModel(x: Silence, model: string): boolean {
  return x.matchers.some((m) => m.name === 'model' && matches(m, { model }));
}

/**
 * Deployment, alert and silence annotations for a model's time charts (empty where the endpoint is missing). The alerts
 * are those the server answers active at some moment of the chart's range, every page of them (audit 24: the model's
 * 1,000 newest alerts were read and filtered here, so a past range of a model with more newer alerts had no markers);
 * the silences likewise those muting at some moment of it (audit 25: one page of every silence was read, the 1,000 of
 * the latest expiry, so among a deploy script's daily silences a past range had none).
 * `activeTo` is exclusive: one past the range's end keeps an alert or silence that started at it, as the chart's axis does.
 */
export async function annotationsFor(model: string, range: Range): Promise<{ list: Annotation[]; sources: string[] }> {
  const active = { activeFrom: Math.round(range.from), activeTo: Math.round(range.to) + 1 };
  const [d, a, s] = await Promise.all([deployments(model, range), allAlerts({ model, state: 'all', ...active }), allSilences(active)]);
  const list: Annotation[] = [];
  for (const x of d.value.deployments) {
    list.push({ at: x.at, kind: x.kind === 'rollback' ? 'rollback' : 'deploy', label: `${x.kind} ${x.alias}: ${x.from ?? '∅'} → ${x.to} (${x.by}: ${x.reason})` });
  }
  for (const x of a.value.alerts) {
    if (x.model !== model) continue;
    list.push({ at: x.startsAt, end: x.endsAt, kind: 'alert', label: `${x.severity} alert: ${alertTitle(x)}${x.falsePositive ? ' (false positive)' : ''}` });
  }
  for (const x of s.value.silences) {
    if (!silencesModel(x, model)) continue;
    list.push({ at: x.startsAt, end: x.endsAt, kind: 'silence', label: `silence: ${x.comment} (${x.createdBy})` });
  }
  const sources = [d.available ? 'deployments' : '', a.available ? 'alerts' : '', s.available ? 'silences' : ''].filter(Boolean);
  return { list: list.sort((x, y) => x.at - y.at), sources };
}

/**
 * Windows with fewer events than this are never shaded: on a few dozen events the drift distances (Wasserstein,
 * Jensen-Shannon) exceed their thresholds by sampling noise alone (the demo's first, one-hour day window of 64
 * events measured a drift share of 0.83). The value is still charted; monitors have their own minSamples. Audit 25:
 * 100 was too few: the demo churn's hour windows (60-180 events, no drift) read as dataset drift in 4 hours out of 10,
 * so a 24-hour chart was shaded red where nothing drifted; its day windows (~2,500 events) never did.
 */
export const MIN_BAND_EVENTS = 1000;

/** Contiguous windows where `level(value)` is red or yellow, as shaded bands (e.g. drift incidents). */
export function incidentBands(points: Point[], stepMs: number, level: (v: number | null) => 'red' | 'yellow' | 'green' | 'grey', label: string): Annotation[] {
  const out: Annotation[] = [];
  let open: Annotation | null = null;
  for (const p of points) {
    const l = p.events >= MIN_BAND_EVENTS ? level(p.value) : 'grey';
    const kind = l === 'red' ? 'incident' : l === 'yellow' ? 'warning' : null;
    if (open && open.kind === kind) {
      open.end = p.t + stepMs;
      continue;
    }
    if (open) out.push(open);
    open = kind ? { at: p.t, end: p.t + stepMs, kind, label } : null;
  }
  if (open) out.push(open);
  return out;
}

export const STEP_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
