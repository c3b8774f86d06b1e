import { withHead } from './head.js';
import { epochMs, numberOrNull, object, ref, type Schema } from './schema.js';

/** A stored event as GET /v1/models/:name/events answers it (storage/types.ts EventRecord). */
export const StoredEvent: Schema = object({
  id: { type: 'string' },
  model: { type: 'string' },
  version: { type: 'string' },
  ts: { ...epochMs, description: 'the event\'s time' },
  segment: { type: 'string', description: 'canonical segment key ("k1=v1&k2=v2", keys sorted, values URI-encoded); "" for none' },
  prediction: { type: ['string', 'null'], description: 'as text; null for a failed inference' },
  score: numberOrNull,
  scores: { anyOf: [{ type: 'array', items: { type: 'number' } }, { type: 'null' }] },
  latencyMs: numberOrNull,
  error: { type: ['string', 'null'] },
  costUsd: numberOrNull,
  features: { type: ['object', 'null'], description: 'the raw features (the events kept by ingest.sampleRate)' },
});

/** GET /v1/models/:name/events: a page of the range's kept events, newest first. */
export const EventPage: Schema = withHead({
  events: { type: 'array', items: ref('StoredEvent') },
  next: { type: ['string', 'null'], description: 'cursor of the older ones (as before); null on the last page' },
});
