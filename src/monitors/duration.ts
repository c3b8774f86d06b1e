/** Durations in definitions and config: "30s", "5m", "1h", "1d", "1w", or a number of milliseconds. */
const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(v.trim());
    if (m) return Math.round(Number(m[1]) * (UNIT[m[2] as string] as number));
  }
  throw new Error(`${what} must be a duration like "30s", "5m", "1h", "1d" or milliseconds (got ${JSON.stringify(v)?.slice(0, 40)})`);
}

export function formatDuration(ms: number): string {
  for (const [u, size] of [['w', UNIT.w], ['d', UNIT.d], ['h', UNIT.h], ['m', UNIT.m], ['s', UNIT.s]] as Array<[string, number]>) {
    if (ms >= size && ms % size === 0) return `${ms / size}${u}`;
  }
  return `${ms}ms`;
}
