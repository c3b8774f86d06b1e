import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ActionRecord, AlertRecord, AlertStore, EvaluationRecord, NotificationRecord, PageCursor, SilenceRecord, StoredMonitor } from './alerts.js';
import type { StorageBackend } from './backend.js';
import { silenceRangeContract } from './silences-contract.js';

const T0 = 1_700_000_000_000;

function alert(id: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id, fingerprint: `fp-${id}`, monitorId: 'm1', model: 'churn', version: '1', severity: 'page', state: 'open', falsePositive: false,
    labels: { model: 'churn', metric: 'drift:x', 'ü': '€' }, startsAt: T0, endsAt: null, updatedAt: T0, silenced: false, inhibited: false,
    context: { metric: 'drift:x', observed: 0.31, baseline: null, threshold: 0.25, segments: [{ segment: 'region=eu', value: 0.4 }] }, ...over,
  };
}

/** The shared contract of AlertStore, run against every backend (DuckDB file, PostgreSQL). */
export function alertStoreContract(name: string, open: () => Promise<StorageBackend>, cleanup?: () => Promise<void>): void {
  describe(`issue 4: alert store contract: ${name}`, () => {
    let backend: StorageBackend;
    let s: AlertStore;
    before(async () => {
      backend = await open();
      await backend.init();
      s = backend.alertStore();
    });
    after(async () => {
      await backend?.close();
      await cleanup?.();
    });

    test('monitors: put, get, list by model and type, replace, delete', async () => {
      const a: StoredMonitor = { id: 'mon-a', model: 'churn', type: 'monitor', definition: { metric: 'accuracy', levels: [{ severity: 'page', threshold: 0.05 }] }, createdAt: T0, updatedAt: T0 };
      const b: StoredMonitor = { id: 'slo-b', model: 'eta', type: 'slo', definition: { objective: 0.999 }, createdAt: T0, updatedAt: T0 };
      await s.putMonitor(a);
      await s.putMonitor(b);
      assert.deepStrictEqual(await s.getMonitor('mon-a'), a);
      assert.equal(await s.getMonitor('nope'), null);
      assert.deepStrictEqual(await s.listMonitors({ model: 'churn' }), [a]);
      assert.deepStrictEqual(await s.listMonitors({ type: 'slo' }), [b]);
      const a2 = { ...a, definition: { metric: 'f1' }, updatedAt: T0 + 1 };
      await s.putMonitor(a2);
      assert.deepStrictEqual(await s.listMonitors(), [a2, b]);
      assert.equal(await s.deleteMonitor('slo-b'), true);
      assert.equal(await s.deleteMonitor('slo-b'), false);
      assert.deepStrictEqual(await s.listMonitors(), [a2]);
    });

    test('evaluations: bulk append (replace by key), range query, latest per monitor', async () => {
      const evs: EvaluationRecord[] = [];
      for (let i = 0; i < 1200; i++) evs.push({ monitorId: `m${i % 3}`, at: T0 + Math.floor(i / 3) * 60_000, status: 'ok', value: i / 7, baseline: null, threshold: 0.5, samples: i, detail: { method: 'psi' } });
      await s.appendEvaluations(evs);
      await s.appendEvaluations([{ monitorId: 'm0', at: T0, status: 'page', value: 1e-300, baseline: -0, threshold: null, samples: 1, change: null }]);
      const m0 = await s.listEvaluations('m0', T0, T0 + 3 * 60_000);
      assert.equal(m0.length, 3);
      assert.equal(m0[0]?.status, 'page');
      assert.equal(m0[0]?.value, 1e-300);
      assert.deepStrictEqual(m0[1], evs[3]);
      const latest = await s.latestEvaluations();
      assert.deepStrictEqual(latest.map((e) => [e.monitorId, e.at]), [['m0', T0 + 399 * 60_000], ['m1', T0 + 399 * 60_000], ['m2', T0 + 399 * 60_000]]);
    });

    test('alerts: put, update state, filter by state/model/monitor/fingerprint/time, newest first', async () => {
      await s.putAlert(alert('a1'));
      await s.putAlert(alert('a2', { model: 'eta', monitorId: 'm2', startsAt: T0 + 10 }));
      await s.putAlert(alert('a3', { startsAt: T0 + 20, state: 'resolved', endsAt: T0 + 30 }));
      const a1 = { ...alert('a1'), state: 'acknowledged' as const, acknowledgedBy: 'ann', updatedAt: T0 + 5 };
      await s.putAlert(a1);
      assert.deepStrictEqual(await s.getAlert('a1'), a1);
      assert.deepStrictEqual((await s.getAlerts(['a3', 'nope', 'a1', 'a3'])).sort((x, y) => (x.id < y.id ? -1 : 1)), [a1, await s.getAlert('a3')]);
      assert.deepStrictEqual(await s.getAlerts([]), []);
      assert.deepStrictEqual((await s.listAlerts()).map((a) => a.id), ['a3', 'a2', 'a1']);
      assert.deepStrictEqual((await s.listAlerts({ state: 'open' })).map((a) => a.id), ['a2']);
      assert.deepStrictEqual((await s.listAlerts({ model: 'churn' })).map((a) => a.id), ['a3', 'a1']);
      assert.deepStrictEqual((await s.listAlerts({ monitorId: 'm2' })).map((a) => a.id), ['a2']);
      assert.deepStrictEqual((await s.listAlerts({ fingerprint: 'fp-a3' })).map((a) => a.id), ['a3']);
      assert.deepStrictEqual((await s.listAlerts({ fingerprint: 'fp-a3', unresolved: true })).map((a) => a.id), [], 'a3 is resolved');
      assert.deepStrictEqual((await s.listAlerts({ unresolved: true })).map((a) => a.id), ['a2', 'a1'], 'open and acknowledged');
      assert.deepStrictEqual((await s.listAlerts({ fingerprint: 'fp-a1', unresolved: true })).map((a) => a.id), ['a1']);
      assert.deepStrictEqual((await s.listAlerts({ from: T0 + 10, to: T0 + 20 })).map((a) => a.id), ['a2']);
      assert.deepStrictEqual((await s.listAlerts({ limit: 1 })).map((a) => a.id), ['a3']);
    });

    test('silences, notifications and actions round-trip', async () => {
      const sil: SilenceRecord = { id: 's1', matchers: [{ name: 'model', value: 'ch.*', isRegex: true }], startsAt: T0, endsAt: T0 + 3_600_000, createdBy: 'bob', comment: "it's known", createdAt: T0 };
      await s.putSilence(sil);
      await s.putSilence({ ...sil, id: 's2', endsAt: T0 + 10 });
      assert.deepStrictEqual(await s.getSilence('s1'), sil);
      assert.deepStrictEqual((await s.listSilences()).map((x) => x.id), ['s1', 's2']);
      assert.deepStrictEqual((await s.listSilences({ endingAfter: T0 + 9 })).map((x) => x.id), ['s1', 's2']);
      assert.deepStrictEqual((await s.listSilences({ endingAfter: T0 + 10 })).map((x) => x.id), ['s1'], 's2 expires at T0 + 10');
      assert.deepStrictEqual((await s.listSilences({ endingAfter: T0 + 3_600_000 })).map((x) => x.id), []);
      await s.putSilence({ ...sil, endsAt: T0 + 1 });
      assert.equal((await s.getSilence('s1'))?.endsAt, T0 + 1);

      const n: NotificationRecord = { id: 'n1', at: T0 + 5, notifier: 'hook', groupKey: 'model=churn', alertIds: ['a1'], firing: 1, resolved: 0, status: 'sent', attempts: 1 };
      await s.appendNotifications([n]);
      await s.appendNotifications([{ ...n, id: 'n0', at: T0, groupKey: 'model=eta', status: 'failed', error: 'HTTP 500' }]);
      assert.deepStrictEqual((await s.listNotifications()).map((x) => x.id), ['n0', 'n1']);
      assert.deepStrictEqual(await s.listNotifications({ groupKey: 'model=churn' }), [n]);
      assert.deepStrictEqual((await s.listNotifications({ from: T0 + 1 })).map((x) => x.id), ['n1']);
      // several at once, in one transaction; an id twice in a batch: the last one stays (one statement cannot upsert a row twice)
      await s.appendNotifications([{ ...n, id: 'n2', at: T0 + 6 }, { ...n, id: 'n3', at: T0 + 7 }, { ...n, id: 'n2', at: T0 + 8, status: 'failed', error: 'HTTP 502' }]);
      assert.deepStrictEqual((await s.listNotifications({ from: T0 + 1 })).map((x) => [x.id, x.at]), [['n1', T0 + 5], ['n3', T0 + 7], ['n2', T0 + 8]]);
      assert.equal((await s.getNotification('n2'))?.error, 'HTTP 502');
      await s.appendNotifications([]);

      const act: ActionRecord = { id: 'x1', at: T0, kind: 'retrain', model: 'churn', alertId: 'a1', state: 'pending_approval', detail: { reason: 'drift' }, updatedAt: T0 };
      await s.putAction(act);
      await s.putAction({ ...act, id: 'x2', at: T0 + 1, kind: 'rollback', alertId: null, state: 'done' });
      assert.deepStrictEqual(await s.getAction('x1'), act);
      assert.deepStrictEqual((await s.listActions({ model: 'churn' })).map((x) => x.id), ['x2', 'x1']);
      assert.deepStrictEqual((await s.listActions({ kind: 'retrain' })).map((x) => x.id), ['x1']);
    });

    test('issue 4 list pages: keyset pages of alerts, silences, notifications and actions walk each list once, ties on the time ordered by id', async () => {
      // Their own model and times (11 days after T0) so as not to change what the other tests count.
      const T1 = T0 + 1e9;
      // ties on the time; ids whose byte order differs from a locale's ('B' < 'a' < 'b')
      const keys: Array<[string, number]> = [['pa', T1], ['pB', T1], ['pb', T1], ['pc', T1 + 1], ['pA', T1 + 1], ['pd', T1 + 2], ['pe', T1 + 3]];
      const bytes = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
      const desc = [...keys].sort((x, y) => y[1] - x[1] || bytes(y[0], x[0])).map(([id]) => id);
      const asc = [...keys].sort((x, y) => x[1] - y[1] || bytes(x[0], y[0])).map(([id]) => id);
      // the silences: latest expiry first, then by id
      const byExpiry = [...keys].sort((x, y) => y[1] - x[1] || bytes(x[0], y[0])).map(([id]) => id);
      for (const [id, at] of keys) {
        await s.putAlert(alert(id, { model: 'paged', startsAt: at }));
        await s.putSilence({ id, matchers: [{ name: 'model', value: 'paged' }], startsAt: T1, endsAt: at + 3_600_000, createdBy: 'p', comment: 'c', createdAt: T1 });
        await s.appendNotifications([{ id, at, notifier: 'hook', groupKey: 'model=paged', alertIds: [id], firing: 1, resolved: 0, status: 'sent', attempts: 1 }]);
        await s.putAction({ id, at, kind: 'retrain', model: 'paged', alertId: id, state: 'done', detail: {}, updatedAt: at });
      }
      // each page starts after the previous page's last item: its time and id
      async function walk<T extends { id: string }>(read: (c: PageCursor | undefined, n: number) => Promise<T[]>, at: (x: T) => number, n: number): Promise<string[]> {
        const ids: string[] = [];
        let c: PageCursor | undefined;
        for (let i = 0; i < 20; i++) {
          const got = await read(c, n);
          ids.push(...got.map((x) => x.id));
          const last = got.at(-1);
          if (got.length < n || last === undefined) return ids;
          c = { at: at(last), id: last.id };
        }
        throw new Error('the pages did not end');
      }
      for (const n of [1, 2, 3, 7]) {
        assert.deepStrictEqual(await walk((before, limit) => s.listAlerts({ model: 'paged', ...(before && { before }), limit }), (a) => a.startsAt, n), desc, `alerts, pages of ${n}`);
        assert.deepStrictEqual(await walk((after, limit) => s.listSilences({ endingAfter: T1 + 3_600_000, ...(after && { after }), limit }), (x) => x.endsAt, n), byExpiry.filter((id) => id !== 'pa' && id !== 'pB' && id !== 'pb'), `silences, pages of ${n}`);
        assert.deepStrictEqual(await walk((after, limit) => s.listNotifications({ groupKey: 'model=paged', ...(after && { after }), limit }), (x) => x.at, n), asc, `notifications, pages of ${n}`);
        assert.deepStrictEqual(await walk((before, limit) => s.listActions({ model: 'paged', ...(before && { before }), limit }), (x) => x.at, n), desc, `actions, pages of ${n}`);
      }
      assert.deepStrictEqual((await s.listSilences({ after: { at: T1 + 3_600_001, id: 'pc' } })).map((x) => x.id).filter((id) => keys.some(([k]) => k === id)), byExpiry.slice(byExpiry.indexOf('pc') + 1));
      assert.deepStrictEqual((await s.listAlerts({ model: 'paged', from: T1 + 1, before: { at: T1 + 2, id: 'pd' } })).map((a) => a.id), ['pc', 'pA']);
      assert.equal((await s.getNotification('pc'))?.at, T1 + 1);
      assert.equal(await s.getNotification('nope'), null);
      assert.deepStrictEqual((await s.listEvaluations('m0', T0, T0 + 1e12, 2)).map((e) => e.at), [T0, T0 + 60_000]);
    });

    test('data survive close and reopen', async () => {
      await backend.close();
      backend = await open();
      await backend.init();
      s = backend.alertStore();
      assert.equal((await s.getAlert('a1'))?.acknowledgedBy, 'ann');
      assert.equal((await s.listEvaluations('m1', T0, T0 + 1e12)).length, 400);
    });

    test('evaluations: pruned before a time (retention.evaluationsDays), newer ones and each monitor\'s newest kept, the count returned', async () => {
      // The 1,200 above: 3 monitors x 400 minutes from T0. Before T0 + 100 minutes: 300 of them.
      assert.equal(await s.pruneEvaluations(T0 + 100 * 60_000), 300);
      assert.equal(await s.pruneEvaluations(T0 + 100 * 60_000), 0);
      assert.equal(await s.pruneEvaluations(T0 - 1), 0);
      assert.deepStrictEqual((await s.listEvaluations('m0', 0, T0 + 102 * 60_000)).map((e) => e.at), [T0 + 100 * 60_000, T0 + 101 * 60_000]);
      assert.equal((await s.listEvaluations('m1', 0, Number.MAX_SAFE_INTEGER)).length, 300);
      // A monitor whose newest evaluation is older than the cutoff (stopped long ago) keeps that one only.
      await s.appendEvaluations([0, 1, 2].map((i) => ({ monitorId: 'old', at: T0 + i * 60_000, status: 'ok', value: i, baseline: null, threshold: null, samples: 1 })));
      assert.equal(await s.pruneEvaluations(T0 + 1000 * 60_000), 2 + 3 * 299);
      assert.deepStrictEqual((await s.latestEvaluations()).map((e) => [e.monitorId, e.at]), [['m0', T0 + 399 * 60_000], ['m1', T0 + 399 * 60_000], ['m2', T0 + 399 * 60_000], ['old', T0 + 2 * 60_000]]);
      assert.deepStrictEqual((await s.listEvaluations('old', 0, Number.MAX_SAFE_INTEGER)).map((e) => e.value), [2]);
    });

    test('alert history: pruned before a time per kind (retention.alertsDays), active alerts and actions not over kept, the counts returned', async () => {
      // Its own times, 100 days before T0 (the other tests' records are from T0 on: they are after every time below).
      const TH = T0 - 100 * 86_400_000;
      const cut = TH + 1000;
      // 1,002 resolved alerts of one start (more than a page of 1,000 read; ties on the start): the even ones ended
      // before the time (go), the odd ones at it (stay, though they started before it).
      for (let i = 0; i < 1002; i++) {
        const id = `h${String(i).padStart(4, '0')}`;
        await s.putAlert(alert(id, { startsAt: TH, state: 'resolved', endsAt: i % 2 === 0 ? cut - 1 : cut, updatedAt: TH }));
      }
      await s.putAlert(alert('h-late', { startsAt: cut, state: 'resolved', endsAt: cut + 1 }));
      await s.putAlert(alert('h-open', { startsAt: TH - 1, updatedAt: TH - 1 }));
      await s.putAlert(alert('h-ack', { startsAt: TH - 1, updatedAt: TH - 1, state: 'acknowledged' }));
      for (let i = 0; i < 10; i++) await s.appendNotifications([{ id: `hn${i}`, at: TH + i, notifier: 'hook', groupKey: 'g', alertIds: ['h-ack'], firing: 1, resolved: 0, status: 'sent', attempts: 1 }]);
      const states = ['pending_approval', 'queued', 'running', 'done', 'failed', 'rejected', 'skipped'] as const;
      for (const state of states) await s.putAction({ id: `hx-${state}`, at: TH, kind: 'retrain', model: 'churn', alertId: null, state, detail: {}, updatedAt: TH });
      await s.putAction({ id: 'hx-recent', at: cut, kind: 'retrain', model: 'churn', alertId: null, state: 'done', detail: {}, updatedAt: cut });
      const mine = { to: cut + 2 };

      // notifications before TH + 5 only (a restart still reads those after: the caller's bound), the rest before cut
      assert.deepStrictEqual(await s.pruneAlertHistory({ alerts: cut, notifications: TH + 5, actions: cut }), { alerts: 501, notifications: 5, actions: 4 });
      assert.deepStrictEqual(await s.pruneAlertHistory({ alerts: cut, notifications: TH + 5, actions: cut }), { alerts: 0, notifications: 0, actions: 0 });
      const kept = (await s.listAlerts(mine)).map((a) => a.id);
      assert.equal(kept.length, 501 + 3);
      assert.ok(kept.every((id) => !/^h\d+$/.test(id) || Number(id.slice(1)) % 2 === 1), 'the resolved alerts ended at or after the time stay');
      assert.deepStrictEqual(kept.filter((id) => id.startsWith('h-')).sort(), ['h-ack', 'h-late', 'h-open'], 'open and acknowledged alerts stay, however old');
      assert.deepStrictEqual((await s.listNotifications(mine)).map((n) => n.id), ['hn5', 'hn6', 'hn7', 'hn8', 'hn9']);
      assert.deepStrictEqual((await s.listActions()).map((a) => a.id).filter((id) => id.startsWith('hx-')).sort(), ['hx-pending_approval', 'hx-queued', 'hx-recent', 'hx-running']);
      // each kind by its own time: a later notification time deletes notifications only
      assert.deepStrictEqual(await s.pruneAlertHistory({ alerts: TH, notifications: TH + 7, actions: TH }), { alerts: 0, notifications: 2, actions: 0 });
      assert.deepStrictEqual(await s.pruneAlertHistory({ alerts: cut + 2, notifications: 0, actions: cut + 1 }), { alerts: 501 + 1, notifications: 0, actions: 1 });
      assert.deepStrictEqual((await s.listAlerts(mine)).map((a) => a.id).sort(), ['h-ack', 'h-open']);
      assert.equal((await s.getAlert('a3'))?.state, 'resolved', 'an alert that ended after the time stays');
    });

    test('audit 24: alerts active at some moment of a range: started before its end, and open, acknowledged or ended at or after its start; filtered and paged', async () => {
      // Their own models and times (23 days after T0): the range [F, T).
      const F = T0 + 2e9;
      const T = F + 1000;
      const ended = (startsAt: number, endsAt: number | null, over: Partial<AlertRecord> = {}): Partial<AlertRecord> => ({ model: 'active', startsAt, state: 'resolved', endsAt, updatedAt: endsAt ?? startsAt, ...over });
      const rows: Array<[string, Partial<AlertRecord>]> = [
        ['v-ended-before', ended(F - 500, F - 1)],
        ['v-ended-at-from', ended(F - 500, F)],
        ['v-ended-in', ended(F - 500, F + 10)],
        ['v-spanning', ended(F - 100, T + 100)],
        // a false positive is resolved with its end (marked on an open alert: now; on a resolved one: its end kept)
        ['v-fp-in', ended(F - 400, F + 20, { falsePositive: true })],
        ['v-fp-before', ended(F - 400, F - 5, { falsePositive: true })],
        // resolved without an end (older records): updatedAt is its end, as retention reads it
        ['v-no-end-in', ended(F - 300, null, { updatedAt: F + 1 })],
        ['v-no-end-before', ended(F - 300, null, { updatedAt: F - 1 })],
        ['v-open-old', { model: 'active', startsAt: F - 1e6 }],
        ['v-ack-old', { model: 'active', startsAt: F - 900, state: 'acknowledged', acknowledgedBy: 'ann' }],
        ['v-instant-at-from', ended(F, F)],
        ['v-open-in', { model: 'active', startsAt: F + 100 }],
        ['v-resolved-in', ended(F + 200, F + 300)],
        ['v-open-before-to', { model: 'active', startsAt: T - 1 }],
        ['v-open-at-to', { model: 'active', startsAt: T }],
        ['v-after', ended(T + 5, T + 10)],
        // another model, active in the range
        ['w-open-old', { model: 'active-other', startsAt: F - 1e6 }],
      ];
      for (const [id, over] of rows) await s.putAlert(alert(id, over));
      const ids = async (q: Parameters<AlertStore['listAlerts']>[0]): Promise<string[]> => (await s.listAlerts(q)).map((a) => a.id);
      const inRange = ['v-open-before-to', 'v-resolved-in', 'v-open-in', 'v-instant-at-from', 'v-spanning', 'v-no-end-in', 'v-fp-in', 'v-ended-in', 'v-ended-at-from', 'v-ack-old', 'v-open-old'];
      assert.deepStrictEqual(await ids({ model: 'active', activeFrom: F, activeTo: T }), inRange, 'newest first; ended before F, started at or after T out');
      assert.deepStrictEqual(await ids({ model: 'active', state: 'resolved', activeFrom: F, activeTo: T }), inRange.filter((id) => !/open|ack/.test(id)));
      assert.deepStrictEqual(await ids({ model: 'active', state: 'open', activeFrom: F, activeTo: T }), ['v-open-before-to', 'v-open-in', 'v-open-old']);
      assert.deepStrictEqual(await ids({ model: 'active', state: 'acknowledged', activeFrom: F, activeTo: T }), ['v-ack-old']);
      assert.deepStrictEqual(await ids({ model: 'active-other', activeFrom: F, activeTo: T }), ['w-open-old']);
      // one bound alone
      assert.deepStrictEqual(await ids({ model: 'active', activeFrom: T + 10 }), ['v-after', 'v-open-at-to', 'v-open-before-to', 'v-open-in', 'v-spanning', 'v-ack-old', 'v-open-old']);
      assert.deepStrictEqual(await ids({ model: 'active', activeTo: F - 400 }), ['v-ended-in', 'v-ended-before', 'v-ended-at-from', 'v-ack-old', 'v-open-old'], 'started at F - 400: out');
      assert.deepStrictEqual(await ids({ model: 'active', activeFrom: T + 11, activeTo: T + 12 }), ['v-open-at-to', 'v-open-before-to', 'v-open-in', 'v-spanning', 'v-ack-old', 'v-open-old']);
      // pages of the filtered list: each starts after the previous page's last alert, the filter kept
      for (const n of [1, 2, 3, 11]) {
        const got: string[] = [];
        let before: PageCursor | undefined;
        for (let i = 0; i < 20; i++) {
          const page = await s.listAlerts({ model: 'active', activeFrom: F, activeTo: T, ...(before && { before }), limit: n });
          got.push(...page.map((a) => a.id));
          const last = page.at(-1);
          if (page.length < n || last === undefined) break;
          before = { at: last.startsAt, id: last.id };
        }
        assert.deepStrictEqual(got, inRange, `pages of ${n}`);
      }
    });

    silenceRangeContract(() => s, T0);
  });
}
