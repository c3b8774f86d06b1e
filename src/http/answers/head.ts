import { epochMs, object, type Schema } from './schema.js';

/**
 * The head of every per-model query's answer (/drift, /health, /performance, /segments, /timeseries, ...): the model
 * and version answered, the segment filter as given ('' for the whole traffic), the range the figures are of (whole
 * minutes, or hours before the minute windows' retention) and the range asked for.
 */
export const QUERY_HEAD: Record<string, Schema> = {
  model: { type: 'string' },
  version: { type: 'string', description: 'the version answered (without ?version=, the model\'s defaultVersion: its serving alias\'s, else the newest)' },
  segment: { type: 'string', description: 'the segment filter (given as key=value[,key=value]) as a stored segment key: key=value[&key=value], keys sorted, keys and values URI-encoded; "" for the whole traffic' },
  from: { ...epochMs, description: 'start of the range the figures are of (whole minutes, or hours before the minute windows\' retention)' },
  to: { ...epochMs, description: 'end (exclusive) of the range the figures are of' },
  requested: object({ from: epochMs, to: epochMs }, [], { description: 'the range asked for (from/to, default the last 24 h)' }),
};

/** An answer: the query head and the endpoint's own fields. */
export function withHead(properties: Record<string, Schema>, optional: readonly string[] = [], description?: string): Schema {
  return object({ ...QUERY_HEAD, ...properties }, optional, description === undefined ? {} : { description });
}
