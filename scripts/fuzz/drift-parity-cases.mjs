// The seeded datasets of scripts/fuzz/drift-parity.mjs: per case a model's features (numerical and categorical) with
// their reference and current values (null: missing), and how each file writes a missing value.
import { rng } from './parity-scenario.mjs';

const NUMERIC = ['normal', 'skewed', 'ties', 'constant', 'tiny', 'tiny200', 'huge', 'huge200', 'cauchy', 'rounded'];
const CATEGORICAL = ['few', 'many', 'manyCur'];

function gauss(r) {
  const u = 1 - r.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.next());
}

/** A size: tiny, small (<= 200: sketches exact), medium (<= 1000: KS/chi-squared chosen), large. */
function size(r, max) {
  const p = r.next();
  if (p < 0.12) return 1 + r.int(5);
  if (p < 0.35) return 20 + r.int(181);
  if (p < 0.65) return 201 + r.int(800);
  return 1001 + r.int(max - 1000);
}

function numericValues(r, kind, n, shift) {
  const mu = r.next() * 10 - 5 + shift;
  const sd = (0.2 + r.next() * 3) * (shift !== 0 && r.chance(0.3) ? 1.5 : 1);
  const k = 1 + r.int(6);
  const c = r.pick([0, 3, -2.5, 7]) + (shift !== 0 ? 1 : 0);
  const v = () => {
    switch (kind) {
      case 'normal': return mu + sd * gauss(r);
      case 'skewed': return Math.exp(1.5 * gauss(r) + shift);
      case 'ties': return r.int(k) + (shift !== 0 && r.chance(0.3) ? 1 : 0);
      case 'constant': return c;
      case 'tiny': return (mu + sd * gauss(r)) * 1e-9;
      case 'tiny200': return (mu + sd * gauss(r)) * 1e-200;
      case 'huge': return 1e12 + (mu + sd * gauss(r)) * 1e9;
      case 'huge200': return (mu + sd * gauss(r)) * 1e200;
      case 'cauchy': return mu + Math.tan(Math.PI * (r.next() - 0.5));
      default: return Math.round((mu + sd * gauss(r)) * 10) / 10;
    }
  };
  return Array.from({ length: n }, v);
}

function categoricalValues(r, kind, n, shift, side) {
  // few: 2-6 categories; many: 150-400 (beyond the summaries' cap of 200 or not); manyCur: 30 in the reference, and
  // 200-300 new ones in the current data (its summary over the cap)
  const cats = kind === 'few' ? 2 + r.int(5) : kind === 'many' ? 150 + r.int(250) : 30;
  const skew = kind === 'manyCur' && side === 'cur' ? 1 : 0.5 + r.next() * 2;
  const extra = side !== 'cur' ? 0 : kind === 'manyCur' ? 200 + r.int(100) : shift !== 0 ? 1 + r.int(kind === 'few' ? 3 : 60) : 0;
  return Array.from({ length: n }, () => {
    const j = Math.floor(Math.pow(r.next(), skew) * (cats + extra));
    return j >= cats ? `new${j - cats}` : `k${j}`;
  });
}

function withMissing(r, xs, share) {
  return share === 0 ? xs : xs.map((x) => (r.next() < share ? null : x));
}

/**
 * Case `i` of seed `seed`: { model, nRef, nCur, offsetMinutes, features: [{ name, kind: 'num'|'cat', gen, ref, cur }],
 * missingText: {num, cat} (how each CSV writes a missing value) }.
 */
export function makeCase(seed, i, maxRows = 4000) {
  const r = rng(seed * 7919 + i * 104729 + 1);
  const nRef = size(r, maxRows);
  const nCur = r.chance(0.2) ? nRef : size(r, maxRows + 2000);
  const features = [];
  const nNum = 1 + r.int(4);
  const nCat = r.int(3);
  for (let f = 0; f < nNum; f++) {
    const gen = r.pick(NUMERIC);
    const genCur = r.chance(0.12) ? r.pick(NUMERIC) : gen;
    const shift = r.chance(0.5) ? r.pick([0.05, 0.3, 1, 3]) : 0;
    const seedF = r.int(1 << 30);
    const missRef = r.chance(0.3) ? r.next() * 0.4 : 0;
    const missCur = r.chance(0.3) ? r.next() * (r.chance(0.1) ? 1 : 0.4) : 0;
    const rr = rng(seedF);
    features.push({
      name: `n${f}_${gen}`, kind: 'num', gen: gen === genCur ? gen : `${gen}>${genCur}`,
      ref: withMissing(rr, numericValues(rr, gen, nRef, 0), missRef),
      cur: withMissing(rr, numericValues(rr, genCur, nCur, shift), missCur),
    });
  }
  for (let f = 0; f < nCat; f++) {
    const gen = r.pick(CATEGORICAL);
    const shift = r.chance(0.5) ? 1 : 0;
    const rr = rng(r.int(1 << 30));
    const ref = categoricalValues(rr, gen, nRef, 0, 'ref');
    const cur = categoricalValues(rr, gen, nCur, shift, 'cur');
    const missRef = r.chance(0.3) ? r.next() * 0.3 : 0;
    const missCur = r.chance(0.3) ? r.next() * 0.3 : 0;
    features.push({ name: `c${f}_${gen}`, kind: 'cat', gen, ref: withMissing(rr, ref, missRef), cur: withMissing(rr, cur, missCur) });
  }
  return {
    model: `dp${seed}x${i}`, nRef, nCur, offsetMinutes: r.int(60),
    // a threshold every method takes (a p-value or distance in (0, 1)) and a dataset drift share
    threshold: r.pick([0.01, 0.03, 0.2, 0.5]), driftShare: r.pick([0.2, 0.3, 0.75, 1]),
    missingText: { num: r.pick(['', 'NaN', 'NA', 'nan', '#N/A']), cat: r.pick(['', 'NA', 'null', '<NA>']) },
    features,
    // the reference uploaded after the events (their windows have no counts on its bins: bin shares from the sketches);
    // drawn from a stream of its own, so that the cases of a seed stay those they were before it was added
    eventsFirst: rng(seed * 31 + i * 7 + 3).chance(0.15),
    // both files as JSON lines (a missing value null or its key left out) instead of CSV (same stream rule)
    jsonl: rng(seed * 37 + i * 11 + 5).chance(0.25),
  };
}

/** The file text of one side: CSV, or JSON lines when the case says so; its extension; the upload's content type. */
export function fileOf(c, side) {
  if (!c.jsonl) return { text: csv(c, side), ext: 'csv', type: 'text/csv' };
  const n = side === 'ref' ? c.nRef : c.nCur;
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify(Object.fromEntries(c.features.map((f) => [f.name, f[side][i]]).filter(([, v], j) => v !== null || (i + j) % 2 === 0))));
  }
  return { text: lines.join('\n') + '\n', ext: 'jsonl', type: 'application/x-ndjson' };
}

/** The CSV text of one side (`ref` or `cur`), missing values written as the case says. */
export function csv(c, side) {
  const lines = [c.features.map((f) => f.name).join(',')];
  const n = side === 'ref' ? c.nRef : c.nCur;
  for (let i = 0; i < n; i++) {
    lines.push(c.features.map((f) => {
      const v = f[side][i];
      return v === null ? c.missingText[f.kind] : String(v);
    }).join(','));
  }
  return lines.join('\n') + '\n';
}
