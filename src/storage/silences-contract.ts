import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertStore, PageCursor, SilenceQuery, SilenceRecord } from './alerts.js';

/**
 * Audit 25, part of the alert store contract (alerts-contract.ts, run against every backend): the silences muting at
 * some moment of [activeFrom, activeTo), a silence muting from startsAt until endsAt (excluded); filtered and paged.
 * `store`: the contract's store now (it is reopened by another test).
 */
export function silenceRangeContract(store: () => AlertStore, T0: number): void {
  test('audit 25: silences muting at some moment of a range: started before its end, expiring after its start; filtered and paged', async () => {
    const s = store();
    // Their own times (35 days after T0, after every other silence of the contract): the range [F, T).
    const F = T0 + 3e9;
    const T = F + 1000;
    const rows: Array<[string, number, number]> = [
      ['s-ended-before', F - 500, F - 1],
      // expired at F: it mutes until F, excluded
      ['s-ended-at-from', F - 500, F],
      ['s-ended-after-from', F - 500, F + 1],
      ['s-spanning', F - 100, T + 100],
      ['s-in', F + 10, F + 20],
      ['s-starts-before-to', T - 1, T + 50],
      // ties on the expiry: ordered by id
      ['s-tie-a', F, T + 50],
      ['s-tie-b', F, T + 50],
      ['s-starts-at-to', T, T + 50],
      ['s-after', T + 5, T + 10],
      // expired before it started (DELETE of a pending silence: startsAt = endsAt = then): it never muted
      ['s-never-muted', F + 30, F + 30],
      ['s-long', F - 1e6, T + 1e6],
    ];
    for (const [id, startsAt, endsAt] of rows) {
      const sil: SilenceRecord = { id, matchers: [{ name: 'model', value: 'ranged' }], startsAt, endsAt, createdBy: 'deploy', comment: 'daily', createdAt: startsAt };
      await s.putSilence(sil);
    }
    const ids = async (q: SilenceQuery): Promise<string[]> => (await s.listSilences(q)).map((x) => x.id).filter((id) => id.startsWith('s-'));
    const inRange = ['s-long', 's-spanning', 's-starts-before-to', 's-tie-a', 's-tie-b', 's-in', 's-ended-after-from'];
    assert.deepStrictEqual(await ids({ activeFrom: F, activeTo: T }), inRange, 'latest expiry first, then by id');
    // one bound alone
    assert.deepStrictEqual(await ids({ activeFrom: F }), ['s-long', 's-spanning', 's-starts-at-to', 's-starts-before-to', 's-tie-a', 's-tie-b', 's-after', 's-in', 's-ended-after-from']);
    assert.deepStrictEqual(await ids({ activeTo: F - 400 }), ['s-long', 's-ended-after-from', 's-ended-at-from', 's-ended-before'], 'started at F - 400 or later: out');
    assert.deepStrictEqual(await ids({ activeFrom: F + 30, activeTo: F + 31 }), ['s-long', 's-spanning', 's-tie-a', 's-tie-b'], 'the silence that never muted is in no range');
    assert.deepStrictEqual(await ids({ activeFrom: T + 1e6 }), [], 'expired at T + 1e6');
    // with endingAfter (the states without expired): both apply
    assert.deepStrictEqual(await ids({ endingAfter: F + 20, activeFrom: F, activeTo: T }), ['s-long', 's-spanning', 's-starts-before-to', 's-tie-a', 's-tie-b']);
    // pages of the filtered list: each starts after the previous page's last silence, the filter kept
    for (const n of [1, 2, 3, 7]) {
      const got: string[] = [];
      let after: PageCursor | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await s.listSilences({ activeFrom: F, activeTo: T, ...(after && { after }), limit: n });
        got.push(...page.map((x) => x.id));
        const last = page.at(-1);
        if (page.length < n || last === undefined) break;
        after = { at: last.endsAt, id: last.id };
      }
      assert.deepStrictEqual(got, inRange, `pages of ${n}`);
    }
  });
}
