import type { DuckDBDataChunk } from '@duckdb/node-api';
import { DuckDBBigIntVector, DuckDBBlobVector, DuckDBVarCharVector } from '@duckdb/node-api';
import type { Granularity, SummaryKey, SummaryRecord } from '../types.js';

/**
 * Summary rows read straight from the result's vectors (columns as summariesQuery selects them: model, version, segment,
 * granularity, window_start, events[, data]). The driver's row objects copy every blob twice (its native read, then
 * `Buffer.from`), and rows.ts's `bytes` copied it a third time: for a cold 24 h drift that was ~2 MB of windows
 * allocated three times per request. Here a blob is the driver's own fresh copy (getItemBytes: a new allocation above
 * 12 bytes, a view into the vector at or below it, which is copied).
 */
export function summariesFromChunk(chunk: DuckDBDataChunk, withData: boolean, out: SummaryKey[] | SummaryRecord[]): void {
  const [model, version, segment, granularity, windowStart, events, data] = [0, 1, 2, 3, 4, 5, 6].map((i) => (i < chunk.columnCount ? chunk.getColumnVector(i) : undefined));
  if (!(model instanceof DuckDBVarCharVector && version instanceof DuckDBVarCharVector && segment instanceof DuckDBVarCharVector
    && granularity instanceof DuckDBVarCharVector && windowStart instanceof DuckDBBigIntVector && events instanceof DuckDBBigIntVector)) {
    throw new TypeError('summary rows: unexpected column types');
  }
  if (withData && !(data instanceof DuckDBBlobVector)) throw new TypeError('summary rows: the data column is not a BLOB');
  for (let i = 0; i < chunk.rowCount; i++) {
    const k: SummaryKey = {
      model: text(model.getItem(i)), version: text(version.getItem(i)), segment: text(segment.getItem(i)),
      granularity: text(granularity.getItem(i)) as Granularity, windowStart: Number(int(windowStart.getItem(i))),
    };
    const n = events.getItem(i);
    if (n !== null) k.events = Number(n);
    if (!withData) {
      (out as SummaryKey[]).push(k);
      continue;
    }
    const b = (data as DuckDBBlobVector).getItemBytes(i);
    if (b === null) throw new TypeError('summary rows: NULL data');
    (out as SummaryRecord[]).push({ ...k, data: b.byteLength <= 12 ? b.slice() : b });
  }
}

function text(v: string | null): string {
  if (v === null) throw new TypeError('summary rows: NULL key column');
  return v;
}

function int(v: bigint | null): bigint {
  if (v === null) throw new TypeError('summary rows: NULL window_start');
  return v;
}
