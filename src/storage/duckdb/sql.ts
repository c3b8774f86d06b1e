import type { EventQuery, SummaryQuery, WindowValueQuery } from '../types.js';

/**
 * Read queries shared by the SQL backends (DuckDB and PostgreSQL both take $n parameters).
 * `t` maps a fixed table name to its (possibly schema-qualified) identifier; values are always parameters.
 */
/** A table's name; summaries by granularity (the DuckDB store keeps one table per granularity). */
export type TableName = (table: 'events' | 'labels' | 'rejects' | 'summaries' | 'window_values', granularity?: string) => string;

export interface Sql {
  text: string;
  params: (string | number)[];
}

const EVENT_SELECT = 'e.id, e.model, e.version, e.ts, e.segment, e.prediction, e.score, e.scores, '
  + 'e.latency_ms, e.error, e.cost_usd, e.features';

function eventFilter(q: EventQuery, params: (string | number)[]): string {
  params.push(q.model, q.from, q.to);
  let where = 'e.model = $1 AND e.ts >= $2 AND e.ts < $3';
  if (q.version !== undefined) {
    params.push(q.version);
    where += ` AND e.version = $${params.length}`;
  }
  if (q.sampledOnly === true) where += ' AND e.features IS NOT NULL';
  if (q.segment !== undefined && q.segment !== '') {
    // Each "k=v" part of the wanted key among the event's "k=v&k2=v2" parts (as segmentMatches).
    for (const part of q.segment.split('&')) {
      params.push(`&${part}&`);
      where += ` AND strpos('&' || e.segment || '&', $${params.length}) > 0`;
    }
  }
  return where;
}

function limitClause(q: EventQuery, params: (string | number)[]): string {
  if (q.limit === undefined) return '';
  if (!Number.isSafeInteger(q.limit) || q.limit < 0) throw new RangeError(`invalid limit: ${q.limit}`);
  params.push(q.limit);
  return ` LIMIT $${params.length}`;
}

export function eventsQuery(q: EventQuery, t: TableName): Sql {
  const params: (string | number)[] = [];
  let where = eventFilter(q, params);
  if (q.before !== undefined) {
    params.push(q.before.ts, q.before.id);
    const [ts, id] = [params.length - 1, params.length];
    where += ` AND (e.ts < $${ts} OR (e.ts = $${ts} AND e.id < $${id}))`;
  }
  const order = q.newestFirst === true ? 'e.ts DESC, e.id DESC' : 'e.ts, e.id';
  const text = `SELECT ${EVENT_SELECT} FROM ${t('events')} e WHERE ${where} ORDER BY ${order}` + limitClause(q, params);
  return { text, params };
}

/**
 * The sample threshold of a rate (EventQuery.sampleRate): an event is in the sample when the first 8 hex digits of
 * the MD5 of its id (lower case, as DuckDB's and PostgreSQL's md5() write them) sort below it. Null: no sampling.
 */
export function sampleThreshold(rate: number | undefined): string | null {
  if (rate === undefined || rate >= 1) return null;
  if (!(rate > 0)) throw new RangeError(`invalid sample rate: ${rate}`);
  return Math.min(0xffffffff, Math.floor(rate * 2 ** 32)).toString(16).padStart(8, '0');
}

/**
 * Labelled events of a range: the events joined to their labels, with the label filter of the range. Events without a
 * prediction (failed inferences) are left out: no realized metric can count them.
 */
function labelledFrom(q: EventQuery, t: TableName, params: (string | number)[]): string {
  let where = eventFilter(q, params);
  const threshold = sampleThreshold(q.sampleRate);
  if (threshold !== null) {
    params.push(threshold);
    // COLLATE "C": byte order on PostgreSQL whatever the database's collation (DuckDB's default already).
    where += ` AND (substr(md5(e.id), 1, 8) COLLATE "C") < $${params.length}`;
  }
  // Labels by their prediction's time too (null: not known, by id alone): the join then builds on the range's
  // labels instead of every label stored (docs/performance.md, "Labels").
  return `FROM ${t('events')} e JOIN ${t('labels')} l ON l.id = e.id WHERE ${where} AND e.prediction IS NOT NULL AND (l.ts IS NULL OR (l.ts >= $2 AND l.ts < $3))`;
}

export function labelledQuery(q: EventQuery, t: TableName): Sql {
  const params: (string | number)[] = [];
  const from = labelledFrom(q, t, params);
  return { text: `SELECT ${EVENT_SELECT}, l.label, l.received_at ${from} ORDER BY e.ts, e.id` + limitClause(q, params), params };
}

/**
 * The columns of labelledQuery(q) that labelledOutcomes returns: ts, segment, prediction, score, label, received_at, scores
 * (`doubles`: the times as DOUBLE, which DuckDB's driver reads into numbers without a BIGINT conversion).
 */
export function labelledOutcomesQuery(q: EventQuery, t: TableName, doubles = false): Sql {
  const params: (string | number)[] = [];
  const from = labelledFrom(q, t, params);
  const time = (c: string): string => (doubles ? `${c}::DOUBLE AS ${c.slice(2)}` : c);
  const text = `SELECT ${time('e.ts')}, e.segment, e.prediction, e.score, l.label, ${time('l.received_at')}, e.scores ${from} ORDER BY e.ts, e.id`;
  return { text: text + limitClause(q, params), params };
}

/** How many rows labelledQuery(q) returns without its limit. */
export function labelledCountQuery(q: EventQuery, t: TableName): Sql {
  const params: (string | number)[] = [];
  return { text: `SELECT count(*) AS n ${labelledFrom(q, t, params)}`, params };
}

/**
 * Most ids per lookup statement. DuckDB answers `id IN ($1, ..., $n)` from the events' primary-key index while
 * fewer than max(index_scan_max_count = 2048, 0.1% of the rows) match; a list it cannot see at planning time
 * (`IN (SELECT unnest($1))`, `= ANY($1)`) is a hash join over the whole table instead, which grows with the table:
 * 1,000 ids in a store of 2 million events took 70 ms that way against 43 ms through the index (`npm run bench:labels`).
 */
export const IDS_PER_LOOKUP = 1000;

/** Statements that read the events with these ids (distinct, IDS_PER_LOOKUP per statement) through the id index. */
export function eventsByIdQueries(ids: readonly string[], t: TableName): Sql[] {
  return byIdQueries(ids, `SELECT ${EVENT_SELECT} FROM ${t('events')} e`);
}

/** The ids of stored rejects among these (RejectRecord.id), in chunks as eventsByIdQueries. */
export function rejectIdsQueries(ids: readonly string[], t: TableName): Sql[] {
  return byIdQueries(ids, `SELECT e.id FROM ${t('rejects')} e`);
}

function byIdQueries(ids: readonly string[], select: string): Sql[] {
  const distinct = [...new Set(ids)];
  const out: Sql[] = [];
  for (let i = 0; i < distinct.length; i += IDS_PER_LOOKUP) {
    const params = distinct.slice(i, i + IDS_PER_LOOKUP);
    out.push({ text: `${select} WHERE e.id IN (${params.map((_, j) => `$${j + 1}`).join(', ')})`, params });
  }
  return out;
}

/** The WHERE clause of a window query (model, granularity, [from, to) on window_start, optional version and segment). */
function windowFilter(q: SummaryQuery, params: (string | number)[]): string {
  params.push(q.model, q.granularity, q.from, q.to);
  const at = params.length;
  let where = `model = $${at - 3} AND granularity = $${at - 2} AND window_start >= $${at - 1} AND window_start < $${at}`;
  if (q.version !== undefined) {
    params.push(q.version);
    where += ` AND version = $${params.length}`;
  }
  if (q.segment !== undefined) {
    params.push(q.segment);
    where += ` AND segment = $${params.length}`;
  }
  return where;
}

/**
 * A summaries read. `keys` (DuckDB): the `k` values of every window the range could hold (window-row-key.ts), so that
 * DuckDB fetches those rows through the index on `k` instead of scanning. They are the whole filter: a key names the
 * model, version, segment and window start, the table the granularity, and DuckDB (1.5) scans instead as soon as another
 * condition joins the IN list (tested). `splitHeads` (DuckDB, scans only, for that reason): a head-only read as two
 * branches, heads where stored and the data where not, instead of `coalesce(head, data)`, which makes DuckDB read the
 * large data column of every row it scans (a 30-day series of hour heads: 7.5 instead of 22 ms in bench:query's store).
 */
export function summariesQuery(q: SummaryQuery, t: TableName, keysOnly = false, keys: readonly string[] | null = null, splitHeads = false): Sql {
  const params: (string | number)[] = [];
  let where: string;
  if (keys === null) where = windowFilter(q, params);
  else {
    params.push(...keys);
    where = keys.length === 0 ? 'FALSE' : `k IN (${keys.map((_, i) => `$${i + 1}`).join(', ')})`;
  }
  const cols = 'model, version, segment, granularity, window_start, events';
  const table = t('summaries', q.granularity);
  const order = ' ORDER BY window_start, version, segment';
  if (keysOnly) return { text: `SELECT ${cols} FROM ${table} WHERE ${where}${order}`, params };
  if (q.headOnly !== true) return { text: `SELECT ${cols}, data FROM ${table} WHERE ${where}${order}`, params };
  if (!splitHeads) return { text: `SELECT ${cols}, coalesce(head, data) AS data FROM ${table} WHERE ${where}${order}`, params };
  return {
    text: `SELECT ${cols}, head AS data FROM ${table} WHERE ${where} AND head IS NOT NULL `
      + `UNION ALL SELECT ${cols}, data FROM ${table} WHERE ${where} AND head IS NULL${order}`,
    params,
  };
}

export function countQuery(table: string, model: string | undefined): Sql {
  return model === undefined
    ? { text: `SELECT count(*) AS n FROM ${table}`, params: [] }
    : { text: `SELECT count(*) AS n FROM ${table} WHERE model = $1`, params: [model] };
}

/**
 * The stored values of `q.metrics` per window (see window-value-sets.ts): one row per window, with columns p0, v0,
 * p1, v1, ... (is the metric stored, its value). `metric(param, i)` gives those two columns for the metric bound to
 * the placeholder `param` (each backend's map or JSON functions).
 */
export function windowValuesQuery(q: WindowValueQuery, t: TableName, metric: (param: string, i: number) => string): Sql {
  const params: (string | number)[] = [];
  let where = windowFilter(q, params);
  params.push(q.basis);
  where += ` AND basis = $${params.length}`;
  const cols = q.metrics.map((m, i) => {
    params.push(m);
    return `, ${metric(`$${params.length}`, i)}`;
  });
  if (cols.length === 0) where += ' AND FALSE';
  // Model, granularity and basis are the query's; version and segment too when it names them (fewer values to convert).
  const keys = `${q.version === undefined ? 'version, ' : ''}${q.segment === undefined ? 'segment, ' : ''}window_start, events`;
  const text = `SELECT ${keys}${cols.join('')} FROM ${t('window_values')} WHERE ${where} ORDER BY window_start, version, segment`;
  return { text, params };
}
