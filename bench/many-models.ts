/**
 * bench:many-models — a server with many models (audit 16). A real server (DuckDB file, in this process) with
 * BENCH_MODELS models (default 300) of one version and 5 numeric features each, 20 events each in the last hour;
 * BENCH_REFS of them (default 20) with a reference. Measures: GET /v1/models whole and paged; the dashboard overview
 * in Debian's Chromium (requests made, time until every panel is drawn); the start-up warm-up (warmUp() as the server
 * runs it after listening) with /healthz and a batch of ingest every 200 ms while it runs. BENCH_ACTIVE of the models
 * (default all) receive events, the others none. Env: BENCH_MODELS, BENCH_ACTIVE, BENCH_REFS, BENCH_SKIP (overview,warmup).
 */
import { defaultConfig } from '../src/config.js';
import { warmUp } from '../src/monitoring/warm-up.js';
import { startServer } from '../src/server.js';
import { browserUnavailable, launch, openView, type RequestTiming } from '../test/helpers/browser.js';
import { tempDir } from '../test/helpers/cli.js';

const N = Number(process.env['BENCH_MODELS'] ?? 300);
const REFS = Number(process.env['BENCH_REFS'] ?? 20);
const ACTIVE = Number(process.env['BENCH_ACTIVE'] ?? N);
const SKIP = new Set((process.env['BENCH_SKIP'] ?? '').split(','));
const FEATURES = ['a', 'b', 'c', 'd', 'e'];
const log = (s: string): void => console.log(s);

const c = defaultConfig();
c.dataDir = tempDir('lookout-bench-many-');
c.server.port = 0;
c.server.warmUpDays = 0;
c.server.windowValueFillSeconds = 0;
const s = await startServer({ config: c });
const post = async (path: string, body: unknown, type = 'application/json'): Promise<void> => {
  const r = await fetch(s.url + path, { method: path.endsWith('/reference') ? 'PUT' : 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
};
const names = Array.from({ length: N }, (_, i) => `model-${String(i).padStart(5, '0')}`);
try {
  let t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < names.length) {
      const name = names[next++] as string;
      await post('/v1/models', { name, outputKind: 'regression', inputSchema: { type: 'object', properties: Object.fromEntries(FEATURES.map((f) => [f, { type: 'number' }])) } });
      await post(`/v1/models/${name}/versions`, { version: '1' });
    }
  }));
  log(`declared ${N} models of one version in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const now = Date.now();
  for (let i = 0; i < ACTIVE; i += 200) {
    const events = names.slice(i, Math.min(i + 200, ACTIVE)).flatMap((name, k) => Array.from({ length: 20 }, (_, j) => ({
      model: name, version: '1', timestamp: now - 60_000 - j * 60_000, prediction: j + k, latencyMs: 5 + j, error: j === 0 ? 'boom' : null,
      features: Object.fromEntries(FEATURES.map((f, x) => [f, (j * 7 + x * 3 + k) % 11])),
    })));
    await post('/v1/events', { events });
  }
  for (const name of names.slice(0, REFS)) {
    const rows = ['a,b,c,d,e,prediction', ...Array.from({ length: 200 }, (_, j) => `${j % 10},${j % 7},${j % 5},${j % 3},${j % 11},${j}`)];
    await post(`/v1/models/${name}/versions/1/reference`, rows.join('\n'), 'text/csv');
  }
  await s.deps.pipeline.flush();
  t0 = performance.now();
  const whole = await (await fetch(`${s.url}/v1/models`)).text();
  log(`GET /v1/models: ${(whole.length / 1024).toFixed(0)} KB in ${(performance.now() - t0).toFixed(0)} ms`);
  t0 = performance.now();
  const paged = await (await fetch(`${s.url}/v1/models?limit=100`)).text();
  log(`GET /v1/models?limit=100: ${(paged.length / 1024).toFixed(0)} KB in ${(performance.now() - t0).toFixed(0)} ms`);

  if (!SKIP.has('warmup')) {
    // /healthz every 20 ms while the warm-up runs: the longest answer says how much it holds the server up.
    let probing = true;
    const waits: number[] = [];
    const probe = (async () => {
      while (probing) {
        const p0 = performance.now();
        await (await fetch(`${s.url}/healthz`)).arrayBuffer();
        waits.push(performance.now() - p0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // and a batch of 100 events every 200 ms: how long its acknowledgement takes while the warm-up runs
    const acks: number[] = [];
    let batch = 0;
    const ingest = (async () => {
      while (probing) {
        const b0 = performance.now();
        const ts = Date.now() - 30_000;
        await post('/v1/events', { events: Array.from({ length: 100 }, (_, j) => ({ model: names[batch % Math.max(1, ACTIVE)], version: '1', timestamp: ts, prediction: j, features: { a: j % 7 } })) });
        acks.push(performance.now() - b0);
        batch++;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const w = await warmUp(s.deps, { days: 30 });
    probing = false;
    await Promise.all([probe, ingest]);
    waits.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    log(`warm-up: ${w.models} models in ${(w.ms / 1000).toFixed(1)} s (${(w.ms / w.models).toFixed(1)} ms a model); /healthz during it: ${waits.length} probes, p50 ${waits[Math.floor(waits.length / 2)]?.toFixed(1)} ms, max ${waits.at(-1)?.toFixed(1)} ms; ingest of 100 events: ${acks.length} batches, p50 ${acks[Math.floor(acks.length / 2)]?.toFixed(1)} ms, max ${acks.at(-1)?.toFixed(1)} ms`);
  }
  const unavailable = browserUnavailable();
  if (!SKIP.has('overview') && unavailable) log(`overview skipped: ${unavailable}`);
  else if (!SKIP.has('overview')) {
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      for (const round of ['first', 'repeated']) {
        const requests: RequestTiming[] = [];
        t0 = performance.now();
        const t = await openView(page, `${s.url}/ui/#/overview`, { complete: true, timeoutMs: 600_000, requests });
        const api = requests.filter((r) => r.path.startsWith('/v1/'));
        const kinds = new Map<string, number>();
        for (const r of api) {
          const k = r.path.split('?')[0]?.replace(/\/v1\/models\/[^/]+\//, '/v1/models/:name/') ?? '';
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        }
        const rows = await page.evaluate('document.querySelectorAll("[data-testid=models-table] tbody tr").length');
        log(`overview (${round}): ${api.length} API requests (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); ready ${t.readyMs?.toFixed(0)} ms, complete ${t.completeMs?.toFixed(0)} ms (${(performance.now() - t0).toFixed(0)} ms wall); ${String(rows)} rows shown`);
      }
    } finally {
      await browser.close();
    }
  }

} finally {
  await s.close();
}
