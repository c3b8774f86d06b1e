/**
 * Time windows (maintenance, known retrain windows) during which notifications are muted: either one
 * absolute interval, or a weekly recurrence (UTC weekdays 0 = Sunday, and a [start, end) time of day).
 */
export interface TimeWindow {
  name: string;
  /** Absolute interval (epoch ms). */
  startsAt?: number;
  endsAt?: number;
  /** Weekly recurrence. */
  weekdays?: number[];
  /** "HH:MM" UTC, end exclusive; an end before the start wraps past midnight. */
  startTime?: string;
  endTime?: string;
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`time of day must be HH:MM (got "${hhmm}")`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 24 || mi > 59 || (h === 24 && mi > 0)) throw new Error(`time of day out of range (00:00 to 24:00): "${hhmm}"`);
  return h * 60 + mi;
}

export function checkTimeWindow(w: TimeWindow): void {
  if (!w.name) throw new Error('a time window needs a name');
  const absolute = w.startsAt !== undefined || w.endsAt !== undefined;
  const weekly = w.weekdays !== undefined || w.startTime !== undefined || w.endTime !== undefined;
  if (absolute === weekly) throw new Error(`time window "${w.name}": give either startsAt/endsAt or weekdays/startTime/endTime`);
  if (absolute && !(typeof w.startsAt === 'number' && typeof w.endsAt === 'number' && w.startsAt < w.endsAt)) throw new Error(`time window "${w.name}": startsAt must be before endsAt`);
  if (weekly) {
    minutes(w.startTime ?? '00:00');
    minutes(w.endTime ?? '24:00');
    for (const d of w.weekdays ?? []) if (!Number.isInteger(d) || d < 0 || d > 6) throw new Error(`time window "${w.name}": weekdays are 0 (Sunday) to 6`);
  }
}

export function inTimeWindow(w: TimeWindow, at: number): boolean {
  if (w.startsAt !== undefined && w.endsAt !== undefined) return at >= w.startsAt && at < w.endsAt;
  const d = new Date(at);
  const day = d.getUTCDay();
  const mins = d.getUTCHours() * 60 + d.getUTCMinutes();
  const s = minutes(w.startTime ?? '00:00');
  const e = minutes(w.endTime ?? '24:00');
  const days = w.weekdays ?? [0, 1, 2, 3, 4, 5, 6];
  if (s <= e) return days.includes(day) && mins >= s && mins < e;
  // wraps midnight: the part after midnight belongs to the previous weekday's window
  return (days.includes(day) && mins >= s) || (days.includes((day + 6) % 7) && mins < e);
}
