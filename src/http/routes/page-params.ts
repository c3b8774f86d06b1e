import type { PageCursor } from '../../storage/alerts.js';
import { ApiError } from '../errors.js';

/** How long a page of a list may be: the default and the most a `limit` may ask for. */
export interface PageSize {
  default: number;
  max: number;
}

/** Alerts, actions, silences: a few a day. */
export const RECORD_PAGE: PageSize = { default: 1000, max: 10_000 };
/** Evaluations (an SLO's: one a minute) and notifications. */
export const LOG_PAGE: PageSize = { default: 10_000, max: 100_000 };

/** The `limit` query parameter of a list: an integer from 1 to the page size's max (its default when absent); else a 400. */
export function limitParam(q: Record<string, unknown>, size: PageSize): number {
  const v = q['limit'];
  if (v === undefined) return size.default;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > size.max) throw new ApiError('bad_request', `limit must be an integer from 1 to ${size.max}`);
  return n;
}

/**
 * The item a page starts after (`name`: `before` or `after`, the previous page's `next`: an item's id), as the store's
 * cursor (its sort time and id); a 400 naming what was expected (`what`: the item's noun) when there is no such item.
 */
export async function cursorParam<T extends { id: string }>(
  q: Record<string, unknown>, name: 'before' | 'after', what: string, get: (id: string) => Promise<T | null>, at: (item: T) => number,
): Promise<PageCursor | undefined> {
  const v = q[name];
  if (v === undefined) return undefined;
  const item = typeof v === 'string' && v !== '' ? await get(v) : null;
  if (item === null) throw new ApiError('bad_request', `"${name}" must be the id of ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} (the previous page's "next"); no ${what} "${String(v).slice(0, 200)}"`);
  return { at: at(item), id: item.id };
}

/** A page: the items and the id of the last when more follow (the next page's `before`/`after`), else null. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** The page of `limit` items of a read of `limit + 1` (one more says whether more follow). */
export function pageOf<T extends { id: string }>(got: T[], limit: number): Page<T> {
  const items = got.slice(0, limit);
  return { items, next: got.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * A page of `limit` items that `keep` accepts, read from the store in batches after `start` (for a filter the store has
 * no column for, e.g. an action's state, which is in its document): a page is full unless the list is at its end.
 */
export async function filteredPage<T extends { id: string }>(
  read: (after: PageCursor | undefined, n: number) => Promise<T[]>, at: (item: T) => number, keep: (item: T) => boolean,
  limit: number, start: PageCursor | undefined,
): Promise<Page<T>> {
  const kept: T[] = [];
  const batch = Math.max(limit + 1, 500);
  let cursor = start;
  for (;;) {
    const got = await read(cursor, batch);
    for (const item of got) {
      if (keep(item)) kept.push(item);
      if (kept.length > limit) return pageOf(kept, limit);
    }
    const last = got.at(-1);
    if (got.length < batch || last === undefined) return { items: kept, next: null };
    cursor = { at: at(last), id: last.id };
  }
}
