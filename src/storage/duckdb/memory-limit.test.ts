import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuckDbSize } from './memory-limit.js';
import { DuckDbStore } from './store.js';

test('DuckDB sizes as its settings print them', () => {
  assert.equal(parseDuckDbSize('64.0 MiB'), 64 * 2 ** 20);
  assert.equal(parseDuckDbSize('18.8 GiB'), Math.round(18.8 * 2 ** 30));
  assert.equal(parseDuckDbSize('1000 bytes'), 1000);
  assert.equal(parseDuckDbSize('2.5 GB'), 2.5e9);
  for (const bad of ['', 'NULL', '12', 'MiB', '1 parsecs', '-1 MiB']) assert.ok(Number.isNaN(parseDuckDbSize(bad)), bad);
});

test('a DuckDB store opened with memoryLimitMb runs with that memory_limit; without it, DuckDB\'s default; nonsense is refused', async () => {
  const limited = await DuckDbStore.open(':memory:', { memoryLimitMb: 96 });
  assert.equal(await limited.memoryLimit(), 96 * 2 ** 20);
  await limited.close();
  const dflt = await DuckDbStore.open(':memory:');
  const bytes = await dflt.memoryLimit();
  assert.ok(bytes > 96 * 2 ** 20, String(bytes)); // 80% of this machine's memory
  await dflt.close();
  for (const bad of [0, 10, 63.5, -1, Number.NaN]) await assert.rejects(DuckDbStore.open(':memory:', { memoryLimitMb: bad }), /memoryLimitMb must be a whole number of MiB >= 64/);
});
