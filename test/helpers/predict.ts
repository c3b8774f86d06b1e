/** Calls to the gateway's predict route of model churn, as the gateway tests make them. */

export interface Answer { status: number; version: string | null; id: string | null; fallback: string | null; body: Record<string, unknown>; ms: number }

export async function predict(url: string, features: Record<string, unknown>, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ features, ...extra }) });
  const body = await res.json() as Record<string, unknown>;
  return { status: res.status, version: res.headers.get('x-lookout-version'), id: res.headers.get('x-lookout-prediction-id'), fallback: res.headers.get('x-lookout-fallback'), body, ms: performance.now() - t0 };
}

/** Runs `n` requests with at most `c` in flight. */
export async function many(n: number, c: number, f: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const out: Answer[] = new Array<Answer>(n);
  let next = 0;
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await f(i);
    }
  }));
  return out;
}
