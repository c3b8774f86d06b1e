import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { DDSketch } from '@datadog/sketches-js';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { seededRandom } from '../random/rng.js';
import { CategoricalSummary } from './categorical.js';
import { NumericSummary } from './numeric.js';
import type { SummarySpec } from './spec.js';
import type { LazyMap } from './lazy-map.js';
import { WindowSummary, type SummarisedEvent } from './window.js';

const spec: SummarySpec = {
  outputKind: 'binary',
  features: [{ name: 'x', kind: 'numerical' }, { name: 'c', kind: 'categorical' }],
  edges: { x: [-1, 0, 1] },
  positiveClass: '1',
  calibration: { thresholds: [0.5, 1], values: [0.2, 0.9] },
};

function events(n: number, seed: number): SummarisedEvent[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    features: { x: i % 17 === 0 ? null : r.next() * 4 - 2, c: ['a', 'b', 'c'][Math.floor(r.next() * 3)] },
    prediction: r.next() < 0.5 ? '1' : '0',
    score: r.next(),
    latencyMs: Math.exp(r.next() * 5),
    error: i % 10 === 0 ? 'boom' : null,
    costUsd: 0.5,
  }));
}

test('merging window summaries equals adding all events to one (exact parts), in any order', () => {
  const all = events(3000, 1);
  const whole = new WindowSummary(spec, 7);
  for (const e of all) whole.add(e);
  const parts = [0, 1, 2].map((p) => {
    const w = new WindowSummary(spec, 10 + p);
    for (const e of all.slice(p * 1000, (p + 1) * 1000)) w.add(e);
    return w;
  });
  for (const order of [[0, 1, 2], [2, 0, 1]]) {
    const m = new WindowSummary(spec, 99);
    for (const i of order) m.merge(parts[i] as WindowSummary);
    assert.equal(m.events, whole.events);
    assert.equal(m.errors, 300);
    assert.equal(m.costSum, whole.costSum);
    assert.equal(m.latencyCount, whole.latencyCount);
    const mx = m.features.get('x') as NumericSummary;
    const wx = whole.features.get('x') as NumericSummary;
    assert.deepEqual([mx.count, mx.missing, mx.min, mx.max, mx.hist], [wx.count, wx.missing, wx.min, wx.max, wx.hist]);
    assert.ok(Math.abs(mx.sum - wx.sum) < 1e-9);
    assert.equal(mx.kll.n, wx.kll.n);
    assert.deepEqual([...(m.features.get('c') as CategoricalSummary).counts].sort(), [...(whole.features.get('c') as CategoricalSummary).counts].sort());
    for (const k of ['n', 'tp', 'fp', 'fn', 'tn'] as const) assert.ok(Math.abs(m.cbpe[k] - whole.cbpe[k]) < 1e-9, k);
  }
});

test('serialisation round trip is exact and latency quantiles are within 1%', () => {
  const w = new WindowSummary(spec, 3);
  const all = events(5000, 2);
  for (const e of all) w.add(e);
  w.addReject('schema_violation');
  const back = WindowSummary.fromBytes(w.toBytes(), spec, 3);
  assert.deepEqual(back.toBytes(), w.toBytes());
  assert.equal(back.rejected, 1);
  const lat = all.map((e) => e.latencyMs as number).sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = lat[Math.ceil(q * lat.length) - 1] as number;
    const est = back.latencyQuantile(q) as number;
    assert.ok(Math.abs(est - exact) <= 0.0101 * exact, `q${q}: ${est} vs ${exact}`);
  }
});

test('issue 3: the head is the summary without its features: same counters, latency, prediction, score and CBPE, without the feature bytes', () => {
  const w = new WindowSummary(spec, 3);
  for (const e of events(5000, 4)) w.add(e);
  w.addReject('schema_violation');
  const head = WindowSummary.fromBytes(w.headBytes(), spec, 3);
  assert.equal(head.features.size, 0);
  // Everything but the features is identical: the full summary without its features encodes to the head.
  const noFeatures = WindowSummary.fromBytes(w.toBytes(), spec, 3);
  noFeatures.features.clear();
  assert.deepEqual(w.headBytes(), noFeatures.toBytes());
  assert.deepEqual(head.toBytes(), w.headBytes());
  assert.deepEqual(w.toStored(), { data: w.toBytes(), head: w.headBytes() });
  const back = WindowSummary.fromBytes(w.toBytes(), spec, 3);
  for (const q of [0.5, 0.95, 0.99]) assert.equal(head.latencyQuantile(q), back.latencyQuantile(q));
  assert.deepEqual([head.events, head.errors, head.rejected, head.costSum, head.cbpe], [w.events, w.errors, w.rejected, w.costSum, w.cbpe]);
  assert.ok(w.headBytes().length < w.toBytes().length);
});

test('category counts are capped; the rest is counted as other, deterministically across merge orders', () => {
  const a = new CategoricalSummary(3);
  const b = new CategoricalSummary(3);
  for (const v of ['a', 'a', 'b', 'c', 'd', 'e']) a.add(v);
  for (const v of ['e', 'e', 'e', 'f', null, '']) b.add(v);
  assert.equal(a.other, 2);
  const ab = CategoricalSummary.fromState(a.toState());
  ab.merge(b);
  const ba = CategoricalSummary.fromState(b.toState());
  ba.merge(a);
  assert.deepEqual(Object.entries(ab.toState().counts).sort(), Object.entries(ba.toState().counts).sort());
  assert.equal(ab.count + ab.missing, 12);
  assert.equal(ab.missing, 2);
});

test('issue 3: read lazily, a summary decodes only the sketches used, and equals the eager read', () => {
  const w = new WindowSummary(spec, 3);
  for (const e of events(4000, 5)) w.add(e);
  const bytes = w.toBytes();
  const eager = WindowSummary.fromBytes(bytes, spec, 3);
  const lazy = WindowSummary.fromBytes(bytes, spec, 3, true);
  const pending = (): number => (lazy.features as LazyMap<string, unknown, unknown, unknown>).pendingCount;
  assert.equal(lazy.features.size, 2);
  assert.equal(pending(), 2);
  assert.deepEqual((lazy.features.get('x') as NumericSummary).toState(), (eager.features.get('x') as NumericSummary).toState());
  assert.equal(pending(), 1);
  for (const q of [0.5, 0.99]) assert.equal(lazy.latencyQuantile(q), eager.latencyQuantile(q));
  assert.equal(pending(), 1);
  assert.deepEqual(lazy.toBytes(), bytes);
  assert.equal(pending(), 0);
  // Merging lazily read windows gives what merging eagerly read ones gives (same sketch random sources).
  const m1 = new WindowSummary(spec, 9);
  const m2 = new WindowSummary(spec, 9);
  for (const b of [bytes, WindowSummary.fromBytes(bytes, spec, 4).toBytes()]) {
    m1.merge(WindowSummary.fromBytes(b, spec, 3, true));
    m2.merge(WindowSummary.fromBytes(b, spec, 3));
  }
  assert.deepEqual(m1.toBytes(), m2.toBytes());
  // A corrupt sketch fails where it is used, with the sketch's own error; the other parts still read.
  const bad = corruptKll(bytes);
  const lazyBad = WindowSummary.fromBytes(bad, spec, 3, true);
  assert.equal(lazyBad.events, 4000);
  assert.ok(lazyBad.features.get('c'));
  assert.throws(() => lazyBad.features.get('x'), /KllSketch\.fromBytes/);
  assert.throws(() => WindowSummary.fromBytes(bad, spec, 3), /KllSketch\.fromBytes/);
});

test('issue 3: mergeTransient gives what merge gives, bit for bit, and leaves the merged windows undecoded', () => {
  const windows = [1, 2, 3, 4].map((seed) => {
    const w = new WindowSummary(spec, seed);
    for (const e of events(300 * seed, seed)) w.add(e);
    return w.toBytes();
  });
  windows.push(new WindowSummary(spec, 5).toBytes()); // an empty window (no latency) among them
  const viaMerge = new WindowSummary(spec, 9);
  const viaTransient = new WindowSummary(spec, 9);
  const read = windows.map((b) => WindowSummary.fromBytes(b, spec, 3, true));
  for (const b of windows) viaMerge.merge(WindowSummary.fromBytes(b, spec, 3, true));
  for (const w of read) viaTransient.mergeTransient(w);
  assert.deepEqual(viaTransient.toBytes(), viaMerge.toBytes());
  // The sources keep no decoded part (merge() would have decoded and kept every feature), and still read the same.
  for (const [i, w] of read.entries()) {
    assert.equal((w.features as LazyMap<string, unknown, unknown, unknown>).pendingCount, 2);
    assert.deepEqual(w.toBytes(), windows[i]);
  }
  // Eagerly read (or built) sources are merged the same way.
  const eager = new WindowSummary(spec, 9);
  for (const b of windows) eager.mergeTransient(WindowSummary.fromBytes(b, spec, 3));
  assert.deepEqual(eager.toBytes(), viaMerge.toBytes());
  // A corrupt sketch fails the merge with its own error.
  assert.throws(() => new WindowSummary(spec, 9).mergeTransient(WindowSummary.fromBytes(corruptKll(windows[0]!), spec, 3, true)), /KllSketch\.fromBytes/);
  // Latency sketches are merged when first used, in order; a corrupt one fails every use (never a partial merge).
  const latencyOf = (w: WindowSummary): number[] => [0.1, 0.5, 0.9, 0.99].map((q) => w.latency.getValueAtQuantile(q));
  assert.deepEqual(latencyOf(viaTransient), latencyOf(viaMerge));
  const proto = WindowSummary.fromBytes(windows[1]!, spec, 3).latency.toProto();
  const at = Buffer.from(windows[1]!).indexOf(Buffer.from(proto));
  assert.ok(at > 0);
  const badLatency = Uint8Array.from(windows[1]!);
  badLatency.fill(0xff, at, at + 16);
  const withBad = new WindowSummary(spec, 9);
  for (const b of [windows[0]!, badLatency, windows[2]!]) withBad.mergeTransient(WindowSummary.fromBytes(b, spec, 3, true));
  assert.equal(withBad.events, 300 + 600 + 900);
  assert.throws(() => withBad.latency);
  assert.throws(() => withBad.latency);
});

/** The summary with the magic number of feature x's KLL sketch (inside x's section, "KLLD") overwritten. */
function corruptKll(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  const h = new DataView(out.buffer).getUint32(4, true);
  const state = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + h))) as { features: { x: { n: [number, number] } } };
  const [off, len] = state.features.x.n;
  const section = out.subarray(8 + h + off, 8 + h + off + len);
  const at = Buffer.from(section).indexOf('KLLD');
  assert.ok(at > 0);
  section[at] = 0;
  return out;
}

test('issue 3: summaries stored in format 1 (JSON, base64 sketches) read back exactly; format 2 is smaller', () => {
  const fx = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'summary-format-1.json'), 'utf8')) as { full: string; head: string };
  const w = new WindowSummary(spec, 3);
  for (const e of events(3000, 7)) w.add(e);
  w.addReject('schema_violation');
  const v1 = new Uint8Array(Buffer.from(fx.full, 'base64'));
  assert.equal(v1[0], 0x7b); // "{": format 1
  // Format 1 kept a sum of squares; its m2 (squared deviations) is derived from it, so it equals the m2 kept since
  // up to rounding; everything else reads back bit for bit.
  const sameM2 = (read: WindowSummary, parts: Array<[string, (x: WindowSummary) => unknown]>): WindowSummary => {
    for (const [name, part] of parts) {
      const a = part(read);
      const b = part(w);
      if (!(a instanceof NumericSummary) || !(b instanceof NumericSummary)) continue;
      assert.ok(Math.abs(a.m2 - b.m2) <= 1e-9 * b.m2, `${name}: m2 ${a.m2} against ${b.m2}`);
      a.m2 = b.m2;
    }
    return read;
  };
  const headParts: Array<[string, (x: WindowSummary) => unknown]> = [['prediction', (x) => x.prediction], ['score', (x) => x.score]];
  const allParts = [...headParts, ...[...w.features.keys()].map((k): [string, (x: WindowSummary) => unknown] => [k, (x) => x.features.get(k)])];
  for (const lazy of [false, true]) {
    assert.deepEqual(sameM2(WindowSummary.fromBytes(v1, spec, 3, lazy), allParts).toBytes(), w.toBytes());
    assert.deepEqual(sameM2(WindowSummary.fromBytes(new Uint8Array(Buffer.from(fx.head, 'base64')), spec, 3, lazy), headParts).toBytes(), w.headBytes());
  }
  assert.deepEqual([...w.toBytes().subarray(0, 4)], [0x4c, 0x4b, 0x57, 0x02]);
  assert.ok(w.toBytes().length < 0.85 * v1.length, `${w.toBytes().length} vs ${v1.length}`);
});

test('issue 3: a damaged stored summary fails with a clear error, never a wrong summary', () => {
  const w = new WindowSummary(spec, 3);
  for (const e of events(500, 8)) w.add(e);
  const b = w.toBytes();
  const h = new DataView(b.buffer).getUint32(4, true);
  const cases: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array([1, 2, 3]), /unknown format/],
    [b.subarray(0, 6), /unknown format/],
    [b.subarray(0, 8 + h - 1), /truncated header/],
    [b.subarray(0, b.length - 1), /out of bounds/],
    [new TextEncoder().encode('{"v":3}'), /unsupported summary version 3/],
  ];
  for (const [bytes, err] of cases) {
    assert.throws(() => {
      const s = WindowSummary.fromBytes(bytes, spec, 3, true);
      s.toBytes(); // decodes every lazy part
    }, err);
  }
});

test('issue 3: numeric summaries in binary round trip exactly: empty, without bins, with bins; bad lengths are refused', () => {
  const r = seededRandom(12);
  const empty = new NumericSummary(seededRandom(1), null);
  const noBins = new NumericSummary(seededRandom(1), null);
  const bins = new NumericSummary(seededRandom(1), [-0.5, 0, 0.5]);
  for (let i = 0; i < 1000; i++) {
    const v = i % 50 === 0 ? NaN : r.next() * 2 - 1;
    noBins.add(v);
    bins.add(v);
  }
  for (const s of [empty, noBins, bins]) {
    const back = NumericSummary.fromBytes(s.toBytes(), seededRandom(1));
    assert.deepEqual(back.toState(), s.toState());
    assert.deepEqual([back.min, back.max, back.edges], [s.min, s.max, s.edges]);
  }
  const b = bins.toBytes();
  new DataView(b.buffer).setUint32(4, 1e6, true);
  assert.throws(() => NumericSummary.fromBytes(b, seededRandom(1)), /lengths exceed the bytes/);
  assert.throws(() => NumericSummary.fromBytes(b.subarray(0, 10), seededRandom(1)), /too short/);
});

test('issue 3: the stored p50/p95/p99 answer latency charts without decoding the sketch; a change to the sketch drops them', () => {
  const built = new WindowSummary(spec, 3);
  for (const e of events(2000, 9)) built.add(e);
  const bytes = built.toBytes();
  // The reference: the summary read eagerly (its decoded sketch; the stored values must be the same to the bit).
  const w = WindowSummary.fromBytes(bytes, spec, 3);
  w.latency = DDSketch.fromProto(w.latency.toProto());
  countingDecodes((decodes) => {
    const lazy = WindowSummary.fromBytes(bytes, spec, 3, true);
    for (const q of [0.5, 0.95, 0.99]) assert.equal(lazy.latencyQuantile(q), w.latencyQuantile(q));
    assert.equal(decodes.n, 0, 'no sketch decoded for the stored quantiles');
    assert.equal(lazy.latencyQuantile(0.9), w.latencyQuantile(0.9));
    assert.equal(decodes.n, 1);
    // After adding events or merging, the quantiles come from the changed sketch, not the stored values.
    const more = events(500, 10).map((e) => ({ ...e, latencyMs: (e.latencyMs as number) * 50 }));
    const added = WindowSummary.fromBytes(bytes, spec, 3, true);
    const merged = WindowSummary.fromBytes(bytes, spec, 3, true);
    const other = new WindowSummary(spec, 3);
    const both = new WindowSummary(spec, 3);
    for (const e of more) {
      added.add(e);
      other.add(e);
    }
    merged.merge(other);
    both.merge(w);
    both.merge(other);
    for (const s of [added, merged]) {
      for (const q of [0.5, 0.95, 0.99]) {
        assert.equal(s.latencyQuantile(q), Math.min(s.latency.getValueAtQuantile(q), s.latencyMax));
        const exact = both.latencyQuantile(q) as number;
        assert.ok(Math.abs((s.latencyQuantile(q) as number) - exact) <= 1e-9 * exact, `q${q}`);
      }
      assert.ok((s.latencyQuantile(0.99) as number) > 10 * (w.latencyQuantile(0.99) as number), 'the slower events count');
    }
  });
});

test('issue 3: a latency sketch too large to decode cheaply is stored without quantiles (no decode at write time)', () => {
  const w = new WindowSummary(spec, 3);
  for (const [i, e] of events(50, 11).entries()) w.add({ ...e, latencyMs: i === 0 ? 1e100 : e.latencyMs });
  countingDecodes((decodes) => {
    const bytes = w.toBytes();
    assert.equal(decodes.n, 0, 'writing it decoded nothing');
    const back = WindowSummary.fromBytes(bytes, spec, 3, true);
    assert.ok(Math.abs((back.latencyQuantile(1) as number) - 1e100) <= 0.01 * 1e100);
    assert.equal(decodes.n, 1, 'reading its quantiles decodes the sketch');
    assert.equal(back.latencyQuantile(0.5), WindowSummary.fromBytes(bytes, spec, 3).latencyQuantile(0.5));
  });
});

/** Runs `f` while counting the latency sketch decodes (DDSketch.fromProto calls). */
function countingDecodes(f: (decodes: { n: number }) => void): void {
  const decodes = { n: 0 };
  const fromProto = DDSketch.fromProto.bind(DDSketch);
  DDSketch.fromProto = (b) => {
    decodes.n++;
    return fromProto(b);
  };
  try {
    f(decodes);
  } finally {
    DDSketch.fromProto = fromProto;
  }
}

test('multiclass CBPE: the expected matrix adds per event, merges across windows and survives toBytes/headBytes', () => {
  const mc: SummarySpec = {
    outputKind: 'multiclass', features: [], edges: {}, classes: ['a', 'b', 'c'],
    classCalibrations: [0, 1, 2].map(() => ({ thresholds: [0, 1], values: [0, 1], lows: [0, 1] })),
  };
  const ev = (prediction: string, scores: number[] | null): SummarisedEvent => ({ features: {}, prediction, score: null, scores, latencyMs: null, error: null, costUsd: null });
  const w1 = new WindowSummary(mc, 1);
  w1.add(ev('a', [0.6, 0.2, 0.2]));
  w1.add(ev('b', [0.1, 0.3, 0.1])); // calibrated (identity) then divided by 0.5
  w1.add(ev('c', null)); // no scores: not estimated
  w1.add(ev('z', [0.2, 0.2, 0.6])); // a class the model does not declare: not estimated
  const w2 = new WindowSummary(mc, 1);
  w2.add(ev('c', [0, 0, 1]));
  const merged = new WindowSummary(mc, 1);
  merged.merge(WindowSummary.fromBytes(w1.toBytes(), mc, 1));
  merged.merge(WindowSummary.fromBytes(w2.headBytes(), mc, 1));
  assert.equal(merged.cbpe.n, 3);
  const cells = merged.cbpe.cells ?? [];
  const want = [0.6, 0.2, 0, 0.2, 0.6, 0, 0.2, 0.2, 1]; // rows actual, columns predicted
  assert.equal(cells.length, 9);
  want.forEach((x, i) => assert.ok(Math.abs((cells[i] as number) - x) < 1e-12, `cell ${i}: ${cells[i]}`));
  assert.equal(w1.cbpe.cells?.[0], 0.6, 'merging did not alias the stored cells');
});
