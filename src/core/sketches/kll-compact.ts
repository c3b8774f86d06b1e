// Compaction and merge machinery of the KLL sketch (see kll.ts), hand ported from Apache DataSketches
// (datasketches-cpp kll_sketch_impl.hpp: compress_while_updating, add_empty_top_level_to_completely_full_sketch,
// merge_higher_levels, populate_work_arrays; datasketches-java KllDoublesHelper.generalDoublesCompress).

import type { Random } from '../random/rng.js';
import {
  KLL_MAX_LEVELS, levelCapacity, mergeSorted, randomlyHalveDown, randomlyHalveUp, sortRange, totalCapacity,
  ubOnNumLevels,
} from './kll-helpers.js';

/**
 * The level structure: level h is items[levels[h] .. levels[h+1]) and each of its items stands for
 * 2^h input items; free space is items[0 .. levels[0]) and levels[numLevels] = items.length (the
 * total capacity for numLevels levels; a sketch of one level may have a smaller buffer, see emptyLevels). Level 0 is unsorted (newest item lowest); levels >= 1
 * are sorted ascending. levels.length >= numLevels + 2. A sketch read back from bytes holds its
 * levels packed (items = exactly the retained items, levels[0] = 0): fine to read and to merge
 * from; unpackLevels restores the full layout before anything writes to it.
 */
export interface KllLevels {
  items: Float64Array;
  levels: Int32Array;
  numLevels: number;
}

/**
 * Packed levels (levelsFromParts: items holds exactly the retained items) re-laid into the full capacity
 * for their number of levels, free space below level 0, as compaction and merging expect. Same items, same
 * boundaries relative to each other: the sketch behaves exactly as if it had never been packed.
 */
export function unpackLevels(s: KllLevels, k: number): KllLevels {
  const L = s.numLevels;
  const cap = totalCapacity(k, L);
  const beg = s.levels[0] as number;
  const retained = (s.levels[L] as number) - beg;
  const items = new Float64Array(cap);
  const shift = cap - retained - beg;
  items.set(s.items.subarray(beg, beg + retained), cap - retained);
  const levels = new Int32Array(Math.max(s.levels.length, L + 2));
  for (let h = 0; h <= L; h++) levels[h] = (s.levels[h] as number) + shift;
  return { items, levels, numLevels: L };
}

/**
 * Room a new sketch's buffer starts with. A sketch of one level holds its items at the top of a buffer of any size up
 * to its capacity k, grown (makeRoom) when full: the same items in the same places relative to level 0's start, so it
 * behaves exactly as one laid out at full capacity from the start. Allocating k slots (1.6 KB at k = 200, an off-heap
 * buffer) for every new window summary's every numeric part, most of which see a few values (a minute window of a
 * segment), was the largest single cost of a demo fill (`serve --demo`, ~3 million of them) and much of its garbage.
 * 8 doubles (64 bytes) fit V8's on-heap typed arrays.
 */
const INITIAL_ROOM = 8;

export function emptyLevels(k: number): KllLevels {
  const room = Math.min(k, INITIAL_ROOM);
  const levels = new Int32Array(4);
  levels[0] = room;
  levels[1] = room;
  return { items: new Float64Array(room), levels, numLevels: 1 };
}

/**
 * The buffer is full (levels[0] = 0): a one-level sketch whose buffer is smaller than its capacity k (emptyLevels)
 * gets a buffer twice as large (at most k) with its items moved to the top, where a full-capacity one would simply
 * have had free space; any other compacts (compressWhileUpdating), as a full-capacity buffer then does.
 */
export function makeRoom(s: KllLevels, k: number, caps: Int32Array, random: Random): void {
  const len = s.items.length;
  if (s.numLevels !== 1 || len >= k) {
    compressWhileUpdating(s, k, caps, random);
    return;
  }
  const size = Math.min(k, Math.max(INITIAL_ROOM, 2 * len));
  const beg = s.levels[0] as number;
  const items = new Float64Array(size);
  items.set(s.items.subarray(beg, len), size - (len - beg));
  const shift = size - len;
  s.levels[0] = beg + shift;
  s.levels[1] = size;
  s.items = items;
}

export function numRetained(s: KllLevels): number {
  return (s.levels[s.numLevels] as number) - (s.levels[0] as number);
}

/**
 * The buffer is full (levels[0] = 0): compact the lowest level at capacity, adding a level on top
 * first when that is the top level. caps is capTable(k): capacity by depth below the top level.
 */
export function compressWhileUpdating(s: KllLevels, k: number, caps: Int32Array, random: Random): void {
  const top = s.numLevels - 1;
  let levels = s.levels;
  let level = 0;
  while (((levels[level + 1] as number) - (levels[level] as number)) < (caps[top - level] as number)) {
    level++;
  }
  if (level === top) {
    addEmptyTopLevel(s, k); // replaces items and possibly levels
    levels = s.levels;
  }
  const items = s.items;
  const rawBeg = levels[level] as number;
  const rawLim = levels[level + 1] as number;
  const popAbove = (levels[level + 2] as number) - rawLim;
  const rawPop = rawLim - rawBeg;
  const oddPop = (rawPop & 1) === 1;
  const adjBeg = oddPop ? rawBeg + 1 : rawBeg;
  const adjPop = oddPop ? rawPop - 1 : rawPop;
  const halfAdjPop = adjPop >>> 1;
  const l0 = levels[0] as number;
  if (level === 0) sortRange(items, adjBeg, adjBeg + adjPop);
  if (popAbove === 0) {
    randomlyHalveUp(items, adjBeg, adjPop, random);
  } else {
    randomlyHalveDown(items, adjBeg, adjPop, random);
    mergeSorted(items, adjBeg, halfAdjPop, items, rawLim, popAbove, items, adjBeg + halfAdjPop);
  }
  const newLim = rawLim - halfAdjPop;
  levels[level + 1] = newLim;
  if (oddPop) {
    levels[level] = newLim - 1; // the level keeps its odd item out
    items[newLim - 1] = items[rawBeg] as number;
  } else {
    levels[level] = newLim;
  }
  // shift the levels below up so that the freed space ends up below level 0
  if (level > 0) {
    items.copyWithin(l0 + halfAdjPop, l0, rawBeg);
    for (let h = 0; h < level; h++) levels[h] = (levels[h] as number) + halfAdjPop;
  }
}

function addEmptyTopLevel(s: KllLevels, k: number): void {
  const L = s.numLevels;
  if (L >= KLL_MAX_LEVELS) throw new Error('KllSketch: too many levels');
  const curCap = s.levels[L] as number;
  const delta = levelCapacity(k, L + 1, 0);
  const items = new Float64Array(curCap + delta);
  items.set(s.items, delta);
  s.items = items;
  if (s.levels.length < L + 3) {
    const lv = new Int32Array(L + 4);
    lv.set(s.levels);
    s.levels = lv;
  }
  for (let h = 0; h <= L; h++) s.levels[h] = (s.levels[h] as number) + delta;
  s.numLevels = L + 1;
  s.levels[L + 1] = curCap + delta;
}

/**
 * Merges the levels of other into s (kll_sketch::merge minus the min/max/n bookkeeping): other's
 * level 0 is inserted item by item, then levels >= 1 are merged and generalCompress restores the
 * capacity constraints. finalN is the combined item count.
 */
export function mergeLevels(
  s: KllLevels, k: number, caps: Int32Array, other: KllLevels, finalN: number, random: Random,
): void {
  const oItems = other.items;
  for (let i = other.levels[0] as number, end = other.levels[1] as number; i < end; i++) {
    let l0 = s.levels[0] as number;
    if (l0 === 0) {
      makeRoom(s, k, caps, random);
      l0 = s.levels[0] as number;
    }
    s.levels[0] = --l0;
    s.items[l0] = oItems[i] as number;
  }
  if (other.numLevels >= 2) mergeHigherLevels(s, k, other, finalN, random);
}

function mergeHigherLevels(s: KllLevels, k: number, other: KllLevels, finalN: number, random: Random): void {
  const oLevels = other.levels;
  const oItems = other.items;
  const levels = s.levels;
  const items = s.items;
  const tmpNum = numRetained(s) + ((oLevels[other.numLevels] as number) - (oLevels[1] as number));
  const ub = ubOnNumLevels(finalN);
  const { work, worklevels, outlevels } = scratch(tmpNum, ub + 2);
  const provisional = Math.max(s.numLevels, other.numLevels);
  const pop = (lv: Int32Array, L: number, h: number): number =>
    h >= L ? 0 : (lv[h + 1] as number) - (lv[h] as number);
  // populate the work arrays: level 0 of s (already holding other's level 0), merged levels >= 1
  const pop0 = pop(levels, s.numLevels, 0);
  work.set(items.subarray(levels[0] as number, (levels[0] as number) + pop0), 0);
  worklevels[1] = pop0;
  for (let h = 1; h < provisional; h++) {
    const selfPop = pop(levels, s.numLevels, h);
    const otherPop = pop(oLevels, other.numLevels, h);
    const at = worklevels[h] as number;
    worklevels[h + 1] = at + selfPop + otherPop;
    if (selfPop > 0 && otherPop === 0) {
      work.set(items.subarray(levels[h] as number, (levels[h] as number) + selfPop), at);
    } else if (selfPop === 0 && otherPop > 0) {
      work.set(oItems.subarray(oLevels[h] as number, (oLevels[h] as number) + otherPop), at);
    } else if (selfPop > 0 && otherPop > 0) {
      mergeSorted(items, levels[h] as number, selfPop, oItems, oLevels[h] as number, otherPop, work, at);
    }
  }
  const r = generalCompress(k, provisional, work, worklevels, outlevels, random);
  if (r.numLevels > ub || r.numLevels > KLL_MAX_LEVELS) throw new Error('KllSketch: merge error');
  const newItems = r.capacity === items.length ? items : new Float64Array(r.capacity);
  const freeAtBottom = r.capacity - r.numItems;
  const out0 = outlevels[0] as number;
  newItems.set(work.subarray(out0, out0 + r.numItems), freeAtBottom);
  const newLevels = levels.length >= r.numLevels + 2 ? levels : new Int32Array(r.numLevels + 2);
  for (let h = 0; h <= r.numLevels; h++) newLevels[h] = (outlevels[h] as number) + freeAtBottom - out0;
  s.items = newItems;
  s.levels = newLevels;
  s.numLevels = r.numLevels;
}

/**
 * Work buffers of mergeHigherLevels, kept between calls (a cold query merges thousands of sketches; allocating
 * them each time was a tenth of its time). Only ever used within one synchronous call. Their contents past what
 * a call writes are never read: populate writes every work slot and level boundary generalCompress reads.
 */
let scratchWork = new Float64Array(1024);
let scratchLevels = new Int32Array(2 * (KLL_MAX_LEVELS + 2));

function scratch(items: number, levels: number): { work: Float64Array; worklevels: Int32Array; outlevels: Int32Array } {
  if (scratchWork.length < items) scratchWork = new Float64Array(Math.max(items, 2 * scratchWork.length));
  if (scratchLevels.length < 2 * levels) scratchLevels = new Int32Array(2 * levels);
  scratchLevels.fill(0);
  return {
    work: scratchWork.subarray(0, items),
    worklevels: scratchLevels.subarray(0, levels),
    outlevels: scratchLevels.subarray(levels, 2 * levels),
  };
}

export interface CompressResult {
  numLevels: number;
  /** Total capacity for the final number of levels. */
  capacity: number;
  /** Retained items after compression. */
  numItems: number;
}

/**
 * DataSketches' generalCompress (used by merge): walks up the levels of buf (boundaries in
 * inLevels, level 0 unsorted, higher levels sorted) and compacts every level that is over
 * capacity while the sketch as a whole is over capacity, possibly adding levels. Works in place
 * (output boundaries in outLevels). inLevels and outLevels need ubOnNumLevels(n) + 2 entries.
 */
export function generalCompress(
  k: number,
  numLevelsIn: number,
  buf: Float64Array,
  inLevels: Int32Array,
  outLevels: Int32Array,
  random: Random,
): CompressResult {
  let numLevels = numLevelsIn;
  let currentItemCount = (inLevels[numLevels] as number) - (inLevels[0] as number);
  let targetItemCount = totalCapacity(k, numLevels);
  outLevels[0] = 0;
  let curLevel = -1;
  for (;;) {
    curLevel++;
    // at the current top level, add an empty level above it for convenience
    if (curLevel === numLevels - 1) inLevels[curLevel + 2] = inLevels[curLevel + 1] as number;
    const rawBeg = inLevels[curLevel] as number;
    const rawLim = inLevels[curLevel + 1] as number;
    const rawPop = rawLim - rawBeg;
    const outBeg = outLevels[curLevel] as number;
    if (currentItemCount < targetItemCount || rawPop < levelCapacity(k, numLevels, curLevel)) {
      // copy the level as is (never moves data upwards: outBeg <= rawBeg)
      if (outBeg !== rawBeg) buf.copyWithin(outBeg, rawBeg, rawLim);
      outLevels[curLevel + 1] = outBeg + rawPop;
    } else {
      // the sketch is too full and so is this level: compact it
      const popAbove = (inLevels[curLevel + 2] as number) - rawLim;
      const oddPop = (rawPop & 1) === 1;
      const adjBeg = oddPop ? rawBeg + 1 : rawBeg;
      const adjPop = oddPop ? rawPop - 1 : rawPop;
      const halfAdjPop = adjPop >>> 1;
      if (oddPop) {
        buf[outBeg] = buf[rawBeg] as number;
        outLevels[curLevel + 1] = outBeg + 1;
      } else {
        outLevels[curLevel + 1] = outBeg;
      }
      if (curLevel === 0) sortRange(buf, adjBeg, adjBeg + adjPop);
      if (popAbove === 0) {
        randomlyHalveUp(buf, adjBeg, adjPop, random);
      } else {
        randomlyHalveDown(buf, adjBeg, adjPop, random);
        mergeSorted(buf, adjBeg, halfAdjPop, buf, rawLim, popAbove, buf, adjBeg + halfAdjPop);
      }
      currentItemCount -= halfAdjPop;
      inLevels[curLevel + 1] = rawLim - halfAdjPop;
      if (curLevel === numLevels - 1) {
        numLevels++;
        targetItemCount += levelCapacity(k, numLevels, 0);
      }
    }
    if (curLevel === numLevels - 1) break;
  }
  return { numLevels, capacity: targetItemCount, numItems: currentItemCount };
}
