// Serialisation of the KLL sketch (see kll.ts): a plain-JSON state and a compact binary form.
// Both carry the complete sketch state except the random source, so a round trip restores a
// sketch whose queries, updates and merges behave exactly like the original's (given the same
// random source state).

import type { KllLevels } from './kll-compact.js';
import { KLL_M, KLL_MAX_LEVELS, KLL_MIN_K, totalCapacity } from './kll-helpers.js';

/** Plain-JSON state of a KllSketch (KllSketch.toJSON / KllSketch.fromJSON). */
export interface KllState {
  version: 1;
  /** Configured k (sets the level capacities). */
  k: number;
  /** Smallest k among the sketches merged in while in estimation mode (sets the error bound). */
  minK: number;
  /** Minimum level width; always 8. */
  m: number;
  /** Number of (finite) items seen. */
  n: number;
  /** Exact stream min / max; null when empty. */
  min: number | null;
  max: number | null;
  /** levels[h]: retained items of weight 2^h (level 0 in buffer order, higher levels sorted). */
  levels: number[][];
}

/** Decoded parts, validated by the sketch when it is rebuilt (levelsFromParts). */
export interface KllParts {
  k: number;
  minK: number;
  m: number;
  n: number;
  min: number;
  max: number;
  /** Retained item count of each level 0..L-1. */
  sizes: readonly number[];
  /** The retained items back to back, level 0 first: as doubles, or as their little-endian bytes (binary form). */
  items: Float64Array | Uint8Array;
}

/** Whether float64 arrays are little-endian here (always, on the platforms Node runs on; checked anyway). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/*
 * Binary layout (all little-endian), serial version 1:
 *
 *   offset  size            field
 *        0  4               magic "KLLD" (0x4b 0x4c 0x4c 0x44)
 *        4  1               serial version (1)
 *        5  1               m (8)
 *        6  2               k (uint16)
 *        8  2               minK (uint16)
 *       10  1               numLevels L (1..61)
 *       11  1               flags: bit 0 = empty (n = 0); other bits 0
 *       12  4               R = number of retained items (uint32)
 *       16  8               n (uint64)
 *       24  8               min (float64; NaN when empty)
 *       32  8               max (float64; NaN when empty)
 *       40  4 * L           retained item count of each level 0..L-1 (uint32)
 *        …  0 or 4          zero padding so the items start at a multiple of 8
 *        D  8 * R           items (float64): level 0 (buffer order), then level 1, 2, … (sorted)
 *
 * Total size = 40 + 4L (+4 when L is odd) + 8R bytes.
 */
const MAGIC = [0x4b, 0x4c, 0x4c, 0x44];
const SERIAL_VERSION = 1;
const HEADER_BYTES = 40;

export function kllToBytes(p: {
  k: number; minK: number; m: number; n: number; min: number; max: number;
  numLevels: number; items: Float64Array; levels: Int32Array;
}): Uint8Array {
  const L = p.numLevels;
  const beg = p.levels[0] as number;
  const R = (p.levels[L] as number) - beg;
  const dataStart = HEADER_BYTES + 4 * L + (L % 2 === 1 ? 4 : 0);
  const out = new Uint8Array(dataStart + 8 * R);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) dv.setUint8(i, MAGIC[i] as number);
  dv.setUint8(4, SERIAL_VERSION);
  dv.setUint8(5, p.m);
  dv.setUint16(6, p.k, true);
  dv.setUint16(8, p.minK, true);
  dv.setUint8(10, L);
  dv.setUint8(11, p.n === 0 ? 1 : 0);
  dv.setUint32(12, R, true);
  dv.setBigUint64(16, BigInt(p.n), true);
  dv.setFloat64(24, p.n === 0 ? NaN : p.min, true);
  dv.setFloat64(32, p.n === 0 ? NaN : p.max, true);
  for (let h = 0; h < L; h++) {
    dv.setUint32(HEADER_BYTES + 4 * h, (p.levels[h + 1] as number) - (p.levels[h] as number), true);
  }
  for (let i = 0; i < R; i++) dv.setFloat64(dataStart + 8 * i, p.items[beg + i] as number, true);
  return out;
}

export function kllFromBytes(bytes: Uint8Array): KllParts {
  const fail = (why: string): never => {
    throw new Error(`KllSketch.fromBytes: ${why}`);
  };
  if (bytes.length < HEADER_BYTES) fail('too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < 4; i++) if (dv.getUint8(i) !== MAGIC[i]) fail('bad magic');
  if (dv.getUint8(4) !== SERIAL_VERSION) fail(`unsupported serial version ${dv.getUint8(4)}`);
  const m = dv.getUint8(5);
  const k = dv.getUint16(6, true);
  const minK = dv.getUint16(8, true);
  const L = dv.getUint8(10);
  const flags = dv.getUint8(11);
  const R = dv.getUint32(12, true);
  // uint64 as two halves (no BigInt per sketch): at most 2^53 - 1, so the high half is at most 2^21 - 1.
  const nHigh = dv.getUint32(20, true);
  if (nHigh > 0x1fffff) fail('n too large');
  const n = nHigh * 2 ** 32 + dv.getUint32(16, true);
  if ((flags & 1) !== (n === 0 ? 1 : 0) || (flags & ~1) !== 0) fail('bad flags');
  const min = dv.getFloat64(24, true);
  const max = dv.getFloat64(32, true);
  if (L < 1) fail('no levels');
  const dataStart = HEADER_BYTES + 4 * L + (L % 2 === 1 ? 4 : 0);
  if (bytes.length !== dataStart + 8 * R) fail('length does not match the header');
  const sizes: number[] = [];
  let seen = 0;
  for (let h = 0; h < L; h++) {
    const size = dv.getUint32(HEADER_BYTES + 4 * h, true);
    seen += size;
    if (seen > R) fail('level sizes exceed the item count');
    sizes.push(size);
  }
  if (seen !== R) fail('level sizes do not add up to the item count');
  // The item bytes as they are (a view, not a copy): levelsFromParts copies them once, into the sketch's buffer.
  return { k, minK, m, n, min, max, sizes, items: bytes.subarray(dataStart, dataStart + 8 * R) };
}

export function kllFromState(state: KllState): KllParts {
  const fail = (why: string): never => {
    throw new Error(`KllSketch.fromJSON: ${why}`);
  };
  if (typeof state !== 'object' || state === null) fail('not an object');
  if (state.version !== 1) fail(`unsupported version ${String(state.version)}`);
  if (!Array.isArray(state.levels) || state.levels.length === 0) fail('levels must be a non-empty array');
  let total = 0;
  for (const [h, lv] of state.levels.entries()) {
    if (!Array.isArray(lv)) fail(`level ${h} is not an array`);
    total += lv.length;
  }
  const items = new Float64Array(total);
  let at = 0;
  for (const [h, lv] of state.levels.entries()) {
    for (const x of lv) {
      if (typeof x !== 'number') fail(`level ${h} holds a non-number`);
      items[at++] = x;
    }
  }
  const empty = state.n === 0;
  if (empty ? state.min !== null || state.max !== null : typeof state.min !== 'number' || typeof state.max !== 'number') {
    fail('min/max must be numbers, or null when n = 0');
  }
  return {
    k: state.k,
    minK: state.minK,
    m: state.m,
    n: state.n,
    min: state.min ?? NaN,
    max: state.max ?? NaN,
    sizes: state.levels.map((lv) => lv.length),
    items,
  };
}

/**
 * Checks every invariant of decoded parts (m, minK, sorted levels >= 1, finite items within
 * [min, max], level weights adding up to n, capacity) and lays the levels out packed: items holds
 * exactly the retained items (no free space), which is all that reading or merging from the sketch
 * needs; the sketch re-lays them into its full capacity (unpackLevels) before it is first written to.
 * Decoding is most of a cold query's time, and a full-capacity buffer per sketch (200 doubles for a
 * minute window holding 4) was most of decoding. k itself is validated by the KllSketch constructor.
 */
export function levelsFromParts(p: KllParts, who: string, into: LevelBuffers = fresh): KllLevels {
  const fail = (why: string): never => {
    throw new Error(`KllSketch.${who}: ${why}`);
  };
  if (p.m !== KLL_M) fail(`m must be ${KLL_M}`);
  if (!Number.isInteger(p.minK) || p.minK < KLL_MIN_K || p.minK > p.k) fail('bad minK');
  const L = p.sizes.length;
  if (L < 1 || L > KLL_MAX_LEVELS) fail('bad number of levels');
  if (p.n > 0 && (!Number.isFinite(p.min) || !Number.isFinite(p.max) || p.min > p.max)) fail('bad min/max');
  const cap = totalCapacity(p.k, L);
  let retained = 0;
  let weight = 0;
  for (let h = 0; h < L; h++) {
    const size = p.sizes[h] as number;
    retained += size;
    weight += size * 2 ** h;
  }
  if (!Number.isSafeInteger(p.n) || weight !== p.n) fail('level weights do not add up to n');
  if (retained > cap) fail('more items than the capacity of the levels');
  if (p.items.length !== (p.items instanceof Float64Array ? retained : 8 * retained)) fail('item count does not match the level sizes');
  // Packed: exactly the retained items, one copy, checked in place (see KllLevels: no free space until written to).
  const { items, levels } = into(retained, L);
  if (p.items instanceof Float64Array) items.set(p.items);
  // (V8 keeps typed arrays of <= 64 bytes on its heap; asking one for its .buffer moves it off: slow, so not for those.)
  else if (LITTLE_ENDIAN && retained > 8) new Uint8Array(items.buffer).set(p.items);
  else {
    const dv = new DataView(p.items.buffer, p.items.byteOffset, p.items.byteLength);
    for (let i = 0; i < retained; i++) items[i] = dv.getFloat64(8 * i, true);
  }
  let pos = 0;
  const lo = p.min;
  const hi = p.max;
  for (let h = 0; h < L; h++) {
    levels[h] = pos;
    const end = pos + (p.sizes[h] as number);
    for (let i = pos; i < end; i++) {
      const x = items[i] as number;
      // Finite, not -0 (1 / -0 = -Infinity), within [min, max], and sorted above level 0.
      if (x - x !== 0 || (x === 0 && 1 / x < 0)) fail('items must be finite (and not -0)');
      if (!(x >= lo && x <= hi)) fail('item outside [min, max]');
      if (h > 0 && i > pos && x < (items[i - 1] as number)) fail(`level ${h} is not sorted`);
    }
    pos = end;
  }
  levels[L] = retained;
  return { items, levels, numLevels: L };
}

/**
 * Where levelsFromParts lays the items and level offsets: buffers of at least `retained` items (from index 0 of their
 * ArrayBuffer) and L + 2 offsets.
 */
export type LevelBuffers = (retained: number, L: number) => { items: Float64Array; levels: Int32Array };

const fresh: LevelBuffers = (retained, L) => ({ items: new Float64Array(retained), levels: new Int32Array(L + 2) });

let sharedItems = new Float64Array(1024);
const sharedLevels = new Int32Array(KLL_MAX_LEVELS + 2);

/**
 * Buffers reused from call to call, for levels read only to be merged into another sketch at once (KllSketch.mergeBytes):
 * a cold range query merges thousands of stored sketches, and a copy of each was a large part of what it allocated.
 * What they hold is valid until the next call.
 */
export const sharedLevelBuffers: LevelBuffers = (retained) => {
  if (sharedItems.length < retained) sharedItems = new Float64Array(Math.max(retained, 2 * sharedItems.length));
  return { items: sharedItems, levels: sharedLevels };
};
