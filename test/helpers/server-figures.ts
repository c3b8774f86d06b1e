/** A server's own figures from its GET /metrics (prom-client's default process metrics). */
export interface ServerFigures {
  /** Longest event-loop delay since the previous scrape (prom-client resets it on every scrape), ms. */
  lagMaxMs: number;
  /** Garbage collections of `kind` (minor, major, incremental) since start. */
  gcs(kind: string): number;
  /** Of those, how many took longer than `seconds` (a bucket bound of the GC histogram: 0.001, 0.01, 0.1, 1...). */
  gcsOver(kind: string, seconds: string): number;
  /** Their time in all (the histogram's sum), seconds. */
  gcSeconds(kind: string): number;
}

export async function serverFigures(url: string): Promise<ServerFigures> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const lagMaxMs = 1000 * Number(/^lookout_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN);
  const buckets = new Map<string, number>(); // "kind le" -> cumulative count
  for (const line of text.split('\n')) {
    if (!line.startsWith('lookout_nodejs_gc_duration_seconds_bucket{')) continue;
    buckets.set(`${/kind="([^"]+)"/.exec(line)?.[1]} ${/le="([^"]+)"/.exec(line)?.[1]}`, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  const sums = new Map<string, number>();
  for (const m of text.matchAll(/^lookout_nodejs_gc_duration_seconds_sum\{kind="([^"]+)"\} (\S+)$/gm)) sums.set(m[1] as string, Number(m[2]));
  const gcs = (kind: string): number => buckets.get(`${kind} +Inf`) ?? 0;
  return { lagMaxMs, gcs, gcsOver: (kind, seconds) => gcs(kind) - (buckets.get(`${kind} ${seconds}`) ?? 0), gcSeconds: (kind) => sums.get(kind) ?? 0 };
}
