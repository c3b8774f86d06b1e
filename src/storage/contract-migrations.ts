import assert from 'node:assert/strict';
import type { StorageBackend } from './backend.js';

/* Checks of a store upgraded from an older release's tables (run by each backend's own tests, re-exported by contract.ts). */

/** Old-release rows for checkLabelTimesAfterMigration: events e1 (ts 1001) and e2 (1002), labels for e1, e2 and ghost (no event). */
export const OLD_LABEL_ROWS = {
  events: `(id, model, version, ts, segment, prediction) VALUES ('e1', 'm', '1', 1001, '', 'a'), ('e2', 'm', '1', 1002, '', 'b')`,
  labels: `(id, model, label, received_at) VALUES ('e1', 'm', 'a', 5000), ('e2', 'm', 'b', 5001), ('ghost', 'm', 'c', 5002)`,
};

/**
 * A store whose labels were written (OLD_LABEL_ROWS) before labels kept their prediction's time: init() gives them
 * their events' times, once (a label without a stored event keeps null); reads are what they were. `labelTimes`
 * reads (id, ts) of the stored labels, ordered by id, from the backend's own table.
 */
export async function checkLabelTimesAfterMigration(store: StorageBackend, labelTimes: () => Promise<Array<[string, number | null]>>): Promise<void> {
  await store.init();
  await store.init(); // idempotent
  assert.deepStrictEqual(await labelTimes(), [['e1', 1001], ['e2', 1002], ['ghost', null]]);
  assert.deepStrictEqual((await store.labelledEvents({ model: 'm', from: 1000, to: 1100 })).map((x) => [x.event.id, x.label]), [['e1', 'a'], ['e2', 'b']]);
  assert.deepStrictEqual((await store.labelledEvents({ model: 'm', from: 1002, to: 1100 })).map((x) => x.event.id), ['e2']);
  // A label sent again without a time keeps the known one; with one, it takes it.
  await store.putLabels([{ id: 'e1', model: 'm', label: 'd', receivedAt: 6000, ts: null }, { id: 'ghost', model: 'm', label: 'c', receivedAt: 6001, ts: 1003 }]);
  assert.deepStrictEqual(await labelTimes(), [['e1', 1001], ['e2', 1002], ['ghost', 1003]]);
  assert.deepStrictEqual((await store.labelledEvents({ model: 'm', from: 1000, to: 1100 })).map((x) => [x.event.id, x.label]), [['e1', 'd'], ['e2', 'b']]);
}
