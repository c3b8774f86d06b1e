import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { seededRandom } from '../core/random/rng.js';
import type { SummarySpec } from '../core/summary/spec.js';
import { decodeSummary } from '../core/summary/summary-format.js';
import { WindowSummary } from '../core/summary/window.js';
import { DeltaOffload } from './delta-offload.js';
import { groupDeltas, type SpecOf, type Target } from './deltas.js';
import { encodeGroup, type GroupInput } from './group.js';

const spec: SummarySpec = {
  outputKind: 'binary',
  features: [{ name: 'x', kind: 'numerical' }, { name: 'c', kind: 'categorical' }],
  edges: { x: [-1, 0, 1], __score: [0.25, 0.5, 0.75] },
  positiveClass: '1',
  calibration: { thresholds: [0.5, 1], values: [0.2, 0.9] },
};
const otherSpec: SummarySpec = { ...spec, edges: { x: [-0.5, 0.5] } };

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** Two versions, segments, missing and NaN-free odd values, events older than the minute cutoff, rejects. */
function group(n: number, seed: number): GroupInput {
  const r = seededRandom(seed);
  return {
    minuteCutoff: T0 - 3_600_000,
    events: Array.from({ length: n }, (_, i) => ({
      model: 'm', version: i % 5 === 0 ? '2' : '1', segment: i % 3 === 0 ? 'region=eu' : i % 3 === 1 ? 'region=us' : '',
      ts: i % 7 === 0 ? T0 - 2 * 3_600_000 - i * 1000 : T0 + (i % 180) * 1000,
      features: { x: i % 11 === 0 ? null : r.next() * 4 - 2, c: i % 13 === 0 ? undefined : ['a', 'b', 'c'][Math.floor(r.next() * 3)] },
      prediction: r.next() < 0.5 ? '1' : '0', score: r.next(), latencyMs: i % 17 === 0 ? null : Math.exp(r.next() * 5),
      error: i % 10 === 0 ? 'boom' : null, costUsd: i % 4 === 0 ? null : 0.001,
    })),
    rejects: [{ model: 'm', version: '1', segment: 'region=eu', ts: T0 + 5000, code: 'schema' }, { model: 'm', version: '2', segment: '', ts: T0 - 5 * 3_600_000, code: 'nan' }],
  };
}

const specs = (s1: SummarySpec, s2: SummarySpec): SpecOf => (model, version) => (model !== 'm' ? undefined : version === '1' ? s1 : version === '2' ? s2 : undefined);

/** Windows built by merging each target's delta into a fresh summary per window key, as stored bytes. */
function windows(targets: readonly Target[], specOf: SpecOf): Map<string, Uint8Array> {
  const ws = new Map<string, WindowSummary>();
  for (const t of targets) {
    let w = ws.get(t.k);
    if (!w) ws.set(t.k, (w = new WindowSummary(specOf(t.key.model, t.key.version) as SummarySpec, 99)));
    w.merge(t.delta);
  }
  return new Map([...ws].map(([k, w]) => [k, w.toBytes()]));
}

/**
 * Two stored windows hold the same summary: every section byte for byte, except the latency DDSketch, whose dense
 * store grows in chunks of 128 bins (a sketch read back holds only its range, so merging one pads differently):
 * there the same count and the same value at every quantile.
 */
function assertSameWindow(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert.ok(actual, `${what}: missing`);
  const a = decodeSummary<Record<string, unknown>>(actual);
  const e = decodeSummary<Record<string, unknown>>(expected);
  const { latency: la, ...restA } = a.state;
  const { latency: le, ...restE } = e.state;
  const sections = (state: unknown, blob: (r: [number, number]) => Uint8Array): unknown => JSON.parse(JSON.stringify(state), (_k, v: unknown) => (Array.isArray(v) && v.length === 2 && v.every(Number.isInteger) ? [...blob(v as [number, number])] : v));
  assert.deepEqual(sections(restA, a.blob), sections(restE, e.blob), what);
  assert.equal(la === undefined, le === undefined, what);
  const wa = WindowSummary.fromBytes(actual, spec, 1);
  const we = WindowSummary.fromBytes(expected, spec, 1);
  assert.equal(wa.latency.count, we.latency.count, what);
  for (let q = 0; q <= 1; q += 0.001) assert.equal(wa.latency.getValueAtQuantile(q), we.latency.getValueAtQuantile(q), `${what} latency q=${q}`);
}

test('the delta worker gives the same windows as deltas merged in this thread without serialising', async () => {
  const specOf = specs(spec, otherSpec);
  const g = group(3000, 1);
  const offload = new DeltaOffload(true);
  const inThread = new DeltaOffload(false);
  try {
    assert.equal(offload.offloaded, true);
    const viaWorker = windows(await offload.targets(g, encodeGroup(g), specOf), specOf);
    const viaThread = windows(await inThread.targets(g, null, specOf), specOf);
    // The reference: the deltas as computed, merged as objects (what the pipeline did before the worker).
    const direct = new Map<string, WindowSummary>();
    for (const d of await groupDeltas(g, specOf)) {
      for (const [gran, start] of [['minute', d.start], ['10min', Math.floor(d.start / 600_000) * 600_000], ['hour', Math.floor(d.start / 3_600_000) * 3_600_000], ['6h', Math.floor(d.start / 21_600_000) * 21_600_000], ['day', Math.floor(d.start / 86_400_000) * 86_400_000]] as const) {
        if ((gran === 'minute' || gran === '10min') && d.fine !== 'minute') continue;
        const k = `${d.model}\u0000${d.version}\u0000${d.segment}\u0000${gran}\u0000${start}`;
        let w = direct.get(k);
        if (!w) direct.set(k, (w = new WindowSummary(specOf(d.model, d.version) as SummarySpec, 99)));
        w.merge(d.summary);
      }
    }
    assert.ok(viaWorker.size > 10, `windows: ${viaWorker.size}`);
    assert.deepEqual([...viaWorker.keys()].sort(), [...direct.keys()].sort());
    for (const [k, w] of direct) {
      assertSameWindow(viaWorker.get(k), w.toBytes(), `window ${k.replaceAll('\u0000', '/')}`);
      // The in-thread path goes through the same stored form: byte for byte what the worker gives.
      assert.deepEqual(viaThread.get(k), viaWorker.get(k));
    }
  } finally {
    await offload.close();
  }
});

test('a version the catalog does not know fails the group with the same message in the worker and in this thread', async () => {
  const g = group(50, 2);
  g.events[7] = { ...(g.events[7] as GroupInput['events'][number]), version: '9' };
  const offload = new DeltaOffload(true);
  try {
    await assert.rejects(offload.targets(g, encodeGroup(g), specs(spec, spec)), /unknown version m@9/);
    await assert.rejects(new DeltaOffload(false).targets(g, null, specs(spec, spec)), /unknown version m@9/);
    // The worker is still there for the next group.
    assert.equal(offload.offloaded, true);
    const ok = group(50, 3);
    assert.ok((await offload.targets(ok, encodeGroup(ok), specs(spec, spec))).length > 0);
  } finally {
    await offload.close();
  }
});

test('a new spec object for a version (a new reference) reaches the worker', async () => {
  const g = group(400, 4);
  const offload = new DeltaOffload(true);
  try {
    const first = windows(await offload.targets(g, encodeGroup(g), specs(spec, spec)), specs(spec, spec));
    const replaced = specs(otherSpec, otherSpec);
    const second = windows(await offload.targets(g, encodeGroup(g), replaced), replaced);
    const expected = windows(await new DeltaOffload(false).targets(g, null, replaced), replaced);
    assert.deepEqual(second, expected);
    assert.notDeepEqual(second, first); // other bin edges: other histograms
  } finally {
    await offload.close();
  }
});

test('a spec replaced while an earlier group is still being computed: each group keeps the spec it was sent with', async () => {
  const offload = new DeltaOffload(true);
  try {
    const big = group(20_000, 7);
    const small = group(300, 8);
    const before = specs(spec, spec);
    const after = specs(otherSpec, otherSpec);
    // Both sent before the first is answered: the worker yields while computing the first and receives the second.
    const [first, second] = await Promise.all([offload.targets(big, encodeGroup(big), before), offload.targets(small, encodeGroup(small), after)]);
    assert.deepEqual(windows(first, before), windows(await new DeltaOffload(false).targets(big, null, before), before));
    assert.deepEqual(windows(second, after), windows(await new DeltaOffload(false).targets(small, null, after), after));
  } finally {
    await offload.close();
  }
});

test('when the worker dies, the groups it held and later ones are computed in this thread, and it is said once', async () => {
  const failures: unknown[] = [];
  const offload = new DeltaOffload(true, (e) => failures.push(e));
  const specOf = specs(spec, otherSpec);
  const g = group(20_000, 5);
  const expected = windows(await new DeltaOffload(false).targets(g, null, specOf), specOf);
  const held = offload.targets(g, encodeGroup(g), specOf);
  await (offload as unknown as { worker: Worker }).worker.terminate();
  assert.deepEqual(windows(await held, specOf), expected);
  assert.equal(offload.offloaded, false);
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /delta worker exited/);
  const later = group(100, 6);
  assert.deepEqual(windows(await offload.targets(later, encodeGroup(later), specOf), specOf), windows(await new DeltaOffload(false).targets(later, null, specOf), specOf));
  assert.equal(failures.length, 1);
  await offload.close();
});
