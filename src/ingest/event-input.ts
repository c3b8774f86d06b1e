/** An inference event as accepted by POST /v1/events, after validation and normalisation. */
export interface ValidEvent {
  id: string;
  model: string;
  version: string;
  ts: number;
  features: Record<string, unknown>;
  /** Prediction as text (classification label) or number (regression); null only for a failed inference (`error` set). */
  prediction: string | number | null;
  score: number | null;
  scores: number[] | null;
  latencyMs: number | null;
  error: string | null;
  segment: Record<string, string>;
  costUsd: number | null;
}

export interface RowRejection {
  index: number;
  id?: string;
  code: string;
  message: string;
  details?: unknown;
}
