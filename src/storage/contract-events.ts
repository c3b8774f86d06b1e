import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { StorageBackend } from './backend.js';
import { T0 } from './contract-summaries.js';
import type { EventRecord, LabelledEvent, LabelledOutcome, LabelRecord, RejectRecord } from './types.js';

/*
 * The event part of the storage contract (contract.ts): events, rejects and labels, written and read back. Registered
 * inside the contract's describe, on its store.
 */

export function ev(id: string, model: string, over: Partial<EventRecord> = {}): EventRecord {
  return {
    id, model, version: 'v1', ts: T0, segment: '', prediction: '1', score: 0.5, scores: null,
    latencyMs: 12.5, error: null, costUsd: null, features: null, ...over,
  };
}

export function rej(model: string | null, over: Partial<RejectRecord> = {}): RejectRecord {
  return { ts: T0, model, version: null, code: 'schema', reason: 'missing field', excerpt: '{"a":', ...over };
}

const byTsId = (a: EventRecord, b: EventRecord): number => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
export const sortById = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

export function eventContract(s: () => StorageBackend): void {
  test('events: append, count, query by range/version/sampledOnly/limit, ordered by ts then id', async () => {
    const m = 'evq';
    const all = Array.from({ length: 12 }, (_, i) => ev(`e${String(11 - i).padStart(2, '0')}`, m, {
      ts: T0 + Math.floor(i / 2), version: i % 3 === 0 ? 'v2' : 'v1',
      features: i % 4 === 0 ? { x: i, tag: `t${i}` } : null, scores: i % 2 ? [0.25, 0.75] : null,
    }));
    await s().appendEvents(all.slice(6));
    await s().appendEvents(all.slice(0, 6));
    await s().appendEvents([]);
    await s().appendEvents([ev('evq-other', `${m}-other`)]);
    assert.equal(await s().countEvents(m), 12);
    assert.ok((await s().countEvents()) >= 13);
    const sorted = [...all].sort(byTsId);
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: 0, to: T0 + 100 }), sorted);
    const inRange = sorted.filter((e) => e.ts >= T0 + 1 && e.ts < T0 + 4);
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: T0 + 1, to: T0 + 4 }), inRange);
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: 0, to: T0 + 100, version: 'v2' }),
      sorted.filter((e) => e.version === 'v2'));
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: 0, to: T0 + 100, sampledOnly: true }),
      sorted.filter((e) => e.features !== null));
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: T0 + 1, to: T0 + 100, limit: 3 }),
      sorted.filter((e) => e.ts >= T0 + 1).slice(0, 3));
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: T0 + 6, to: T0 + 100 }), []);
    // Newest first, paged with `before` (events at the same time: by id, descending).
    const newest = [...sorted].reverse();
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: 0, to: T0 + 100, newestFirst: true, limit: 5 }), newest.slice(0, 5));
    const last = newest[4] as EventRecord;
    assert.deepStrictEqual(await s().queryEvents({ model: m, from: 0, to: T0 + 100, newestFirst: true, limit: 4, before: { ts: last.ts, id: last.id } }), newest.slice(5, 9));
  });

  test('events: query by segment (every part of the wanted key among the event\'s), before the limit', async () => {
    const m = 'evseg';
    const segs = ['region=eu', 'region=us', 'region=eu&tier=gold', 'region=eu%26x&tier=gold', 'tier=gold', '', 'region=e_%25'];
    const all = segs.map((segment, i) => ev(`s${i}`, m, { ts: T0 + i, segment }));
    await s().appendEvents(all);
    const want = (k: string): EventRecord[] => all.filter((e) => k.split('&').every((p) => e.segment.split('&').includes(p)));
    for (const k of ['region=eu', 'tier=gold', 'region=eu&tier=gold', 'region=e_%25', 'region=e']) {
      assert.deepStrictEqual(await s().queryEvents({ model: m, from: 0, to: T0 + 100, segment: k }), want(k), k);
    }
    assert.deepStrictEqual((await s().queryEvents({ model: m, from: 0, to: T0 + 100, segment: 'tier=gold', limit: 2 })).map((e) => e.id), ['s2', 's3']);
    assert.equal((await s().queryEvents({ model: m, from: 0, to: T0 + 100, segment: '' })).length, segs.length);
  });

  test('events: getEvents by ids (missing ids absent)', async () => {
    const es = [ev('g1', 'get', { ts: T0 + 2 }), ev('g2', 'get', { ts: T0 + 1 }), ev('g3', 'get')];
    await s().appendEvents(es);
    const got = await s().getEvents(['g3', 'nope', 'g1']);
    assert.deepStrictEqual(sortById(got), [es[0], es[2]]);
    assert.deepStrictEqual(await s().getEvents([]), []);
  });

  test('events: getEvents with more ids than one lookup takes, repeated and missing ones among them', async () => {
    const es = Array.from({ length: 2_600 }, (_, i) => ev(`many-${i}`, 'get-many', { ts: T0 + (i % 7) }));
    await s().appendEvents(es);
    const ids = [...es.map((e) => e.id).reverse(), 'many-missing', 'many-0', 'many-2599', 'many-1300'];
    const got = await s().getEvents(ids);
    assert.equal(got.length, es.length, 'each stored event once, however often it was asked for');
    assert.deepStrictEqual(sortById(got), sortById(es));
  });

  test('events: a duplicate id fails the whole call, stores nothing, store stays usable', async () => {
    const m = 'dup';
    await s().appendEvents([ev('d1', m)]);
    await assert.rejects(s().appendEvents([ev('d2', m), ev('d3', m), ev('d2', m)]));
    await assert.rejects(s().appendEvents([ev('d4', m), ev('d1', m, { ts: T0 + 1 })]));
    assert.equal(await s().countEvents(m), 1);
    assert.deepStrictEqual(await s().getEvents(['d2', 'd3', 'd4']), []);
    await s().appendEvents([ev('d2', m), ev('d3', m)]);
    assert.equal(await s().countEvents(m), 3);
  });

  test('rejects: append and count', async () => {
    const before = await s().countRejects();
    await s().appendRejects([rej('rj'), rej('rj', { version: 'v9' }), rej(null)]);
    await s().appendRejects([]);
    assert.equal(await s().countRejects('rj'), 2);
    assert.equal(await s().countRejects(), before + 3);
  });

  test('rejects: one per id (a stored id fails the whole call, storing nothing); any number without one', async () => {
    await s().appendRejects([rej('rjid', { id: 'x1' }), rej('rjid'), rej('rjid')]);
    await assert.rejects(s().appendRejects([rej('rjid', { id: 'x2' }), rej('rjid', { id: 'x1' })]));
    await assert.rejects(s().appendRejects([rej('rjid', { id: 'x3' }), rej('rjid', { id: 'x3' })]));
    assert.equal(await s().countRejects('rjid'), 3);
    assert.deepStrictEqual((await s().storedRejectIds(['x1', 'x2', 'x3', 'x1'])).sort(), ['x1']);
    assert.deepStrictEqual(await s().storedRejectIds([]), []);
    await s().appendRejects([rej('rjid', { id: 'x2' }), rej('rjid')]);
    assert.equal(await s().countRejects('rjid'), 5);
    // An id of a stored reject is no event's id: the tables are apart.
    assert.deepStrictEqual(await s().getEvents(['x1']), []);
  });

  test('labels: put/replace; labelledEvents joins on id within the event time range', async () => {
    const m = 'lab';
    await s().appendEvents([
      ev('l1', m, { ts: T0 }), ev('l2', m, { ts: T0 + 1, version: 'v2' }), ev('l3', m, { ts: T0 + 2 }), ev('l4', m, { ts: T0 + 9 }),
    ]);
    const lbl = (id: string, label: string, receivedAt: number, ts: number | null): LabelRecord => ({ id, model: m, label, receivedAt, ts });
    // ts: the labelled prediction's time; null for a label stored before its prediction (found by id alone)
    await s().putLabels([lbl('l1', 'cat', T0 + 50, T0), lbl('l2', 'dog', T0 + 51, T0 + 1), lbl('ghost', 'cat', T0 + 52, null), lbl('l4', 'x', T0, T0 + 9)]);
    await s().putLabels([lbl('l1', 'dog', T0 + 60, T0)]);
    const got = await s().labelledEvents({ model: m, from: T0, to: T0 + 5 });
    // a relabel replaces the label and keeps when the prediction was first labelled (the label delay's start)
    assert.deepStrictEqual(got.map((x) => [x.event.id, x.label, x.receivedAt]), [['l1', 'dog', T0 + 50], ['l2', 'dog', T0 + 51]]);
    assert.deepStrictEqual(got[1]?.event, ev('l2', m, { ts: T0 + 1, version: 'v2' }));
    assert.deepStrictEqual((await s().labelledEvents({ model: m, from: T0, to: T0 + 5, version: 'v2' })).map((x) => x.event.id), ['l2']);
    assert.deepStrictEqual((await s().labelledEvents({ model: m, from: T0, to: T0 + 100, limit: 1 })).map((x) => x.event.id), ['l1']);
    // the label for an unknown id was kept: it joins once the event arrives
    await s().appendEvents([ev('ghost', m, { ts: T0 + 3 })]);
    assert.deepStrictEqual((await s().labelledEvents({ model: m, from: T0, to: T0 + 5 })).map((x) => x.event.id), ['l1', 'l2', 'ghost']);
    await s().appendEvents([ev('lf', m, { ts: T0 + 4, features: { a: 1 } })]);
    await s().putLabels([lbl('lf', 'cat', T0, T0 + 4)]);
    // labelledOutcomes: what metrics read of the same rows, in the same order (nulls, extreme numbers included)
    await s().appendEvents([ev('lo', m, { ts: T0 + 4, prediction: '', score: null }), ev('lx', m, { ts: T0 + 4, score: 5e-324, scores: [0.25, 0.75], segment: 'k=%C3%BC' })]);
    await s().putLabels([lbl('lo', '', T0 + 1.5e12, T0 + 4), lbl('lx', 'ü😀', T0, T0 + 4)]);
    // a failed inference (no prediction) is no labelled event, whatever its label
    await s().appendEvents([ev('lfail', m, { ts: T0 + 4, prediction: null, score: null, error: 'timeout' })]);
    await s().putLabels([lbl('lfail', 'cat', T0, T0 + 4)]);
    const outcome = (x: LabelledEvent): LabelledOutcome => ({ event: { ts: x.event.ts, segment: x.event.segment, prediction: x.event.prediction, score: x.event.score, scores: x.event.scores }, label: x.label, receivedAt: x.receivedAt });
    for (const q of [{ model: m, from: T0, to: T0 + 5 }, { model: m, from: T0, to: T0 + 5, version: 'v2' }, { model: m, from: T0, to: T0 + 100, limit: 2 }, { model: m, from: T0 + 4, to: T0 + 5, sampleRate: 0.5 }]) {
      const events = await s().labelledEvents(q);
      assert.deepStrictEqual(await s().labelledOutcomes(q), events.map(outcome), JSON.stringify(q));
    }
    assert.equal((await s().labelledOutcomes({ model: m, from: T0, to: T0 + 5 })).length, 6);
    assert.equal(await s().countLabelled({ model: m, from: T0, to: T0 + 5 }), 6);
    assert.ok(!(await s().labelledEvents({ model: m, from: T0, to: T0 + 5 })).some((x) => x.event.id === 'lfail'));
  });

  test('pruneEvents: deletes the model\'s events before the cutoff, their labels and its rejects received before it; keeps the rest, and the ids can be stored again', async () => {
    const m = 'prn';
    await s().appendEvents([ev('p1', m, { ts: T0 }), ev('p2', m, { ts: T0 + 5, features: { a: 1 } }), ev('p3', m, { ts: T0 + 10 }), ev('p4', 'prn-other', { ts: T0 })]);
    const lbl = (id: string, ts: number | null): LabelRecord => ({ id, model: m, label: '1', receivedAt: T0 + 20, ts });
    await s().putLabels([lbl('p1', T0), lbl('p3', T0 + 10), lbl('p-early', null)]);
    await s().appendRejects([rej(m, { ts: T0, id: 'pr1' }), rej(m, { ts: T0 + 10 }), rej('prn-other', { ts: T0 })]);

    assert.equal(await s().pruneEvents(m, T0 + 10), 2);
    assert.deepStrictEqual((await s().getEvents(['p1', 'p2', 'p3', 'p4'])).map((e) => e.id).sort(), ['p3', 'p4']);
    assert.equal(await s().countEvents(m), 1);
    assert.deepStrictEqual((await s().labelledEvents({ model: m, from: 0, to: T0 * 2 })).map((x) => x.event.id), ['p3']);
    assert.equal(await s().countRejects(m), 1);
    assert.equal(await s().countRejects('prn-other'), 1);
    assert.deepStrictEqual(await s().storedRejectIds(['pr1']), []);
    assert.equal(await s().pruneEvents(m, T0 + 10), 0, 'nothing left before the cutoff');
    // a label stored before its prediction (no time yet) is kept; pruned ids can be stored again
    await s().appendEvents([ev('p-early', m, { ts: T0 + 12 }), ev('p1', m, { ts: T0 + 11 })]);
    await s().putLabels([lbl('p1', T0 + 11)]);
    assert.deepStrictEqual((await s().labelledEvents({ model: m, from: 0, to: T0 * 2 })).map((x) => x.event.id), ['p3', 'p1', 'p-early']);
  });

  test('labels: countLabelled counts what labelledEvents returns; sampleRate keeps the ids whose MD5 is below the rate', async () => {
    const m = 'smp';
    const n = 400;
    const ids = Array.from({ length: n }, (_, i) => `smp-${i}-ü`);
    await s().appendEvents(ids.map((id, i) => ev(id, m, { ts: T0 + i, version: i % 4 === 0 ? 'v2' : 'v1' })));
    // every other event labelled; one label without its prediction's time (found by id alone)
    await s().putLabels(ids.filter((_, i) => i % 2 === 0).map((id, i) => ({ id, model: m, label: 'a', receivedAt: T0 + 1000, ts: i === 3 ? null : T0 + 2 * i })));
    for (const q of [{ model: m, from: T0, to: T0 + n }, { model: m, from: T0 + 10, to: T0 + 101 }, { model: m, from: T0, to: T0 + n, version: 'v2' }, { model: 'none', from: 0, to: T0 * 2 }]) {
      assert.equal(await s().countLabelled(q), (await s().labelledEvents(q)).length, JSON.stringify(q));
    }
    assert.equal(await s().countLabelled({ model: m, from: T0, to: T0 + n }), n / 2);
    // the reference: the first 32 bits of each id's MD5 (node:crypto) against rate x 2^32
    const inSample = (id: string, rate: number): boolean => parseInt(createHash('md5').update(id, 'utf8').digest('hex').slice(0, 8), 16) < Math.floor(rate * 2 ** 32);
    for (const rate of [0.5, 0.1, 0.04]) {
      const q = { model: m, from: T0, to: T0 + n, sampleRate: rate };
      const want = ids.filter((id, i) => i % 2 === 0 && inSample(id, rate));
      assert.ok(want.length > 0, `rate ${rate}: the check needs ids in the sample`);
      assert.deepStrictEqual((await s().labelledEvents(q)).map((x) => x.event.id), want, `rate ${rate}`);
      assert.equal(await s().countLabelled(q), want.length);
      // the same ids in any part of the range
      assert.deepStrictEqual((await s().labelledEvents({ ...q, from: T0 + 100, to: T0 + 200 })).map((x) => x.event.id), want.filter((id) => Number(id.split('-')[1]) >= 100 && Number(id.split('-')[1]) < 200));
    }
    assert.equal((await s().labelledEvents({ model: m, from: T0, to: T0 + n, sampleRate: 1 })).length, n / 2);
    await assert.rejects(s().labelledEvents({ model: m, from: T0, to: T0 + n, sampleRate: 0 }), /invalid sample rate/);
  });

  test('events: lone UTF-16 surrogates stored as U+FFFD (kept escaped in JSON fields); NaN and ±Infinity exact', async () => {
    const m = 'odd-values';
    const e = ev('odd-\ud800', m, {
      version: 'v\udc00', prediction: 'a\ud83dz', error: 'end \ud800', score: NaN, latencyMs: Infinity, costUsd: -Infinity,
      scores: [0.5, 0.5], features: { 'k\udfff': 'x\ud800', ok: '😀' },
    });
    await s().appendEvents([e]);
    const [got] = await s().getEvents(['odd-\ufffd']);
    assert.deepStrictEqual(got, {
      ...e, id: 'odd-\ufffd', version: 'v\ufffd', prediction: 'a\ufffdz', error: 'end \ufffd',
    });
  });
}
