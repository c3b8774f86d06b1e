import { NAME_PATTERN } from '../models/declaration-schema.js';
import { ApiError } from './errors.js';

/** The most models one page of GET /v1/models (and /v1/overview) answers. */
export const MAX_MODELS_PAGE = 1000;

/** A page size as the query string carries it: 1 to MAX_MODELS_PAGE, digits only. */
const LIMIT_PATTERN = '^(?:[1-9][0-9]{0,2}|1000)$';
/** A name prefix: the characters of a model name (NAME_PATTERN), possibly none. */
const PREFIX_PATTERN = '^[A-Za-z0-9._-]{0,128}$';

export const LIMIT_MEANING: Readonly<Record<string, string>> = {
  [LIMIT_PATTERN]: `must be a whole number from 1 to ${MAX_MODELS_PAGE}`,
  [PREFIX_PATTERN]: 'must be at most 128 letters, digits, ".", "_" or "-" (the characters of a model name)',
};

/**
 * The query string of a paged model list (Fastify schema: a bad value is a 400 bad_request naming it; validation_failed
 * until audit 26). Other
 * parameters are a 400 unknown_parameter (known-query.ts; until audit 18 they were left alone).
 */
export const modelPageQuery = {
  type: 'object',
  properties: {
    limit: { type: 'string', pattern: LIMIT_PATTERN },
    after: { type: 'string', maxLength: 400 },
    prefix: { type: 'string', pattern: PREFIX_PATTERN },
  },
} as const;

/** The parameters of modelPageQuery, as the routes declare them (known-query.ts). */
export const MODEL_PAGE_QUERY: readonly string[] = Object.keys(modelPageQuery.properties);

export interface ModelPageQuery { limit?: string; after?: string; prefix?: string }

/** The `next` of a page that ends with the model `name`: opaque to clients; the name, so that pages are key-set. */
export function modelCursor(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

/** The model name an `after` cursor carries, or a 400 saying it is not one this API gave. */
function cursorName(raw: string): string {
  const name = Buffer.from(raw, 'base64url').toString('utf8');
  if (!new RegExp(NAME_PATTERN).test(name) || modelCursor(name) !== raw) {
    throw new ApiError('bad_request', 'after must be the "next" of a previous answer of this endpoint', { after: raw.slice(0, 100) });
  }
  return name;
}

/**
 * One page of `sorted` (ascending by name, as the catalog lists them): those whose name starts with `prefix`, after the
 * cursor's name (key-set: a model declared or removed meanwhile neither repeats nor skips the others), at most `limit`.
 * Without `limit`, every match at once (`next` null): the answer before paging, which callers may rely on.
 */
export function modelPage<T extends { name: string }>(sorted: readonly T[], q: ModelPageQuery): { items: T[]; next: string | null } {
  const prefix = q.prefix ?? '';
  const after = q.after === undefined ? undefined : cursorName(q.after);
  const limit = q.limit === undefined ? Infinity : Number(q.limit);
  // binary search for the first name past the cursor (and the prefix): a page of a large catalog does not scan it all
  const start = firstAtLeast(sorted, after !== undefined && after >= prefix ? after : prefix, after !== undefined && after >= prefix);
  const items: T[] = [];
  let i = start;
  for (; i < sorted.length && items.length < limit; i++) {
    const m = sorted[i] as T;
    if (!m.name.startsWith(prefix)) break;
    items.push(m);
  }
  const more = i < sorted.length && (sorted[i] as T).name.startsWith(prefix);
  const last = items.at(-1);
  return { items, next: more && last ? modelCursor(last.name) : null };
}

/** The index of the first name >= key (> key when `strict`) in ascending `sorted`. */
function firstAtLeast(sorted: readonly { name: string }[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const n = (sorted[mid] as { name: string }).name;
    if (n < key || (strict && n === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
