/* global console */
// The seed loop of server-parity.mjs and metrics-parity.mjs.

/**
 * Runs `runSeed(seed, totals)` (the seed's differences, as texts) for the seeds first .. first + count - 1, one after
 * the other, counting them in totals.seeds and printing each seed's count of differences, then its first `show` ones.
 * Returns every difference, each prefixed by its seed.
 */
export async function eachSeed(first, count, totals, runSeed, show = 0) {
  const all = [];
  for (let seed = first; seed < first + count; seed++) {
    const d = await runSeed(seed, totals);
    totals.seeds++;
    for (const x of d) all.push(`seed ${seed}: ${x}`);
    console.log(`seed ${seed}: ${d.length} differences`);
    for (const x of d.slice(0, show)) console.log(`  ${x.slice(0, 600)}`);
  }
  return all;
}
