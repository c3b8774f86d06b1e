import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { StorageBackend } from './backend.js';
import { T0, plain, sum, summaryContract } from './contract-summaries.js';
import type { EventRecord, LabelledEvent, LabelledOutcome, LabelRecord, ModelRecord, RejectRecord, VersionRecord } from './types.js';

export { checkHeadsAfterMigration, checkWindowValuesAfterMigration } from './contract-summaries.js';

/**
 * The shared contract every StorageBackend must pass. `open` is called once before the tests and again by the
 * reopen test (after close), so it must open the same place (file, schema) each time; `cleanup` runs at the end.
 */
export interface ContractOptions {
  /** When set, the throughput test fails below this many event rows per second through commit(). */
  minEventsPerSecond?: number;
}

const MB = 'ü€😀x'.repeat(1 << 18).slice(0, 1 << 20);

function ev(id: string, model: string, over: Partial<EventRecord> = {}): EventRecord {
  return {
    id, model, version: 'v1', ts: T0, segment: '', prediction: '1', score: 0.5, scores: null,
    latencyMs: 12.5, error: null, costUsd: null, features: null, ...over,
  };
}

function rej(model: string | null, over: Partial<RejectRecord> = {}): RejectRecord {
  return { ts: T0, model, version: null, code: 'schema', reason: 'missing field', excerpt: '{"a":', ...over };
}

const byTsId = (a: EventRecord, b: EventRecord): number => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const sortById = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));


export function storageContract(
  name: string, open: () => Promise<StorageBackend>, cleanup?: () => Promise<void>, opts: ContractOptions = {},
): void {
  describe(`storage contract: ${name}`, () => {
    let s: StorageBackend;
    before(async () => {
      s = await open();
      await s.init();
      await s.init(); // idempotent
    });
    after(async () => {
      await s?.close();
      await cleanup?.();
    });

    test('models: put, get, list, update (JSON fields exact, optional fields absent)', async () => {
      const a: ModelRecord = {
        name: 'mdl-a', outputKind: 'multiclass', segmentKeys: ['country', 'tier'], classes: ['cat', 'dog', ''],
        inputSchema: { type: 'object', properties: { x: { type: 'number', minimum: -1.5 } }, required: ['x'] },
        description: 'first', createdAt: T0, updatedAt: T0 + 1,
      };
      const b: ModelRecord = { name: 'mdl-b', outputKind: 'regression', inputSchema: {}, segmentKeys: [], createdAt: T0, updatedAt: T0 };
      await s.putModel(b);
      await s.putModel(a);
      assert.deepStrictEqual(await s.getModel('mdl-a'), a);
      assert.deepStrictEqual(await s.getModel('mdl-b'), b);
      assert.equal(await s.getModel('mdl-missing'), null);
      const a2: ModelRecord = { ...a, outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: [], updatedAt: T0 + 99 };
      delete a2.description;
      await s.putModel(a2);
      assert.deepStrictEqual(await s.getModel('mdl-a'), a2);
      assert.deepStrictEqual((await s.listModels()).filter((m) => m.name.startsWith('mdl-')), [a2, b]);
    });

    test('versions: put, get, list, update', async () => {
      const v1: VersionRecord = {
        model: 'ver', version: 'v1', createdAt: T0 + 5,
        reference: { profile: { x: [1, 2.5, null, true, 'z'] }, n: 1e21 }, metadata: { git: 'abc' },
      };
      const v2: VersionRecord = { model: 'ver', version: 'v2', createdAt: T0 + 10 };
      const other: VersionRecord = { model: 'ver-other', version: 'v1', createdAt: T0 };
      for (const v of [v2, other, v1]) await s.putVersion(v);
      assert.deepStrictEqual(await s.getVersion('ver', 'v1'), v1);
      assert.deepStrictEqual(await s.getVersion('ver', 'v2'), v2);
      assert.equal(await s.getVersion('ver', 'v3'), null);
      assert.deepStrictEqual(await s.listVersions('ver'), [v1, v2]);
      const v1b: VersionRecord = { model: 'ver', version: 'v1', createdAt: T0 + 5, reference: { n: 2 } };
      await s.putVersion(v1b);
      assert.deepStrictEqual(await s.getVersion('ver', 'v1'), v1b);
      assert.deepStrictEqual(await s.listVersions('nobody'), []);
    });

    test('events: append, count, query by range/version/sampledOnly/limit, ordered by ts then id', async () => {
      const m = 'evq';
      const all = Array.from({ length: 12 }, (_, i) => ev(`e${String(11 - i).padStart(2, '0')}`, m, {
        ts: T0 + Math.floor(i / 2), version: i % 3 === 0 ? 'v2' : 'v1',
        features: i % 4 === 0 ? { x: i, tag: `t${i}` } : null, scores: i % 2 ? [0.25, 0.75] : null,
      }));
      await s.appendEvents(all.slice(6));
      await s.appendEvents(all.slice(0, 6));
      await s.appendEvents([]);
      await s.appendEvents([ev('evq-other', `${m}-other`)]);
      assert.equal(await s.countEvents(m), 12);
      assert.ok((await s.countEvents()) >= 13);
      const sorted = [...all].sort(byTsId);
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: 0, to: T0 + 100 }), sorted);
      const inRange = sorted.filter((e) => e.ts >= T0 + 1 && e.ts < T0 + 4);
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: T0 + 1, to: T0 + 4 }), inRange);
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: 0, to: T0 + 100, version: 'v2' }),
        sorted.filter((e) => e.version === 'v2'));
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: 0, to: T0 + 100, sampledOnly: true }),
        sorted.filter((e) => e.features !== null));
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: T0 + 1, to: T0 + 100, limit: 3 }),
        sorted.filter((e) => e.ts >= T0 + 1).slice(0, 3));
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: T0 + 6, to: T0 + 100 }), []);
      // Newest first, paged with `before` (events at the same time: by id, descending).
      const newest = [...sorted].reverse();
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: 0, to: T0 + 100, newestFirst: true, limit: 5 }), newest.slice(0, 5));
      const last = newest[4] as EventRecord;
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: 0, to: T0 + 100, newestFirst: true, limit: 4, before: { ts: last.ts, id: last.id } }), newest.slice(5, 9));
    });

    test('events: query by segment (every part of the wanted key among the event\'s), before the limit', async () => {
      const m = 'evseg';
      const segs = ['region=eu', 'region=us', 'region=eu&tier=gold', 'region=eu%26x&tier=gold', 'tier=gold', '', 'region=e_%25'];
      const all = segs.map((segment, i) => ev(`s${i}`, m, { ts: T0 + i, segment }));
      await s.appendEvents(all);
      const want = (k: string): EventRecord[] => all.filter((e) => k.split('&').every((p) => e.segment.split('&').includes(p)));
      for (const k of ['region=eu', 'tier=gold', 'region=eu&tier=gold', 'region=e_%25', 'region=e']) {
        assert.deepStrictEqual(await s.queryEvents({ model: m, from: 0, to: T0 + 100, segment: k }), want(k), k);
      }
      assert.deepStrictEqual((await s.queryEvents({ model: m, from: 0, to: T0 + 100, segment: 'tier=gold', limit: 2 })).map((e) => e.id), ['s2', 's3']);
      assert.equal((await s.queryEvents({ model: m, from: 0, to: T0 + 100, segment: '' })).length, segs.length);
    });

    test('events: getEvents by ids (missing ids absent)', async () => {
      const es = [ev('g1', 'get', { ts: T0 + 2 }), ev('g2', 'get', { ts: T0 + 1 }), ev('g3', 'get')];
      await s.appendEvents(es);
      const got = await s.getEvents(['g3', 'nope', 'g1']);
      assert.deepStrictEqual(sortById(got), [es[0], es[2]]);
      assert.deepStrictEqual(await s.getEvents([]), []);
    });

    test('events: getEvents with more ids than one lookup takes, repeated and missing ones among them', async () => {
      const es = Array.from({ length: 2_600 }, (_, i) => ev(`many-${i}`, 'get-many', { ts: T0 + (i % 7) }));
      await s.appendEvents(es);
      const ids = [...es.map((e) => e.id).reverse(), 'many-missing', 'many-0', 'many-2599', 'many-1300'];
      const got = await s.getEvents(ids);
      assert.equal(got.length, es.length, 'each stored event once, however often it was asked for');
      assert.deepStrictEqual(sortById(got), sortById(es));
    });

    test('events: a duplicate id fails the whole call, stores nothing, store stays usable', async () => {
      const m = 'dup';
      await s.appendEvents([ev('d1', m)]);
      await assert.rejects(s.appendEvents([ev('d2', m), ev('d3', m), ev('d2', m)]));
      await assert.rejects(s.appendEvents([ev('d4', m), ev('d1', m, { ts: T0 + 1 })]));
      assert.equal(await s.countEvents(m), 1);
      assert.deepStrictEqual(await s.getEvents(['d2', 'd3', 'd4']), []);
      await s.appendEvents([ev('d2', m), ev('d3', m)]);
      assert.equal(await s.countEvents(m), 3);
    });

    test('rejects: append and count', async () => {
      const before = await s.countRejects();
      await s.appendRejects([rej('rj'), rej('rj', { version: 'v9' }), rej(null)]);
      await s.appendRejects([]);
      assert.equal(await s.countRejects('rj'), 2);
      assert.equal(await s.countRejects(), before + 3);
    });

    test('rejects: one per id (a stored id fails the whole call, storing nothing); any number without one', async () => {
      await s.appendRejects([rej('rjid', { id: 'x1' }), rej('rjid'), rej('rjid')]);
      await assert.rejects(s.appendRejects([rej('rjid', { id: 'x2' }), rej('rjid', { id: 'x1' })]));
      await assert.rejects(s.appendRejects([rej('rjid', { id: 'x3' }), rej('rjid', { id: 'x3' })]));
      assert.equal(await s.countRejects('rjid'), 3);
      assert.deepStrictEqual((await s.storedRejectIds(['x1', 'x2', 'x3', 'x1'])).sort(), ['x1']);
      assert.deepStrictEqual(await s.storedRejectIds([]), []);
      await s.appendRejects([rej('rjid', { id: 'x2' }), rej('rjid')]);
      assert.equal(await s.countRejects('rjid'), 5);
      // An id of a stored reject is no event's id: the tables are apart.
      assert.deepStrictEqual(await s.getEvents(['x1']), []);
    });

    test('labels: put/replace; labelledEvents joins on id within the event time range', async () => {
      const m = 'lab';
      await s.appendEvents([
        ev('l1', m, { ts: T0 }), ev('l2', m, { ts: T0 + 1, version: 'v2' }), ev('l3', m, { ts: T0 + 2 }), ev('l4', m, { ts: T0 + 9 }),
      ]);
      const lbl = (id: string, label: string, receivedAt: number, ts: number | null): LabelRecord => ({ id, model: m, label, receivedAt, ts });
      // ts: the labelled prediction's time; null for a label stored before its prediction (found by id alone)
      await s.putLabels([lbl('l1', 'cat', T0 + 50, T0), lbl('l2', 'dog', T0 + 51, T0 + 1), lbl('ghost', 'cat', T0 + 52, null), lbl('l4', 'x', T0, T0 + 9)]);
      await s.putLabels([lbl('l1', 'dog', T0 + 60, T0)]);
      const got = await s.labelledEvents({ model: m, from: T0, to: T0 + 5 });
      // a relabel replaces the label and keeps when the prediction was first labelled (the label delay's start)
      assert.deepStrictEqual(got.map((x) => [x.event.id, x.label, x.receivedAt]), [['l1', 'dog', T0 + 50], ['l2', 'dog', T0 + 51]]);
      assert.deepStrictEqual(got[1]?.event, ev('l2', m, { ts: T0 + 1, version: 'v2' }));
      assert.deepStrictEqual((await s.labelledEvents({ model: m, from: T0, to: T0 + 5, version: 'v2' })).map((x) => x.event.id), ['l2']);
      assert.deepStrictEqual((await s.labelledEvents({ model: m, from: T0, to: T0 + 100, limit: 1 })).map((x) => x.event.id), ['l1']);
      // the label for an unknown id was kept: it joins once the event arrives
      await s.appendEvents([ev('ghost', m, { ts: T0 + 3 })]);
      assert.deepStrictEqual((await s.labelledEvents({ model: m, from: T0, to: T0 + 5 })).map((x) => x.event.id), ['l1', 'l2', 'ghost']);
      await s.appendEvents([ev('lf', m, { ts: T0 + 4, features: { a: 1 } })]);
      await s.putLabels([lbl('lf', 'cat', T0, T0 + 4)]);
      // labelledOutcomes: what metrics read of the same rows, in the same order (nulls, extreme numbers included)
      await s.appendEvents([ev('lo', m, { ts: T0 + 4, prediction: '', score: null }), ev('lx', m, { ts: T0 + 4, score: 5e-324, scores: [0.25, 0.75], segment: 'k=%C3%BC' })]);
      await s.putLabels([lbl('lo', '', T0 + 1.5e12, T0 + 4), lbl('lx', 'ü😀', T0, T0 + 4)]);
      // a failed inference (no prediction) is no labelled event, whatever its label
      await s.appendEvents([ev('lfail', m, { ts: T0 + 4, prediction: null, score: null, error: 'timeout' })]);
      await s.putLabels([lbl('lfail', 'cat', T0, T0 + 4)]);
      const outcome = (x: LabelledEvent): LabelledOutcome => ({ event: { ts: x.event.ts, segment: x.event.segment, prediction: x.event.prediction, score: x.event.score, scores: x.event.scores }, label: x.label, receivedAt: x.receivedAt });
      for (const q of [{ model: m, from: T0, to: T0 + 5 }, { model: m, from: T0, to: T0 + 5, version: 'v2' }, { model: m, from: T0, to: T0 + 100, limit: 2 }, { model: m, from: T0 + 4, to: T0 + 5, sampleRate: 0.5 }]) {
        const events = await s.labelledEvents(q);
        assert.deepStrictEqual(await s.labelledOutcomes(q), events.map(outcome), JSON.stringify(q));
      }
      assert.equal((await s.labelledOutcomes({ model: m, from: T0, to: T0 + 5 })).length, 6);
      assert.equal(await s.countLabelled({ model: m, from: T0, to: T0 + 5 }), 6);
      assert.ok(!(await s.labelledEvents({ model: m, from: T0, to: T0 + 5 })).some((x) => x.event.id === 'lfail'));
    });

    test('labels: countLabelled counts what labelledEvents returns; sampleRate keeps the ids whose MD5 is below the rate', async () => {
      const m = 'smp';
      const n = 400;
      const ids = Array.from({ length: n }, (_, i) => `smp-${i}-ü`);
      await s.appendEvents(ids.map((id, i) => ev(id, m, { ts: T0 + i, version: i % 4 === 0 ? 'v2' : 'v1' })));
      // every other event labelled; one label without its prediction's time (found by id alone)
      await s.putLabels(ids.filter((_, i) => i % 2 === 0).map((id, i) => ({ id, model: m, label: 'a', receivedAt: T0 + 1000, ts: i === 3 ? null : T0 + 2 * i })));
      for (const q of [{ model: m, from: T0, to: T0 + n }, { model: m, from: T0 + 10, to: T0 + 101 }, { model: m, from: T0, to: T0 + n, version: 'v2' }, { model: 'none', from: 0, to: T0 * 2 }]) {
        assert.equal(await s.countLabelled(q), (await s.labelledEvents(q)).length, JSON.stringify(q));
      }
      assert.equal(await s.countLabelled({ model: m, from: T0, to: T0 + n }), n / 2);
      // the reference: the first 32 bits of each id's MD5 (node:crypto) against rate x 2^32
      const inSample = (id: string, rate: number): boolean => parseInt(createHash('md5').update(id, 'utf8').digest('hex').slice(0, 8), 16) < Math.floor(rate * 2 ** 32);
      for (const rate of [0.5, 0.1, 0.04]) {
        const q = { model: m, from: T0, to: T0 + n, sampleRate: rate };
        const want = ids.filter((id, i) => i % 2 === 0 && inSample(id, rate));
        assert.ok(want.length > 0, `rate ${rate}: the check needs ids in the sample`);
        assert.deepStrictEqual((await s.labelledEvents(q)).map((x) => x.event.id), want, `rate ${rate}`);
        assert.equal(await s.countLabelled(q), want.length);
        // the same ids in any part of the range
        assert.deepStrictEqual((await s.labelledEvents({ ...q, from: T0 + 100, to: T0 + 200 })).map((x) => x.event.id), want.filter((id) => Number(id.split('-')[1]) >= 100 && Number(id.split('-')[1]) < 200));
      }
      assert.equal((await s.labelledEvents({ model: m, from: T0, to: T0 + n, sampleRate: 1 })).length, n / 2);
      await assert.rejects(s.labelledEvents({ model: m, from: T0, to: T0 + n, sampleRate: 0 }), /invalid sample rate/);
    });

    summaryContract(() => s);

    test('commit: all parts stored together, and a failure half way stores nothing', async () => {
      const m = 'cmt';
      const kept = sum(m, { data: new Uint8Array([1]) });
      await s.commit({ events: [ev('c0', m)], rejects: [rej(m)], summaries: [kept], labels: [{ id: 'c0', model: m, label: 'a', receivedAt: T0, ts: T0 }], state: [['cmt-mark', '1']] });
      const snapshot = async (): Promise<unknown> => [
        await s.countEvents(m), await s.countRejects(m), (await s.querySummaries({ model: m, granularity: 'hour', from: 0, to: T0 * 2 })).map(plain),
        (await s.labelledEvents({ model: m, from: 0, to: T0 * 2 })).map((x) => [x.event.id, x.label]),
        await s.getState('cmt-mark'),
      ];
      const before = await snapshot();
      assert.deepStrictEqual(before, [1, 1, [plain(kept)], [['c0', 'a']], '1']);
      const batch = {
        events: [ev('c1', m), ev('c2', m)], rejects: [rej(m)],
        summaries: [sum(m, { data: new Uint8Array([2]) }), sum(m, { windowStart: T0 + 3_600_000 })],
        labels: [{ id: 'c0', model: m, label: 'b', receivedAt: T0 + 1, ts: T0 }],
        state: [['cmt-mark', '2']] as Array<[string, string]>,
      };
      await assert.rejects(s.commit({ ...batch, events: [...batch.events, ev('c0', m)] }));
      assert.deepStrictEqual(await snapshot(), before);
      // fail after events, rejects and summaries were written: an invalid (null) label comes last
      const badLabel = { id: 'c1', model: m, label: null as unknown as string, receivedAt: T0, ts: T0 };
      await assert.rejects(s.commit({ ...batch, labels: [...batch.labels, badLabel] }));
      assert.deepStrictEqual(await snapshot(), before);
      assert.deepStrictEqual(await s.getEvents(['c1', 'c2']), []);
      await s.commit(batch);
      assert.equal(await s.countEvents(m), 3);
      assert.equal(await s.getState('cmt-mark'), '2', 'state entries commit with the rest');
      await s.commit({});
      // beforeCommit: awaited before COMMIT; its rejection rolls everything back
      await assert.rejects(s.commit({ events: [ev('c9', m)], state: [['cmt-mark', '9']], beforeCommit: () => Promise.reject(new Error('journal failed')) }), /journal failed/);
      assert.deepStrictEqual(await s.getEvents(['c9']), []);
      assert.equal(await s.getState('cmt-mark'), '2');
      let released = false;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const done = s.commit({ events: [ev('c9', m)], beforeCommit: () => gate }).then(() => assert.ok(released, 'commit resolved only after beforeCommit'));
      await new Promise((r) => setTimeout(r, 20));
      released = true;
      release();
      await done;
      assert.equal((await s.getEvents(['c9'])).length, 1);
    });

    test('commit: a `beside` commit (window summaries, its own state key) completes while another commit is held open', async () => {
      const m = 'beside-m';
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      // Held open after its writes, before COMMIT (as the ingest path holds a group commit for its journal sync).
      const held = s.commit({ events: [ev('bs0', m)], state: [['bs-committed', '1']], beforeCommit: () => gate });
      try {
        const beside = s.commit({ summaries: [sum(m, { data: new Uint8Array([7]) })], state: [['bs-summarised', '1']], beside: true });
        const outcome = await Promise.race([beside.then(() => 'committed'), new Promise((r) => setTimeout(() => r('waited 5 s for the held commit'), 5_000).unref())]);
        assert.equal(outcome, 'committed');
        assert.equal(await s.getState('bs-summarised'), '1');
        assert.equal(await s.getState('bs-committed'), null, 'the held commit is not visible yet');
      } finally {
        release();
      }
      await held;
      assert.equal(await s.getState('bs-committed'), '1');
      assert.deepStrictEqual((await s.getEvents(['bs0'])).map((e) => e.id), ['bs0']);
      const rows = await s.querySummaries({ model: m, granularity: 'hour', from: 0, to: T0 * 2 });
      assert.deepStrictEqual(rows.map((r) => [...r.data]), [[7]]);
    });

    test('state: get/set/overwrite', async () => {
      assert.equal(await s.getState('st-missing'), null);
      await s.setState('st-a', 'one');
      await s.setState('st-a', 'two');
      await s.setState('st-empty', '');
      assert.equal(await s.getState('st-a'), 'two');
      assert.equal(await s.getState('st-empty'), '');
    });

    test('values round trip: unicode, empty, 1 MB strings, extreme numbers, nulls', async () => {
      const m = 'val-ü😀';
      const e1 = ev('v-😀-1', m, {
        version: 'βeta', segment: 'country=%C3%BC&tier=gold', prediction: '', error: MB, costUsd: -0.000123456789,
        score: 5e-324, latencyMs: 1.7976931348623157e308, scores: [0.1, 0.2, 0.7000000000000001, 0, 1e-300],
        features: { 'ключ': 'значение 😀', empty: '', big: MB, n: [1, -2.5, 1e300, null], b: false, nested: { z: null } },
      });
      const e2 = ev('v-2', m, { segment: '', prediction: null, score: null, scores: null, latencyMs: null, error: null, costUsd: null, features: null });
      await s.appendEvents([e1, e2]);
      assert.deepStrictEqual(sortById(await s.getEvents([e1.id, e2.id])), sortById([e1, e2]));
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: T0, to: T0 + 1, version: 'βeta' }), [e1]);
      await s.appendRejects([rej(m, { excerpt: MB, reason: '', version: '' })]);
      assert.equal(await s.countRejects(m), 1);
      await s.setState('st-big-😀', MB);
      assert.equal(await s.getState('st-big-😀'), MB);
      const model: ModelRecord = {
        name: m, outputKind: 'binary', inputSchema: { title: '模型', big: MB }, segmentKeys: ['ü'], classes: ['', '😀'],
        description: '', createdAt: 0, updatedAt: Number.MAX_SAFE_INTEGER,
      };
      await s.putModel(model);
      assert.deepStrictEqual(await s.getModel(m), model);
    });

    test('events: lone UTF-16 surrogates stored as U+FFFD (kept escaped in JSON fields); NaN and ±Infinity exact', async () => {
      const m = 'odd-values';
      const e = ev('odd-\ud800', m, {
        version: 'v\udc00', prediction: 'a\ud83dz', error: 'end \ud800', score: NaN, latencyMs: Infinity, costUsd: -Infinity,
        scores: [0.5, 0.5], features: { 'k\udfff': 'x\ud800', ok: '😀' },
      });
      await s.appendEvents([e]);
      const [got] = await s.getEvents(['odd-\ufffd']);
      assert.deepStrictEqual(got, {
        ...e, id: 'odd-\ufffd', version: 'v\ufffd', prediction: 'a\ufffdz', error: 'end \ufffd',
      });
    });

    test('concurrency: 50 concurrent commit() calls all succeed and counts add up', async () => {
      const m = 'conc';
      await Promise.all(Array.from({ length: 50 }, (_, i) => s.commit({
        events: Array.from({ length: 20 }, (_, j) => ev(`k${i}-${j}`, m, { ts: T0 + j })),
        rejects: [rej(m)],
        summaries: [sum(m, { windowStart: T0 + i * 60_000, granularity: 'minute' }), sum(m, { segment: `s${i}` })],
      })));
      assert.equal(await s.countEvents(m), 1000);
      assert.equal(await s.countRejects(m), 50);
      assert.equal((await s.querySummaries({ model: m, granularity: 'minute', from: 0, to: T0 * 2 })).length, 50);
      assert.equal((await s.querySummaries({ model: m, granularity: 'hour', from: 0, to: T0 * 2 })).length, 50);
    });

    test('throughput: commit() of narrow events (1% with features) plus 10-50 KB summary upserts', async (t) => {
      const m = 'tput';
      const commits = 20;
      const perCommit = 5000;
      const blobs = Array.from({ length: 8 }, (_, i) => new Uint8Array(randomBytes(10_000 + i * 5_000)));
      const batches = Array.from({ length: commits }, (_, c) => ({
        events: Array.from({ length: perCommit }, (_, j) => ev(`tp${c}-${j}`, m, {
          ts: T0 + c * perCommit + j, segment: `tier=${j % 3}`, score: j / perCommit,
          features: j % 100 === 0 ? { x: j, y: 'abc', z: [1, 2, 3] } : null,
        })),
        summaries: Array.from({ length: 20 }, (_, k) => sum(m, { segment: `tier=${k}`, data: blobs[k % blobs.length]! })),
      }));
      const t0 = performance.now();
      for (const b of batches) await s.commit(b);
      const secs = (performance.now() - t0) / 1000;
      const rate = Math.round((commits * perCommit) / secs);
      t.diagnostic(`${name}: ${rate} events/s and ${Math.round((commits * 20) / secs)} summary upserts/s `
        + `(${commits} commits of ${perCommit} events + 20 summaries in ${secs.toFixed(2)} s)`);
      assert.equal(await s.countEvents(m), commits * perCommit);
      if (opts.minEventsPerSecond !== undefined) assert.ok(rate >= opts.minEventsPerSecond, `${rate} events/s`);
    });

    test('reopen: close and open again, data is still there', async () => {
      const model = await s.getModel('mdl-a');
      const summaries = (await s.querySummaries({ model: 'sum', granularity: 'hour', from: 0, to: T0 * 2 })).map(plain);
      const events = await s.queryEvents({ model: 'evq', from: 0, to: T0 * 2 });
      const total = await s.countEvents();
      await s.setState('st-reopen', 'yes');
      await s.close();
      await s.close(); // idempotent
      s = await open();
      await s.init();
      assert.deepStrictEqual(await s.getModel('mdl-a'), model);
      assert.deepStrictEqual((await s.querySummaries({ model: 'sum', granularity: 'hour', from: 0, to: T0 * 2 })).map(plain), summaries);
      assert.deepStrictEqual(await s.queryEvents({ model: 'evq', from: 0, to: T0 * 2 }), events);
      assert.equal(await s.countEvents(), total);
      assert.equal(await s.getState('st-reopen'), 'yes');
    });
  });
}

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
