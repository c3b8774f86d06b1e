import { annotationsFor, incidentBands, STEP_MS } from '../annotations.js';
import type { Annotation, TimeChartSpec } from '../charts/time.js';
import { timeChart } from '../charts/time.js';
import { series } from '../data.js';
import type { Query } from '../api.js';
import type { ViewContext } from '../panel.js';
import { driftLevel } from '../status.js';
import type { Point } from '../types.js';
import type { ValueFormat } from '../format.js';

export const COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#be123c'];

/** Annotations of a model, fetched once per view. */
export function annotationCache(ctx: ViewContext, model: string): () => Promise<Annotation[]> {
  let p: Promise<Annotation[]> | null = null;
  return () => (p ??= annotationsFor(model, ctx.range).then((a) => a.list));
}

export interface MetricChart {
  title: string;
  metrics: Array<{ metric: string; label: string }>;
  format: ValueFormat;
  /** A threshold line (or the promise of one, fetched alongside the series). */
  threshold?: TimeChartSpec['threshold'] | Promise<TimeChartSpec['threshold']>;
  testid?: string;
  /** Shade windows by drift level (drift share charts). */
  driftBands?: boolean;
  yMin?: number;
  yTop?: number;
  /** A drift metric: day windows over ranges longer than 2 days (audit 25: see driftWindows). */
  drift?: boolean;
}

/**
 * Day windows for a drift chart over more than 2 days (the quality chart's rule). Audit 25: a week's chart used hour
 * windows, ~120 events each for the demo's churn, where the drift tests flag by sampling noise alone (73 of 169
 * hours read as dataset drift in a week without drift, none of its day windows did); the on-call drift chart already
 * asked for days.
 */
export function driftWindows(range: { from: number; to: number }): { granularity?: 'day' } {
  return range.to - range.from > 2 * 86_400_000 ? { granularity: 'day' } : {};
}

/** A time chart of one or more timeseries metrics of a model, with its annotations. */
export async function metricChart(ctx: ViewContext, model: string, q: Query, spec: MetricChart, annotations: () => Promise<Annotation[]>): Promise<HTMLElement> {
  const windows = spec.drift ? driftWindows(ctx.range) : {};
  const [all, notes, threshold] = await Promise.all([
    Promise.all(spec.metrics.map((m) => series(model, m.metric, ctx.range, { ...q, ...windows }))),
    annotations(),
    spec.threshold,
  ]);
  const first = all[0];
  const points: Point[] = first?.points ?? [];
  const extra = spec.driftBands && first ? incidentBands(points, STEP_MS[first.granularity] ?? 86_400_000, (v) => driftLevel(v), 'dataset drift') : [];
  return timeChart({
    title: windows.granularity ? `${spec.title} (day windows)` : spec.title, t: points.map((p) => p.t), format: spec.format, testid: spec.testid,
    series: all.map((s, i) => ({ label: spec.metrics[i]?.label ?? s.metric, values: s.points.map((p) => p.value), color: COLORS[i % COLORS.length] as string })),
    annotations: [...extra, ...notes], ...(threshold && { threshold }), ...(spec.yMin !== undefined && { yMin: spec.yMin }), ...(spec.yTop !== undefined && { yTop: spec.yTop }),
  });
}
