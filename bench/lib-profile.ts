/**
 * CPU-profile helpers for the benchmarks: profile a stretch of this process with the inspector, and
 * summarise a V8 .cpuprofile (own process or one written by `node --cpu-prof`) as where the time goes:
 * self time by package/file and by function, and inclusive time by function.
 */
import { Session } from 'node:inspector/promises';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[]; startTime: number; endTime: number }

/** Profiles this process while `work` runs (sampling every `intervalUs`). */
export async function profileWhile<T>(work: () => Promise<T>, intervalUs = 200): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** A short name for where code lives: a package, a project file, node internals, or a V8 pseudo-frame. */
function place(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const i = url.indexOf('/dist/');
  return i >= 0 ? url.slice(i + '/dist/'.length) : url.replace(/^file:\/\//, '');
}

/** A profile's nodes by id, and each node's parent id. */
function profileTree(p: CpuProfile): { byId: Map<number, ProfileNode>; parent: Map<number, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { byId, parent };
}

export interface ProfileSummary {
  totalMs: number;
  byPlace: Array<{ name: string; ms: number; share: number }>;
  bySelf: Array<{ name: string; ms: number; share: number }>;
  byInclusive: Array<{ name: string; ms: number; share: number }>;
}

/** Self and inclusive time per place and function (inclusive counts a recursive function once). */
export function summariseProfile(p: CpuProfile, top = 15): ProfileSummary {
  const totalSamples = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const totalMs = (p.endTime - p.startTime) / 1000;
  const msPerHit = totalSamples > 0 ? totalMs / totalSamples : 0;
  const { byId, parent } = profileTree(p);
  const fnKey = (n: ProfileNode): string => {
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    return f.url === '' ? name : `${name} ${place(f.url, name)}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const places = new Map<string, number>();
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    self.set(fnKey(n), (self.get(fnKey(n)) ?? 0) + hits);
    const pl = place(n.callFrame.url, n.callFrame.functionName);
    places.set(pl, (places.get(pl) ?? 0) + hits);
  }
  // Inclusive: each sample's stack adds one hit to every distinct function on it.
  const inclusive = new Map<string, number>();
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const k = fnKey(node);
      if (k === '(root)' || seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + hits);
    }
  }
  const rank = (m: Map<string, number>): Array<{ name: string; ms: number; share: number }> =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, hits]) => ({ name, ms: hits * msPerHit, share: totalSamples ? hits / totalSamples : 0 }));
  return { totalMs, byPlace: rank(places), bySelf: rank(self), byInclusive: rank(inclusive) };
}

/** Prints a summary as indented lines. */
export function printProfile(title: string, p: CpuProfile, top = 15, log: (s: string) => void = console.log): void {
  const s = summariseProfile(p, top);
  const row = (x: { name: string; ms: number; share: number }): string => `    ${(x.share * 100).toFixed(1).padStart(5)}%  ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`;
  log(`  ${title}: ${s.totalMs.toFixed(0)} ms profiled`);
  log('   self time by package / file:');
  for (const x of s.byPlace) log(row(x));
  log('   self time by function:');
  for (const x of s.bySelf) log(row(x));
  log('   inclusive time by function:');
  for (const x of s.byInclusive) log(row(x));
}

/**
 * Where a profiled thread's time went within spans of its profile's clock (µs, CLOCK_MONOTONIC on Linux, as
 * `process.hrtime`), by the category `classify` gives each sample's stack (innermost frame first); V8's pseudo-frames
 * ("(idle)": waiting for events, "(garbage collector)", "(program)") are categories of their own. Each sample counts
 * for the time until the next one. Returns µs per category.
 */
export function timeDuring(p: CpuProfile, spans: ReadonlyArray<{ from: number; to: number }>, classify: (stack: readonly CallFrame[]) => string): Map<string, number> {
  const { byId, parent } = profileTree(p);
  const memo = new Map<number, string>();
  const categoryOf = (id: number): string => {
    let c = memo.get(id);
    if (c !== undefined) return c;
    const own = byId.get(id)?.callFrame;
    if (own && own.url === '' && own.functionName.startsWith('(') && own.functionName !== '(root)') c = own.functionName;
    else {
      const stack: CallFrame[] = [];
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const f = byId.get(x)?.callFrame;
        if (f) stack.push(f);
      }
      c = classify(stack);
    }
    memo.set(id, c);
    return c;
  };
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const out = new Map<string, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  let t = p.startTime;
  let s = 0;
  for (let i = 0; i < samples.length - 1; i++) {
    t += deltas[i] ?? 0;
    while (s < sorted.length && (sorted[s] as { to: number }).to < t) s++;
    const span = sorted[s];
    if (!span || t < span.from) continue;
    const c = categoryOf(samples[i] as number);
    out.set(c, (out.get(c) ?? 0) + (deltas[i + 1] ?? 0));
  }
  return out;
}
