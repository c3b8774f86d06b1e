import { seededRandom } from '../../src/core/random/rng.js';

/**
 * A 3-class model whose raw scores are over-confident (true probabilities squared and renormalised, 3 decimals): rows of
 * the reference (with labels drawn from the true probabilities) and of the traffic, from seed 11.
 */
export function multiclassRows(): { reference: string; events: Array<{ prediction: string; scores: number[]; label: string }> } {
  const r = seededRandom(11);
  const classes = ['a', 'b', 'c'];
  const row = (): { prediction: string; scores: number[]; label: string } => {
    const logits = classes.map(() => r.next() * 3);
    const e = logits.map((x) => Math.exp(x));
    const sum = e.reduce((a, b) => a + b, 0);
    const truth = e.map((x) => x / sum);
    const sq = truth.map((x) => x * x);
    const sqSum = sq.reduce((a, b) => a + b, 0);
    const scores = sq.map((x) => Math.round((x / sqSum) * 1000) / 1000);
    const u = r.next();
    const label = u < (truth[0] as number) ? 'a' : u < (truth[0] as number) + (truth[1] as number) ? 'b' : 'c';
    const prediction = classes[scores.indexOf(Math.max(...scores))] as string;
    return { prediction, scores, label };
  };
  const ref = Array.from({ length: 600 }, row);
  const reference = `x,prediction,score_a,score_b,score_c,label\n${ref.map((x, i) => `${i},${x.prediction},${x.scores.join(',')},${x.label}`).join('\n')}\n`;
  return { reference, events: Array.from({ length: 300 }, row) };
}
