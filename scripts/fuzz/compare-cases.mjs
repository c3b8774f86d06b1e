/* global console */
// What compare-drift.mjs and compare-metrics.mjs share: the cases file (JSON lines written by drift.py or metrics.py,
// non-finite numbers as the strings 'nan', 'inf', '-inf'), the relative difference of Lookout's value and the
// reference's, and the summary printed at the end.
import fs from 'node:fs';
import readline from 'node:readline';

/** A value of the cases file as a number: 'nan', 'inf' and '-inf' as NaN and the infinities; anything else as it is. */
export const dec = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** |a - b| relative to the larger of both; 0 when equal (two NaN included), Infinity when only one is null or undefined. */
export function rel(a, b) {
  if (a === b) return 0;
  if (a === null || b === null || a === undefined || b === undefined) return Infinity;
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** The cases of the JSON lines file `path`, one by one. */
export async function* casesOf(path) {
  const rl = readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) yield JSON.parse(line);
}

/** The summary: how many values of each kind were compared, the worst relative difference of each, the first 60 failures. */
export function report(counts, worst, fails) {
  console.log(JSON.stringify({ counts, worst }));
  console.log(`${fails.length} failures`);
  for (const f of fails.slice(0, 60)) console.log(f);
}
