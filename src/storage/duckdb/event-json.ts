import type { EventRecord } from '../types.js';
import { EVENT_COLUMNS } from './schema.js';

/**
 * Events go into DuckDB as one JSON document of columns per statement (`{"id":[...],"model":[...],...}`), which
 * DuckDB parses and inserts on its own threads: on the event loop only JSON.stringify runs (under 1 µs per event).
 * The Appender this replaces did all its work on the event loop, ~6 µs per event (filling its chunk and the
 * synchronous flush), 2-3 ms per commit of the gateway's 400 recorded events, in one block that every
 * prediction arriving meanwhile waited for (measured by `npm run bench:event-writes`).
 *
 * Exactness: numbers are written by JSON.stringify (shortest round-trip form) and read back bit for bit, except
 * -0, stored as 0; NaN and ±Infinity (not valid JSON) are written as the strings DuckDB casts to them. Strings
 * with lone UTF-16 surrogates (not valid JSON for DuckDB's parser) are stored with U+FFFD in their place, which
 * is also what the Appender and PostgreSQL's driver store (UTF-8 cannot hold them); in the JSON fields (scores,
 * features) JSON.stringify escapes them, so those keep them exactly.
 */

/** Events per INSERT statement: each is one JSON document (about 150 bytes per narrow event). */
export const EVENTS_PER_STATEMENT = 1000;

interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** The string with U+FFFD for any lone surrogate (String.prototype.toWellFormed: Node >= 20, not in ES2023's types). */
function text(v: string | null): string | null {
  if (v === null) return null;
  const w = v as unknown as WellFormed;
  return w.isWellFormed() ? v : w.toWellFormed();
}

function number(v: number | null): number | string | null {
  if (v === null || Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** JSON text (JSON.stringify escapes lone surrogates, so JSON fields keep them exactly). */
function json(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

/** Epoch milliseconds, checked (DuckDB stores them as BIGINT). */
export function millis(v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`timestamp must be integer epoch milliseconds: ${v}`);
  return v;
}

/** The events columns in table order: DuckDB type and value of an event. */
const COLUMNS: ReadonlyArray<readonly [name: string, type: 'VARCHAR' | 'BIGINT' | 'DOUBLE', value: (e: EventRecord) => unknown]> = [
  ['id', 'VARCHAR', (e) => text(e.id)],
  ['model', 'VARCHAR', (e) => text(e.model)],
  ['version', 'VARCHAR', (e) => text(e.version)],
  ['ts', 'BIGINT', (e) => millis(e.ts)],
  ['segment', 'VARCHAR', (e) => text(e.segment)],
  ['prediction', 'VARCHAR', (e) => text(e.prediction)],
  ['score', 'DOUBLE', (e) => number(e.score)],
  ['scores', 'VARCHAR', (e) => json(e.scores)],
  ['latency_ms', 'DOUBLE', (e) => number(e.latencyMs)],
  ['error', 'VARCHAR', (e) => text(e.error)],
  ['cost_usd', 'DOUBLE', (e) => number(e.costUsd)],
  ['features', 'VARCHAR', (e) => json(e.features)],
];
if (COLUMNS.map(([c]) => c).join(', ') !== EVENT_COLUMNS) throw new Error('event-json.ts: COLUMNS must list EVENT_COLUMNS in order');

/** DuckDB's JSON structure of the document: every column a list of its type. */
const STRUCTURE = JSON.stringify(Object.fromEntries(COLUMNS.map(([c, type]) => [c, [type]])));

/** INSERT of one document, bound as $1; the lists are unnested side by side (row i of every column). */
export const INSERT_EVENTS_JSON = `INSERT INTO events (${EVENT_COLUMNS})
  SELECT ${COLUMNS.map(([c]) => `unnest(doc.${c})`).join(', ')}
  FROM (SELECT from_json($1::VARCHAR, '${STRUCTURE}') AS doc)`;

/** The JSON document of `events`' columns (see INSERT_EVENTS_JSON). */
export function eventColumnsJson(events: readonly EventRecord[]): string {
  return JSON.stringify(Object.fromEntries(COLUMNS.map(([c, , value]) => [c, events.map(value)])));
}
