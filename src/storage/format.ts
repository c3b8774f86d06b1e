import { InputError } from '../io/errors.js';
import type { StorageBackend } from './backend.js';

/**
 * The layout of stored data this release writes, kept in the store's state at every start. Raise it whenever a change
 * makes what is stored unreadable to the releases before it: a release then refuses to start on a store a later one
 * wrote, with one line saying so, instead of answering 500s for the windows it cannot decode (as releases before the
 * marker existed do on summaries written since 2026-12-03: "NumericSummary.fromBytes: unsupported form 2").
 *  - 1: stores written before the marker (no key; read as 1).
 *  - 2: numeric summaries of form 2, the summary journal under journal/<store id>/ (2026-12-03), the marker itself.
 */
export const STORE_FORMAT = 2;

const KEY = 'store.format';

interface Marker {
  format: number;
  /** The release that wrote the marker last. */
  release: string;
}

function parse(raw: string | null): Marker | null {
  if (raw === null) return null;
  try {
    const m = JSON.parse(raw) as Partial<Marker>;
    return typeof m.format === 'number' && Number.isInteger(m.format) ? { format: m.format, release: typeof m.release === 'string' ? m.release : 'unknown' } : null;
  } catch {
    return null;
  }
}

/**
 * Refuses a store written in a later format than this release's (InputError: one line, exit code 2); otherwise records
 * this release's format, so that earlier releases with the check refuse it in turn.
 */
export async function checkStoreFormat(store: Pick<StorageBackend, 'getState' | 'setState'>, release: string, where: string): Promise<void> {
  const raw = await store.getState(KEY);
  const stored = parse(raw);
  if (raw !== null && stored === null) throw new InputError(`cannot start: the store ${where} holds an unreadable format marker (${KEY} = ${raw.slice(0, 100)})`);
  if (stored !== null && stored.format > STORE_FORMAT) {
    throw new InputError(`cannot start: the store ${where} was written by Lookout ${stored.release} in store format ${stored.format}; this release (${release}) reads formats up to ${STORE_FORMAT}: run ${stored.release} or later`);
  }
  if (stored?.format !== STORE_FORMAT || stored.release !== release) await store.setState(KEY, JSON.stringify({ format: STORE_FORMAT, release }));
}
