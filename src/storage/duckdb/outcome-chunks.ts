import type { DuckDBDataChunk } from '@duckdb/node-api';
import { DuckDBDoubleVector, DuckDBVarCharVector } from '@duckdb/node-api';
import type { LabelledOutcome } from '../types.js';

/**
 * Labelled outcomes read straight from the result's vectors (columns as labelledOutcomesQuery selects them with
 * `doubles`: ts, segment, prediction, score, label, received_at, scores). The driver's column objects (getColumnsObjectJS)
 * convert every value through its generic converter and were most of a performance read: 600,000 labelled events of
 * all thirteen columns took ~3.7 s here, these six ~1.3 s (`npm run bench:labels`).
 */
export function outcomesFromChunk(chunk: DuckDBDataChunk, out: LabelledOutcome[]): void {
  const [ts, segment, prediction, score, label, received, scores] = [0, 1, 2, 3, 4, 5, 6].map((i) => chunk.getColumnVector(i));
  if (!(ts instanceof DuckDBDoubleVector && segment instanceof DuckDBVarCharVector && prediction instanceof DuckDBVarCharVector
    && score instanceof DuckDBDoubleVector && label instanceof DuckDBVarCharVector && received instanceof DuckDBDoubleVector
    && scores instanceof DuckDBVarCharVector)) {
    throw new TypeError('labelled outcomes: unexpected column types');
  }
  for (let i = 0; i < chunk.rowCount; i++) {
    const s = scores.getItem(i); // per-class scores (multiclass), a JSON array; null for most events
    out.push({
      event: { ts: notNull(ts.getItem(i)), segment: notNull(segment.getItem(i)), prediction: prediction.getItem(i), score: score.getItem(i), scores: s === null ? null : (JSON.parse(s) as number[]) },
      label: notNull(label.getItem(i)),
      receivedAt: notNull(received.getItem(i)),
    });
  }
}

function notNull<T>(v: T | null): T {
  if (v === null) throw new TypeError('labelled outcomes: NULL in a NOT NULL column');
  return v;
}
