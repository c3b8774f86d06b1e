import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../core/random/rng.js';
import { summarySeed } from '../core/summary/seed.js';
import type { SummarySpec } from '../core/summary/spec.js';
import { WindowSummary } from '../core/summary/window.js';
import { windowStart } from '../core/time/windows.js';
import { packedDeltas, type SpecOf } from './deltas.js';
import type { GroupInput } from './group.js';

const spec: SummarySpec = {
  outputKind: 'binary',
  features: [{ name: 'x', kind: 'numerical' }, { name: 'y', kind: 'numerical' }, { name: 'c', kind: 'categorical' }],
  edges: { x: [-1, 0, 1], __score: [0.25, 0.5, 0.75] },
  positiveClass: '1',
  calibration: { thresholds: [0.5, 1], values: [0.2, 0.9] },
};
const spec2: SummarySpec = { ...spec, edges: { x: [-0.5, 0.5] } };
const specOf: SpecOf = (model, version) => (model === 'm' ? (version === '1' ? spec : version === '2' ? spec2 : undefined) : model === 'n' && version === '1' ? spec : undefined);

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** 12 segments (more than the deltas groupDeltas compares before a lookup) over 3 minutes, 2 models, 3 versions, events before the cutoff. */
function group(n: number): GroupInput {
  const r = seededRandom(99);
  return {
    minuteCutoff: T0 - 3_600_000,
    events: Array.from({ length: n }, (_, i) => ({
      model: i % 9 === 4 ? 'n' : 'm', version: i % 9 === 4 ? '1' : i % 5 === 0 ? '2' : '1',
      segment: i % 13 === 12 ? '' : `region=r${Math.floor(r.next() * 12)}`,
      ts: i % 7 === 0 ? T0 - 2 * 3_600_000 - i * 1000 : T0 + Math.floor(r.next() * 180_000),
      features: { x: i % 11 === 0 ? null : r.next() * 4 - 2, y: r.next() * 1000, c: ['a', 'b', 'c'][Math.floor(r.next() * 3)] },
      prediction: r.next() < 0.5 ? '1' : '0', score: r.next(), latencyMs: Math.exp(r.next() * 5), error: null, costUsd: 0.001,
    })),
    rejects: [{ model: 'm', version: '1', segment: 'region=r3', ts: T0 + 5000, code: 'schema' }],
  };
}

/** The deltas as a plain per-event lookup by key makes them (groupDeltas before its recent-delta shortcut). */
function reference(g: GroupInput): Array<{ key: string; bytes: Uint8Array }> {
  const deltas = new Map<string, { model: string; version: string; segment: string; start: number; summary: WindowSummary }>();
  const delta = (model: string, version: string, segment: string, ts: number): WindowSummary => {
    const minute = windowStart(ts, 'minute');
    const fine = minute >= g.minuteCutoff ? 'minute' : 'hour';
    const start = fine === 'minute' ? minute : windowStart(ts, 'hour');
    const k = `${model}|${version}|${segment}|${fine}|${start}`;
    let d = deltas.get(k);
    if (!d) {
      d = { model, version, segment, start, summary: new WindowSummary(specOf(model, version) as SummarySpec, summarySeed(model, version, segment, `delta-${fine}`, start)) };
      deltas.set(k, d);
    }
    return d.summary;
  };
  for (const e of g.events) delta(e.model, e.version, e.segment, e.ts).add(e);
  for (const r of g.rejects) delta(r.model, r.version, r.segment, r.ts).addReject(r.code);
  for (const d of [...deltas.values()]) if (d.segment !== '') delta(d.model, d.version, '', d.start).merge(d.summary);
  return [...deltas.entries()].map(([key, d]) => ({ key, bytes: d.summary.toBytes() }));
}

test('packedDeltas gives the deltas of a plain lookup by key, in the same order, byte for byte, paced or not', async () => {
  const g = group(3000);
  const want = reference(g);
  assert.ok(want.length > 60, `${want.length} deltas`);
  for (const paced of [true, false]) {
    const got = (await packedDeltas(g, specOf, paced)).map((d) => ({ key: `${d.model}|${d.version}|${d.segment}|${d.fine}|${d.start}`, bytes: d.bytes }));
    assert.deepEqual(got.map((d) => d.key), want.map((d) => d.key));
    for (let i = 0; i < want.length; i++) assert.ok(Buffer.from(got[i]!.bytes).equals(want[i]!.bytes), `delta ${want[i]!.key} differs`);
  }
});
