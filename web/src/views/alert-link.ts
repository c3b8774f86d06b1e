import { link } from '../dom.js';
import { href } from '../route.js';
import type { Alert } from '../types.js';
import { segmentParam } from './segments.js';

const HOUR = 3_600_000;

/**
 * The range a link about an alert opens: from before it started to after it ended (now while it is open, the view then
 * following the clock), by 3 of its monitor's windows and at least 6 hours. Until audit 23 such a link kept the range of
 * the view it was in: from the Alerts view's "last 30d" or the on-call "last 24h", a past incident was a dot on a month's
 * chart or not on the page at all, where the notification's link opens the model around its window.
 */
export function alertRange(a: Pick<Alert, 'startsAt' | 'endsAt' | 'context'>, now = Date.now()): { from: string; to: string | undefined } {
  const c = a.context ?? {};
  const w = typeof c.windowStart === 'number' && typeof c.windowEnd === 'number' && c.windowEnd > c.windowStart ? c.windowEnd - c.windowStart : HOUR;
  const pad = Math.max(6 * HOUR, 3 * w);
  const iso = (t: number): string => new Date(t).toISOString();
  const to = a.endsAt === null ? undefined : a.endsAt + pad < now ? iso(a.endsAt + pad) : undefined;
  return { from: iso(a.startsAt - pad), to };
}

/** The model page of an alert's model, version and segment (a segment monitor's label) at the alert's time (alertRange). */
export function alertLink(a: Pick<Alert, 'model' | 'version' | 'startsAt' | 'endsAt' | 'context' | 'labels'>, text: string = a.model): HTMLAnchorElement {
  const segment = a.labels?.['segment'];
  return link(href('model', [a.model], { ...alertRange(a), version: a.version ?? undefined, segment: segment ? segmentParam(segment) : undefined }), text);
}
