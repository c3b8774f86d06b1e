import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Random, seededRandom } from '../random/rng.js';
import { countAtMost } from '../stats/sorted.js';
import { KllSketch } from './kll.js';
import { levelCapacity, totalCapacity } from './kll-helpers.js';

// ---- data generators and exact references ------------------------------------------------------

function normal(r: Random): number {
  const u = r.next();
  const v = r.next();
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}

type Gen = (r: Random) => number;
const GENERATORS: Record<string, Gen> = {
  normal: (r) => 10 + 3 * normal(r),
  lognormal: (r) => Math.exp(1 + 1.5 * normal(r)),
  // heavy ties: about 15 distinct values, the most frequent holding ~30% of the mass
  'tied integers': (r) => Math.min(14, Math.floor(-Math.log(1 - r.next()) * 3)),
};

function sample(gen: Gen, n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = gen(r);
  return out;
}

function sorted(xs: Float64Array): Float64Array {
  return xs.slice().sort();
}

/** Number of elements of sorted a that are < x. */
function countBelow(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * sup over all x of |sketch.rank(x) - ECDF(x)|. The sketch's rank function steps only at the items
 * of its sorted view, so on [v_i, v_{i+1}) it is constant while the ECDF runs from F(v_i) up to the
 * left limit F(v_{i+1}-); checking both ends of every interval gives the exact supremum.
 */
function maxRankError(s: KllSketch, exact: Float64Array): number {
  const v = s.sortedView();
  const n = exact.length;
  const xs = v.items;
  let err = countBelow(exact, xs[0] as number) / n; // x below the first item: estimate 0
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (i + 1 < xs.length && xs[i + 1] === x) continue; // use the last of equal items
    const est = (v.cumWeights[i] as number) / v.n;
    err = Math.max(err, Math.abs(est - countAtMost(exact, x) / n));
    const next = i + 1 < xs.length ? countBelow(exact, xs[i + 1] as number) / n : 1;
    err = Math.max(err, Math.abs(est - next));
  }
  return err;
}

/** Exact type-1 (inverted CDF, inclusive) quantile for q = j / n and midpoints: no rounding ambiguity. */
function exactQuantile(sortedData: Float64Array, q: number): number {
  const n = sortedData.length;
  const idx = Math.max(0, Math.ceil(q * n - 1e-9) - 1);
  return sortedData[idx] as number;
}

const EPS200 = KllSketch.normalizedRankError(200);

// ---- tests ----------------------------------------------------------------------------------------

describe('KllSketch basics', () => {
  test('a-priori error matches DataSketches KllHelper.getNormalizedRankError', () => {
    assert.ok(Math.abs(EPS200 - 2.296 / Math.pow(200, 0.9723)) < 1e-15);
    assert.ok(EPS200 > 0.0132 && EPS200 < 0.0134, `eps(200) = ${EPS200}`);
    assert.ok(Math.abs(KllSketch.normalizedRankError(200, true) - 2.446 / Math.pow(200, 0.9433)) < 1e-15);
    assert.equal(new KllSketch(100, seededRandom(1)).normalizedRankError(), KllSketch.normalizedRankError(100));
  });

  test('level capacities follow max(8, k (2/3)^depth) with DataSketches integer rounding', () => {
    assert.equal(levelCapacity(200, 1, 0), 200);
    assert.equal(levelCapacity(200, 2, 0), 133); // round(133.33)
    assert.equal(levelCapacity(200, 3, 0), 89); // round(88.89)
    assert.equal(levelCapacity(200, 12, 0), 8);
    assert.equal(levelCapacity(8, 5, 0), 8);
    assert.equal(totalCapacity(200, 3), 200 + 133 + 89);
  });

  test('rejects bad k, ranks and split points; empty sketch answers NaN', () => {
    const r = seededRandom(1);
    assert.throws(() => new KllSketch(7, r), RangeError);
    assert.throws(() => new KllSketch(65536, r), RangeError);
    assert.throws(() => new KllSketch(200.5, r), RangeError);
    const s = new KllSketch(200, r);
    assert.equal(s.isEmpty, true);
    assert.ok(Number.isNaN(s.quantile(0.5)));
    assert.ok(Number.isNaN(s.rank(1)));
    assert.ok(Number.isNaN(s.min) && Number.isNaN(s.max));
    assert.equal(s.cdf([1, 2]).length, 0);
    assert.throws(() => s.quantile(1.5), RangeError);
    assert.throws(() => s.quantile(NaN), RangeError);
    assert.throws(() => s.cdf([2, 1]), RangeError);
    assert.throws(() => s.cdf([1, 1]), RangeError);
    assert.throws(() => s.pmf([NaN]), RangeError);
  });

  test('NaN and +-Infinity are ignored; -0 is stored as +0', () => {
    const s = new KllSketch(200, seededRandom(1));
    s.updateAll([NaN, Infinity, -Infinity, 1, NaN]);
    s.update(NaN);
    s.update(-Infinity);
    s.update(-0);
    assert.equal(s.n, 2);
    assert.equal(s.min, 0);
    assert.ok(Object.is(s.min, 0));
    assert.equal(s.max, 1);
  });

  test('exact while n <= k: quantiles, ranks, cdf and pmf equal the exact ones', () => {
    for (const [n, gen] of [[1, 'normal'], [2, 'normal'], [37, 'tied integers'], [199, 'lognormal'], [200, 'normal'],
      [200, 'tied integers']] as const) {
      const data = sample(GENERATORS[gen] as Gen, n, 1000 + n);
      const s = new KllSketch(200, seededRandom(n));
      s.updateAll(data);
      const exact = sorted(data);
      assert.equal(s.isEstimationMode, false);
      assert.equal(s.numRetained, n);
      assert.deepEqual(Array.from(s.sortedView().items), Array.from(exact));
      assert.equal(s.quantile(0), exact[0]);
      assert.equal(s.quantile(1), exact[n - 1]);
      assert.equal(s.min, exact[0]);
      assert.equal(s.max, exact[n - 1]);
      for (let j = 0; j <= 2 * n; j++) {
        const q = j / (2 * n); // hits every rank exactly and every midpoint
        assert.equal(s.quantile(q), exactQuantile(exact, q), `n=${n} q=${q}`);
      }
      const qs = [0, 0.1, 0.25, 0.5, 0.9, 1];
      assert.deepEqual(Array.from(s.quantiles(qs)), qs.map((q) => exactQuantile(exact, q)));
      for (const x of [...exact, (exact[0] as number) - 1, (exact[n - 1] as number) + 1, (exact[0] as number) + 0.5]) {
        assert.equal(s.rank(x), countAtMost(exact, x) / n);
      }
      const splits = [...new Set(exact)].slice(0, 5);
      const cdf = s.cdf(splits);
      assert.equal(cdf.length, splits.length + 1);
      assert.equal(cdf[splits.length], 1);
      splits.forEach((x, i) => assert.equal(cdf[i], countAtMost(exact, x) / n));
      const pmf = s.pmf(splits);
      let acc = 0;
      pmf.forEach((p, i) => {
        acc += p;
        assert.ok(Math.abs(acc - (cdf[i] as number)) < 1e-12);
      });
    }
  });

  test('compaction starts at n = k + 1 and memory stays O(k log(n/k))', () => {
    const data = sample(GENERATORS.normal as Gen, 1_000_000, 5);
    const s = new KllSketch(200, seededRandom(2));
    s.updateAll(data.subarray(0, 201));
    assert.equal(s.isEstimationMode, true);
    assert.equal(s.n, 201);
    s.updateAll(data.subarray(201));
    assert.equal(s.n, 1_000_000);
    assert.ok(s.numRetained < 3 * 200 + 8 * 16, `retained ${s.numRetained}`);
    const w = s.sortedView().cumWeights;
    assert.equal(w[w.length - 1], 1_000_000);
  });

  test('sortedView is cached until the next update or merge and does not change the state', () => {
    const data = sample(GENERATORS.lognormal as Gen, 5000, 8);
    const s = new KllSketch(64, seededRandom(3));
    const t = new KllSketch(64, seededRandom(3));
    s.updateAll(data.subarray(0, 2500));
    t.updateAll(data.subarray(0, 2500));
    const v1 = s.sortedView();
    assert.equal(s.sortedView(), v1);
    s.quantile(0.3);
    s.rank(2);
    s.cdf([1, 2, 3]);
    assert.equal(s.sortedView(), v1);
    for (let i = 1; i < v1.items.length; i++) assert.ok((v1.items[i - 1] as number) <= (v1.items[i] as number));
    s.update(1);
    t.update(1);
    assert.notEqual(s.sortedView(), v1);
    const v2 = s.sortedView();
    s.merge(new KllSketch(64, seededRandom(9)));
    assert.equal(s.sortedView(), v2, 'merging an empty sketch changes nothing');
    // queries never reorder level 0: the state evolves exactly as in a sketch never queried
    s.updateAll(data.subarray(2500));
    t.updateAll(data.subarray(2500));
    assert.deepEqual(s.toJSON(), t.toJSON());
  });

  test('determinism: same seed, same state; update() and updateAll() agree; other seeds differ', () => {
    const data = sample(GENERATORS.normal as Gen, 100_000, 11);
    const a = new KllSketch(200, seededRandom(42));
    const b = new KllSketch(200, seededRandom(42));
    const c = new KllSketch(200, seededRandom(43));
    for (const x of data) a.update(x);
    b.updateAll(data);
    c.updateAll(data);
    assert.deepEqual(a.toJSON(), b.toJSON());
    assert.deepEqual(a.toBytes(), b.toBytes());
    assert.notDeepEqual(a.toJSON().levels, c.toJSON().levels);
    assert.equal(a.n, c.n);
    assert.equal(a.min, c.min);
  });
});

describe('KllSketch merge', () => {
  for (const [gi, [name, gen]] of Object.entries(GENERATORS).entries()) {
    test(`60 minute sketches merged ~ one sketch over n = 1e6 (${name})`, () => {
      const n = 1_000_000;
      const data = sample(gen, n, 77 + gi);
      const exact = sorted(data);
      const single = new KllSketch(200, seededRandom(1));
      single.updateAll(data);
      const hour = new KllSketch(200, seededRandom(2));
      const per = Math.ceil(n / 60);
      for (let m = 0; m < 60; m++) {
        const minute = new KllSketch(200, seededRandom(100 + m));
        minute.updateAll(data.subarray(m * per, Math.min(n, (m + 1) * per)));
        hour.merge(minute);
      }
      assert.equal(hour.n, n);
      assert.equal(hour.min, exact[0]);
      assert.equal(hour.max, exact[n - 1]);
      assert.equal(hour.minK, 200);
      // 100 query points at the exact percentiles
      let worstSingle = 0;
      let worstHour = 0;
      for (let i = 0; i < 100; i++) {
        const x = exact[Math.floor(((i + 0.5) / 100) * n)] as number;
        const truth = countAtMost(exact, x) / n;
        worstSingle = Math.max(worstSingle, Math.abs(single.rank(x) - truth));
        worstHour = Math.max(worstHour, Math.abs(hour.rank(x) - truth));
        assert.ok(Math.abs(single.rank(x) - hour.rank(x)) <= 2 * EPS200);
      }
      assert.ok(worstSingle <= EPS200, `single: ${worstSingle}`);
      assert.ok(worstHour <= EPS200, `merged: ${worstHour}`);
      // and over every x (supremum), plus the quantiles' ranks
      assert.ok(maxRankError(single, exact) <= EPS200);
      assert.ok(maxRankError(hour, exact) <= EPS200);
      for (const q of [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) {
        const x = hour.quantile(q);
        assert.ok(countBelow(exact, x) / n <= q + EPS200 && countAtMost(exact, x) / n >= q - EPS200, `q=${q}`);
      }
    });
  }

  test('merge order does not change n, min, max (and every order stays within the bound)', () => {
    const parts = [1, 50, 199, 200, 201, 5000, 20_000, 3, 70_000, 0].map((size, i) =>
      sample(GENERATORS.lognormal as Gen, size, 300 + i));
    const all = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    const exact = sorted(all);
    const sketches = parts.map((p, i) => {
      const s = new KllSketch(200, seededRandom(500 + i));
      s.updateAll(p);
      return s;
    });
    const orders = [
      [...sketches.keys()],
      [...sketches.keys()].reverse(),
      [3, 8, 0, 9, 5, 1, 7, 2, 6, 4],
    ];
    const results = orders.map((order, oi) => {
      const acc = new KllSketch(200, seededRandom(900 + oi));
      for (const i of order) acc.merge(sketches[i] as KllSketch);
      return acc;
    });
    // a tree of merges (pairs, then pairs of pairs) as when minutes roll up into hours and days
    let level = sketches.map((s) => s.clone(seededRandom(1)));
    while (level.length > 1) {
      const next: KllSketch[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const a = level[i] as KllSketch;
        if (i + 1 < level.length) a.merge(level[i + 1] as KllSketch);
        next.push(a);
      }
      level = next;
    }
    results.push(level[0] as KllSketch);
    for (const r of results) {
      assert.equal(r.n, all.length);
      assert.equal(r.min, exact[0]);
      assert.equal(r.max, exact[exact.length - 1]);
      assert.ok(maxRankError(r, exact) <= EPS200);
    }
    // the inputs are unchanged by being merged
    parts.forEach((p, i) => assert.equal((sketches[i] as KllSketch).n, p.length));
  });

  test('different k: the target keeps its k; minK takes the smaller k of estimation-mode inputs', () => {
    const data = sample(GENERATORS.normal as Gen, 30_000, 4);
    const big = new KllSketch(400, seededRandom(1));
    big.updateAll(data.subarray(0, 10_000));
    const small = new KllSketch(100, seededRandom(2));
    small.updateAll(data.subarray(10_000, 20_000));
    const tinyExact = new KllSketch(50, seededRandom(3));
    tinyExact.updateAll(data.subarray(20_000, 20_040)); // never compacted
    const target = new KllSketch(200, seededRandom(4));
    target.merge(tinyExact);
    assert.equal(target.minK, 200, 'an exact sketch brings its items over without loss');
    target.merge(big);
    assert.equal(target.minK, 200);
    target.merge(small);
    assert.equal(target.k, 200);
    assert.equal(target.minK, 100);
    assert.equal(target.normalizedRankError(), KllSketch.normalizedRankError(100));
    assert.equal(target.n, 20_040);
    const exact = sorted(data.subarray(0, 20_040));
    assert.ok(maxRankError(target, exact) <= KllSketch.normalizedRankError(100));
  });

  test('random update/merge sequences with mixed k keep every invariant (checked by fromJSON)', () => {
    const r = seededRandom(99);
    const ks = [8, 9, 20, 200, 333];
    const pool = ks.map((k, i) => new KllSketch(k, seededRandom(i)));
    const truth = pool.map(() => [] as number[]);
    for (let step = 0; step < 400; step++) {
      const i = r.int(pool.length);
      const s = pool[i] as KllSketch;
      if (r.next() < 0.6) {
        const m = 1 + r.int(r.next() < 0.2 ? 3000 : 40);
        const xs = Array.from({ length: m }, () => Math.round(normal(r) * 50) / 10);
        s.updateAll(xs);
        truth[i] = (truth[i] as number[]).concat(xs);
      } else {
        // roll another sketch into this one and start that one afresh (as minutes roll into hours)
        const j = (i + 1 + r.int(pool.length - 1)) % pool.length;
        s.merge(pool[j] as KllSketch);
        truth[i] = (truth[i] as number[]).concat(truth[j] as number[]);
        pool[j] = new KllSketch(ks[j] as number, seededRandom(1000 + step));
        truth[j] = [];
      }
      const state = s.toJSON();
      const back = KllSketch.fromJSON(state, seededRandom(0)); // validates sortedness, weights, capacity
      assert.deepEqual(back.toJSON(), state);
      assert.equal(truth[i]?.length, s.n);
      if (s.n > 0) {
        const exact = Float64Array.from(truth[i] as number[]).sort();
        assert.equal(s.min, exact[0]);
        assert.equal(s.max, exact[exact.length - 1]);
        if (step % 40 === 0) assert.ok(maxRankError(s, exact) <= KllSketch.normalizedRankError(s.minK));
      }
    }
  });

  test('merging into an empty sketch, merging an empty one, and merging a sketch with itself', () => {
    const data = sample(GENERATORS.normal as Gen, 3000, 12);
    const a = new KllSketch(200, seededRandom(1));
    a.updateAll(data);
    const e = new KllSketch(200, seededRandom(2));
    e.merge(a);
    assert.equal(e.n, 3000);
    assert.equal(e.min, a.min);
    const before = a.toJSON();
    a.merge(new KllSketch(200, seededRandom(3)));
    assert.deepEqual(a.toJSON(), before);
    a.merge(a);
    assert.equal(a.n, 6000);
    assert.ok(maxRankError(a, sorted(data)) <= EPS200);
    // an exact + exact merge that still fits stays exact
    const x = new KllSketch(200, seededRandom(4));
    x.updateAll([3, 1, 2]);
    const y = new KllSketch(200, seededRandom(5));
    y.updateAll([2, 5]);
    x.merge(y);
    assert.equal(x.isEstimationMode, false);
    assert.deepEqual(Array.from(x.sortedView().items), [1, 2, 2, 3, 5]);
    assert.deepEqual(Array.from(x.sortedView().cumWeights), [1, 2, 3, 4, 5]);
  });
});

describe('KllSketch serialisation', () => {
  const cases: [string, number[] | Float64Array][] = [
    ['empty', []],
    ['single item', [4.25]],
    ['exact', [3, -1, 2, 2, 1e300, -5e-324]],
    ['estimation mode', sample(GENERATORS.lognormal as Gen, 123_457, 21)],
  ];
  for (const [name, data] of cases) {
    test(`JSON and binary round trips are exact (${name})`, () => {
      const s = new KllSketch(200, seededRandom(7));
      s.updateAll(data);
      s.quantile(0.5);
      const state = s.toJSON();
      const viaJson = KllSketch.fromJSON(JSON.parse(JSON.stringify(s)), seededRandom(8));
      const viaBytes = KllSketch.fromBytes(s.toBytes(), seededRandom(8));
      for (const t of [viaJson, viaBytes]) {
        assert.deepEqual(t.toJSON(), state);
        assert.deepEqual(t.toBytes(), s.toBytes());
        assert.ok(Object.is(t.min, s.min) && Object.is(t.max, s.max));
        assert.equal(t.n, s.n);
        assert.deepEqual(t.sortedView(), s.sortedView());
      }
      // the restored sketches continue exactly like the original given the same random state
      const more = sample(GENERATORS.normal as Gen, 5000, 22);
      const orig = KllSketch.fromJSON(state, seededRandom(8));
      viaJson.updateAll(more);
      orig.updateAll(more);
      viaBytes.updateAll(more);
      assert.deepEqual(viaJson.toJSON(), orig.toJSON());
      assert.deepEqual(viaBytes.toJSON(), orig.toJSON());
      // size: 40-byte header, 4 bytes per level (padded to 8), 8 bytes per retained item
      const L = state.levels.length;
      assert.equal(s.toBytes().length, 40 + 4 * L + (L % 2) * 4 + 8 * s.numRetained);
    });
  }

  test('a sketch read back (levels packed) continues exactly like one never serialised: updates, merges into and from it', () => {
    // The original's random source is switched to a fresh one at the moment it is serialised, so both continue
    // from the same random state.
    const switchable = (seed: number): Random & { inner: Random } => {
      const r = { inner: seededRandom(seed), next: () => r.inner.next(), int: (n: number) => r.inner.int(n) };
      return r;
    };
    for (const size of [0, 4, 199, 200, 201, 5000, 123_457]) {
      const data = sample(GENERATORS.lognormal as Gen, size, 41);
      const other = new KllSketch(200, seededRandom(3));
      other.updateAll(sample(GENERATORS.normal as Gen, 3000, 42));
      for (const step of ['update', 'updateAll', 'merge into', 'merge from'] as const) {
        const rOrig = switchable(5);
        const orig = new KllSketch(200, rOrig);
        orig.updateAll(data);
        rOrig.inner = seededRandom(9);
        const back = KllSketch.fromBytes(orig.toBytes(), seededRandom(9));
        const more = sample(GENERATORS.normal as Gen, 700, 43);
        if (step === 'update') for (const x of more) [orig, back].forEach((s) => s.update(x));
        if (step === 'updateAll') [orig, back].forEach((s) => s.updateAll(more));
        if (step === 'merge into') [orig, back].forEach((s) => s.merge(other));
        if (step === 'merge from') {
          const a = other.clone(seededRandom(11));
          const b = other.clone(seededRandom(11));
          a.merge(orig);
          b.merge(back);
          assert.deepEqual(b.toBytes(), a.toBytes(), `${step} (${size})`);
          continue;
        }
        assert.deepEqual(back.toBytes(), orig.toBytes(), `${step} (${size})`);
        assert.deepEqual(back.sortedView(), orig.sortedView(), `${step} (${size})`);
      }
    }
  });

  test('binary form of a 1e6-item sketch is a few KB', () => {
    const s = new KllSketch(200, seededRandom(1));
    s.updateAll(sample(GENERATORS.normal as Gen, 1_000_000, 31));
    const bytes = s.toBytes();
    assert.ok(bytes.length < 6000, `${bytes.length} bytes`);
    assert.equal(bytes[0], 0x4b);
    assert.equal(new DataView(bytes.buffer).getUint16(6, true), 200);
  });

  test('corrupt input is rejected', () => {
    const s = new KllSketch(200, seededRandom(1));
    s.updateAll(sample(GENERATORS.normal as Gen, 1000, 3));
    const bytes = s.toBytes();
    const r = seededRandom(2);
    assert.throws(() => KllSketch.fromBytes(bytes.subarray(0, bytes.length - 8), r), /length/);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    assert.throws(() => KllSketch.fromBytes(badMagic, r), /magic/);
    const badN = bytes.slice();
    new DataView(badN.buffer).setBigUint64(16, 999n, true);
    assert.throws(() => KllSketch.fromBytes(badN, r), /weights/);
    const state = s.toJSON();
    assert.throws(() => KllSketch.fromJSON({ ...state, n: state.n + 1 }, r), /weights/);
    const unsorted = structuredClone(state);
    const top = unsorted.levels[unsorted.levels.length - 1] as number[];
    top.reverse();
    assert.throws(() => KllSketch.fromJSON(unsorted, r), /sorted/);
    assert.throws(() => KllSketch.fromJSON({ ...state, min: (state.min as number) + 0.5 }, r), /outside/);
    assert.throws(() => KllSketch.fromJSON({ ...state, min: 100 }, r), /min\/max/);
    assert.throws(() => KllSketch.fromJSON({ ...state, k: 5 }, r), RangeError);
  });
});

describe('KllSketch.mergeBytes (issue 3: cold range queries merge stored sketches without building them)', () => {
  test('equals merge(fromBytes(bytes)) bit for bit, sketch after sketch, exact and compacted, into either', () => {
    // A target built up by a sequence of merges, as a range query does: minute-like (exact, level 0 only) and
    // hour-like (compacted) sources, some empty, in an order that makes the target compact several times.
    const sizes = [4, 0, 3, 240, 5, 1, 5000, 7, 0, 123_457, 2, 199, 200, 201];
    const sources = sizes.map((n, i) => {
      const sk = new KllSketch(i % 3 === 0 ? 200 : 100, seededRandom(100 + i));
      sk.updateAll(sample(GENERATORS[i % 2 === 0 ? 'normal' : 'tied integers'] as Gen, n, 200 + i));
      return sk.toBytes();
    });
    // One whose minK is below its k (it merged a compacted sketch of smaller k): the target takes that minK.
    const mixed = new KllSketch(200, seededRandom(8));
    const small = new KllSketch(32, seededRandom(9));
    small.updateAll(sample(GENERATORS.normal as Gen, 4000, 10));
    mixed.updateAll(sample(GENERATORS.normal as Gen, 900, 11));
    mixed.merge(small);
    assert.equal(mixed.minK, 32);
    sources.splice(5, 0, mixed.toBytes());
    for (const k of [200, 64]) {
      const viaSketch = new KllSketch(k, seededRandom(7));
      const viaBytes = new KllSketch(k, seededRandom(7));
      for (const [i, b] of sources.entries()) {
        viaSketch.merge(KllSketch.fromBytes(b, seededRandom(1)));
        viaBytes.mergeBytes(b);
        assert.deepEqual(viaBytes.toBytes(), viaSketch.toBytes(), `k ${k}, after source ${i}`);
      }
      assert.equal(viaBytes.minK, viaSketch.minK);
      assert.deepEqual(viaBytes.sortedView(), viaSketch.sortedView());
    }
    // Bytes in a larger buffer at an odd offset (as sections of a stored summary are) read the same.
    const at = new Uint8Array((sources[3] as Uint8Array).length + 3);
    at.set(sources[3] as Uint8Array, 3);
    const a = new KllSketch(200, seededRandom(4));
    const b = new KllSketch(200, seededRandom(4));
    a.mergeBytes(sources[3] as Uint8Array);
    b.mergeBytes(at.subarray(3));
    assert.deepEqual(b.toBytes(), a.toBytes());
  });

  test('corrupt bytes fail as fromBytes fails and merge nothing', () => {
    const src = new KllSketch(200, seededRandom(1));
    src.updateAll(sample(GENERATORS.normal as Gen, 3000, 3));
    const bytes = src.toBytes();
    const target = new KllSketch(200, seededRandom(5));
    target.updateAll(sample(GENERATORS.normal as Gen, 500, 4));
    const before = target.toBytes();
    const unsorted = bytes.slice();
    const dv = new DataView(unsorted.buffer);
    const L = dv.getUint8(10);
    const top = unsorted.length - 8 * dv.getUint32(40 + 4 * (L - 1), true);
    dv.setFloat64(top, dv.getFloat64(unsorted.length - 8, true), true); // the top level's first item = its last
    const badK = bytes.slice();
    new DataView(badK.buffer).setUint16(6, 5, true);
    const badN = bytes.slice();
    new DataView(badN.buffer).setBigUint64(16, 999n, true);
    const hugeN = bytes.slice();
    new DataView(hugeN.buffer).setBigUint64(16, 2n ** 53n, true); // one past Number.MAX_SAFE_INTEGER
    const cases: Array<[Uint8Array, RegExp]> = [[bytes.subarray(0, bytes.length - 8), /length/], [unsorted, /sorted/], [badK, /k must be/], [badN, /weights/], [hugeN, /n too large/]];
    for (const [bad, why] of cases) {
      assert.throws(() => KllSketch.fromBytes(bad, seededRandom(1)), why);
      assert.throws(() => target.mergeBytes(bad), why);
      assert.deepEqual(target.toBytes(), before);
    }
  });
});

describe('KllSketch accuracy against the a-priori bound', () => {
  test('max rank error over 200 fixed seeds is within normalizedRankError(200) in >= 99% of trials', () => {
    const n = 50_000;
    const data = sample(GENERATORS.normal as Gen, n, 2024);
    const exact = sorted(data);
    const errors: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const s = new KllSketch(200, seededRandom(seed));
      s.updateAll(data);
      errors.push(maxRankError(s, exact));
    }
    const within = errors.filter((e) => e <= EPS200).length;
    errors.sort((a, b) => a - b);
    const median = errors[100] as number;
    const worst = errors[199] as number;
    assert.ok(within >= 198, `${within}/200 within ${EPS200}; median ${median}, worst ${worst}`);
    assert.ok(median < EPS200);
  });
});
