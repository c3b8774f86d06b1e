/** Small helpers for human-readable CLI tables. */
import { printable } from './printable.js';
import { displayWidth, padDisplay, truncateDisplay } from './width.js';

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '-';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(2);
  return x.toFixed(digits);
}

/** A UTC time to the minute, as the CLI's tables print times: 2026-03-02T09:30Z. */
export function minuteTime(t: number): string {
  return new Date(t).toISOString().replace(/:\d\d\.\d+Z$/, 'Z');
}

/** A list's table, or `none` (what is not there, e.g. "no open alerts") on a line of its own when it has no rows. */
export function listTable(none: string, header: string[], rows: string[][], fit?: FitLast): string {
  return rows.length === 0 ? `${none}\n` : table(header, rows, fit);
}

/**
 * A table whose last column (free text: an alert's summary) is cut with "…" so that each line fits `width` terminal
 * columns (width.ts terminalWidth: the terminal's, or COLUMNS; undefined: not cut), but never to less than `min`
 * columns: where the other columns already take the terminal's width, the line wraps with `min` columns of the text.
 */
export interface FitLast {
  width: number | undefined;
  min: number;
}

export function table(header: string[], rawRows: string[][], fit?: FitLast): string {
  // a cell's control characters escaped (printable.ts): a newline or an escape sequence in a name must not break the table
  let rows = rawRows.map((r) => r.map((c) => printable(c)));
  if (fit?.width !== undefined && header.length > 0) {
    const last = header.length - 1;
    const others = header.slice(0, last).reduce((sum, h, i) => sum + Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))) + 2, 0);
    const room = Math.max(fit.min, displayWidth(header[last] ?? ''), fit.width - others);
    rows = rows.map((r) => r.map((c, i) => (i === last ? truncateDisplay(c, room) : c)));
  }
  // in terminal columns: a wide (CJK) or combining character in a cell must not shift the columns after it
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]): string => cells.map((c, i) => padDisplay(c, widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}
