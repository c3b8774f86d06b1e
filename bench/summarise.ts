/**
 * bench:summarise — the delta worker's CPU per event, in-process and deterministic: a fixed, seeded group of
 * 20-feature events shaped as bench:ingest sends them (14 numerical, 6 categorical, binary prediction with a score and
 * a calibration, latency, 4 region segments, one minute), encoded as the journal record the worker is sent, then
 * decoded and summarised into packed deltas (decodeGroup + packedDeltas: what delta-worker.ts runs per job) ROUNDS
 * times. Prints µs per event of each part, against JSON.parse of the same events in the same run (a reference that
 * the code under test does not change), and a SHA-256 of the packed deltas: it must not change with an optimisation.
 * BENCH_ROUNDS (default 40), BENCH_EVENTS per group (default 1,420, bench:ingest's mean group), BENCH_QUIET=1 for a
 * no JSON.parse reference and no
 * output (under valgrind --tool=callgrind: the difference of two runs' totals over their rounds is what a round costs).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../src/core/random/rng.js';
import { fitIsotonic } from '../src/core/summary/calibration.js';
import type { SummarySpec } from '../src/core/summary/spec.js';
import { packedDeltas, type PackedDelta } from '../src/ingest/deltas.js';
import { decodeGroup, encodeGroup, type GroupInput } from '../src/ingest/group.js';
import { featureSet, makeRow, type Row } from './lib-data.js';

const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 40));
const EVENTS = Math.max(1, Number(process.env['BENCH_EVENTS'] ?? 1420));
const QUIET = process.env['BENCH_QUIET'] === '1';
const MINUTE = Date.UTC(2026, 11, 4, 12, 0);

function deciles(xs: number[]): number[] {
  const s = [...xs].sort((a, b) => a - b);
  return Array.from({ length: 9 }, (_, i) => s[Math.floor(((i + 1) * s.length) / 10)] as number);
}

/** The spec bench:ingest's model gets from its 2,000-row reference (deciles as edges, an isotonic calibration). */
export function benchSpec(): SummarySpec {
  const r = seededRandom(7);
  const fs = featureSet(14, 6);
  const ref: Row[] = Array.from({ length: 2000 }, () => makeRow(r, fs));
  const edges: Record<string, number[]> = {};
  for (const f of fs.numeric) edges[f] = deciles(ref.map((x) => x.features[f] as number));
  edges['__score'] = deciles(ref.map((x) => x.score));
  return {
    outputKind: 'binary',
    features: [...fs.numeric.map((name) => ({ name, kind: 'numerical' as const })), ...fs.categorical.map((name) => ({ name, kind: 'categorical' as const }))],
    edges,
    positiveClass: '1',
    calibration: fitIsotonic(ref.map((x) => x.score), ref.map((x) => (x.label === '1' ? 1 : 0))),
  };
}

/** A group of `n` events of one minute, as groupInput makes it from validated events. */
export function benchGroup(n: number, seed = 4242): GroupInput {
  const r = seededRandom(seed);
  const fs = featureSet(14, 6);
  const events = Array.from({ length: n }, (_, i) => {
    const x = makeRow(r, fs);
    return {
      model: 'm', version: '1', segment: `region=${x.region}`, ts: MINUTE + ((i * 37) % 60_000), features: x.features,
      prediction: x.prediction, score: x.score, scores: null, latencyMs: x.latencyMs, error: null, costUsd: null,
    };
  });
  return { minuteCutoff: MINUTE - 86_400_000, events, rejects: [] };
}

function digest(ds: PackedDelta[]): string {
  const h = createHash('sha256');
  for (const d of ds) h.update(`${d.model}|${d.version}|${d.segment}|${d.fine}|${d.start}|`).update(d.bytes);
  return h.digest('hex').slice(0, 16);
}

async function main(): Promise<void> {
  const spec = benchSpec();
  const specOf = (): SummarySpec => spec;
  const payload = encodeGroup(benchGroup(EVENTS));
  const json = JSON.stringify(benchGroup(EVENTS).events);
  // Per timed round, ms: the median and the best round are read, not the mean (the machine may be shared).
  const decodeMs: number[] = [];
  const summariseMs: number[] = [];
  const parseMs: number[] = [];
  let sum = '';
  let parsed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const g = decodeGroup(payload);
    const t1 = performance.now();
    const ds = await packedDeltas(g, specOf, false);
    const t2 = performance.now();
    if (!QUIET) parsed += (JSON.parse(json) as unknown[]).length;
    const t3 = performance.now();
    // The first quarter warms the JIT up.
    if (round >= Math.floor(ROUNDS / 4)) {
      decodeMs.push(t1 - t0);
      summariseMs.push(t2 - t1);
      parseMs.push(t3 - t2);
    }
    const d = digest(ds);
    if (sum !== '' && d !== sum) throw new Error(`deltas differ between rounds: ${d} against ${sum}`);
    sum = d;
  }
  if (QUIET) return;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  const us = (xs: number[]): string => `${((median(xs) * 1000) / EVENTS).toFixed(3)} (best ${((Math.min(...xs) * 1000) / EVENTS).toFixed(3)})`;
  const worker = decodeMs.map((d, i) => d + (summariseMs[i] as number));
  console.log(`bench:summarise — ${ROUNDS} rounds (the first ${Math.floor(ROUNDS / 4)} untimed) of a group of ${EVENTS} events x 20 features; µs per event, median of the rounds (best)`);
  console.log(`  decode the journal record: ${us(decodeMs)}`);
  console.log(`  summarise into packed deltas: ${us(summariseMs)}`);
  console.log(`  worker total: ${us(worker)}; reference JSON.parse of the same events: ${us(parseMs)}; ratio ${(median(worker) / median(parseMs)).toFixed(2)}`);
  console.log(`  deltas sha256: ${sum} (${parsed} events parsed)`);
}

await main();
