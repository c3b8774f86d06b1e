import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDbStore } from '../storage/duckdb/store.js';
import { INTERMEDIATE_SINCE_STATE, intermediateSince } from './intermediate-since.js';

const NOW = Date.UTC(2026, 11, 1, 15, 27, 30);
const DAY = 86_400_000;

async function store(): Promise<DuckDbStore> {
  const s = await DuckDbStore.open(':memory:');
  await s.init();
  return s;
}

test('issue 3: a store without events uses intermediate windows (10 minutes, 6 hours) from the start, and keeps that', async () => {
  const s = await store();
  try {
    assert.equal(await intermediateSince(s, NOW), 0);
    assert.equal(await s.getState(INTERMEDIATE_SINCE_STATE), '0');
    await s.commit({ events: [{ id: 'e', model: 'm', version: '1', ts: NOW, segment: '', prediction: '1', score: null, scores: null, latencyMs: null, error: null, costUsd: null, features: null }] });
    assert.equal(await intermediateSince(s, NOW + DAY), 0, 'decided once');
  } finally {
    await s.close();
  }
});

test('issue 3: a store written before intermediate windows existed uses them only from the first midnight a day ahead of now (it accepted future events)', async () => {
  for (const commit of [
    { events: [{ id: 'e', model: 'm', version: '1', ts: NOW, segment: '', prediction: '1', score: null, scores: null, latencyMs: null, error: null, costUsd: null, features: null }] },
    { events: [], rejects: [{ ts: NOW, model: 'm', version: '1', code: 'schema', reason: 'r', excerpt: '{}' }] },
  ]) {
    const s = await store();
    try {
      await s.commit(commit);
      // 15:27:30 + 24 h -> the next UTC midnight, two days later.
      assert.equal(await intermediateSince(s, NOW), Date.UTC(2026, 11, 3));
      assert.equal(await intermediateSince(s, NOW + 7 * DAY), Date.UTC(2026, 11, 3), 'decided once');
    } finally {
      await s.close();
    }
  }
});

test('issue 3: a damaged intermediate-since state entry is an error naming it, not a guess', async () => {
  for (const bad of ['', 'soon', '-86400000', '600000', '1e400']) {
    const s = await store();
    try {
      await s.setState(INTERMEDIATE_SINCE_STATE, bad);
      await assert.rejects(intermediateSince(s, NOW), (e: Error) => e.message.includes(INTERMEDIATE_SINCE_STATE) && e.message.includes(JSON.stringify(bad)));
    } finally {
      await s.close();
    }
  }
});
