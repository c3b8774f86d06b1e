import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PageCursor } from '../../storage/alerts.js';
import { ApiError } from '../errors.js';
import { filteredPage, limitParam, pageOf } from './page-params.js';

type Item = { id: string; at: number };
// 1,234 items newest first, three to a time (ties ordered by id descending), as the store lists actions
const items: Item[] = Array.from({ length: 1234 }, (_, i) => ({ id: `x${String(i).padStart(4, '0')}`, at: 1000 + Math.floor(i / 3) })).reverse();
const reads: number[] = [];
const read = async (c: PageCursor | undefined, n: number): Promise<Item[]> => {
  reads.push(n);
  const start = c === undefined ? 0 : items.findIndex((x) => x.at < c.at || (x.at === c.at && x.id < c.id));
  return start < 0 ? [] : items.slice(start, start + n);
};

describe('issue 4 list pages: page-params', () => {
  test('limitParam: the default when absent, digits from 1 to the max, anything else a 400 naming the range', () => {
    const size = { default: 1000, max: 10_000 };
    assert.equal(limitParam({}, size), 1000);
    assert.equal(limitParam({ limit: '1' }, size), 1);
    assert.equal(limitParam({ limit: '10000' }, size), 10_000);
    for (const bad of ['0', '10001', '-1', '1.5', '1e3', '', ' 5', 'ten', ['1', '2']]) {
      assert.throws(() => limitParam({ limit: bad }, size), (e: unknown) => e instanceof ApiError && e.code === 'bad_request' && /from 1 to 10000/.test(e.message), JSON.stringify(bad));
    }
  });

  test('pageOf: a read of limit + 1 is a full page whose next is its last id; fewer is the last page', () => {
    assert.deepStrictEqual(pageOf(items.slice(0, 4), 3), { items: items.slice(0, 3), next: items[2]?.id });
    assert.deepStrictEqual(pageOf(items.slice(0, 3), 3), { items: items.slice(0, 3), next: null });
    assert.deepStrictEqual(pageOf([], 3), { items: [], next: null });
  });

  test('filteredPage: pages of the items kept, full until the end, across store batches, each kept item once in order', async () => {
    const keep = (x: Item): boolean => Number(x.id.slice(1)) % 7 === 0; // 177 of 1,234, sparse: a page needs several batches
    const want = items.filter(keep).map((x) => x.id);
    for (const limit of [1, 10, 176, 177, 178, 5000]) {
      const got: string[] = [];
      let start: PageCursor | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages <= want.length, 'the pages end');
        const p = await filteredPage(read, (x) => x.at, keep, limit, start);
        got.push(...p.items.map((x) => x.id));
        if (p.next === null) break;
        assert.equal(p.items.length, limit, 'a page before the last is full');
        assert.equal(p.next, p.items.at(-1)?.id);
        const last = items.find((x) => x.id === p.next);
        assert.ok(last);
        start = { at: last.at, id: last.id };
      }
      assert.deepStrictEqual(got, want, `limit ${limit}`);
    }
    reads.length = 0;
    const none = await filteredPage(read, (x) => x.at, () => false, 10, undefined);
    assert.deepStrictEqual(none, { items: [], next: null });
    assert.deepStrictEqual(reads, [500, 500, 500], 'read in batches of 500 to the end');
  });
});
