import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from './helpers/cli.js';
import { doc } from './helpers/docs.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { Receiver } from './helpers/receiver.js';
import { startModelServer } from './helpers/upstream.js';

/**
 * docs/getting-started.md, run as a reader runs it: every fenced block in order against a real `lookout serve` (started
 * and restarted as its `npx lookout serve ...` blocks say, on a data dir of a temporary working directory), its curl
 * commands by the real curl, its `npx lookout` commands by the checkout's CLI, its TypeScript snippet with the client
 * package, its YAML as the config file. Each command's answer is checked (status or exit code, and a key field) against
 * EXPECTED, in the order the page gives the commands: a command added, removed or changed without this list failing is
 * not possible (the count and each command's text are matched).
 */

interface Ran { cmd: string; code: number; out: string }
type Body = Record<string, unknown>;
interface Expect {
  /** What the command (as run, variables expanded) must look like. */
  cmd: RegExp;
  /** HTTP status for curl, exit code for lookout. */
  code: number;
  check?: (body: Body, out: string) => void;
}

const get = (o: unknown, ...path: Array<string | number>): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | null | undefined)?.[k], o);

const EXPECTED: Expect[] = [
  { cmd: /^curl -s \S+\/healthz$/, code: 200, check: (b) => assert.equal(b['status'], 'ok') },
  { cmd: /^curl -s \S+\/v1\/models$/, code: 200, check: (b) => assert.deepEqual(b['models'], []) },
  { cmd: /^curl -s \S+\/v1\/models -H/, code: 201, check: (b) => assert.equal(get(b, 'model', 'name') ?? b['name'], 'fraud', JSON.stringify(b).slice(0, 200)) },
  { cmd: /\/v1\/models\/fraud\/versions -H/, code: 201 },
  { cmd: /-X PUT \S+\/versions\/1\.0\.0\/reference/, code: 200, check: (b) => assert.match(JSON.stringify(b), /"rows":400/) },
  { cmd: /\/v1\/events .*"id": "tx-hello"/, code: 200, check: (b) => assert.equal(get(b, 'results', 0, 'status'), 'accepted', JSON.stringify(b)) },
  { cmd: /\/v1\/events .*--data-binary @-$/, code: 200, check: (b) => {
    const results = b['results'] as Array<{ status: string }>;
    assert.equal(results.filter((r) => r.status === 'accepted').length, 200, JSON.stringify(results.find((r) => r.status !== 'accepted')));
  } },
  { cmd: /\/v1\/labels .*tx-hello/, code: 200, check: (b) => assert.equal(get(b, 'results', 0, 'status'), 'accepted', JSON.stringify(b)) },
  { cmd: /\/v1\/labels .*labels\.json$/, code: 200, check: (b) => assert.equal((b['results'] as Array<{ status: string }>).filter((r) => r.status === 'accepted').length, 200) },
  { cmd: /\/v1\/models\/fraud\/drift$/, code: 200, check: (b) => {
    assert.equal(get(b, 'datasetDrift', 'drifted'), true, JSON.stringify(b['datasetDrift']));
    const features = b['features'] as Array<{ name: string; drifted: boolean }>;
    assert.deepEqual(features.filter((f) => f.drifted).map((f) => f.name).sort(), ['amount', 'channel']);
  } },
  { cmd: /\/performance\?segments=false$/, code: 200, check: (b) => {
    const accuracy = get(b, 'realized', 'metrics', 'accuracy', 'value') as number;
    assert.ok(Math.abs(accuracy - 0.68) < 0.01, `accuracy ${accuracy}`);
    const reference = get(b, 'reference', 'metrics', 'accuracy', 'value') as number;
    assert.ok(Math.abs(reference - 0.89) < 0.005, `reference accuracy ${reference}`);
    assert.equal(get(b, 'labelDrift', 'drifted'), true, JSON.stringify(b['labelDrift']));
  } },
  { cmd: /\/health\?segment=region=eu$/, code: 200, check: (b) => assert.ok((b['events'] as number) > 50, JSON.stringify(b)) },
  { cmd: /\/timeseries\?metric=driftShare&granularity=hour$/, code: 200, check: (b) => assert.ok((b['points'] as unknown[]).length >= 24) },
  // the restart with lookout.yaml comes here
  { cmd: /\/v1\/monitors -H .*fraud-amount-drift/, code: 201 },
  { cmd: /\/v1\/monitors -H .*fraud-accuracy/, code: 201 },
  { cmd: /-X POST \S+\/v1\/monitors\/run$/, code: 200 },
  { cmd: /^lookout alerts list$/, code: 0, check: (_b, out) => {
    assert.match(out, /open\s+page\s+fraud\s+fraud-amount-drift/);
    assert.match(out, /open\s+warning\s+fraud\s+fraud-accuracy/);
  } },
  { cmd: /^lookout status --quality$/, code: 0, check: (_b, out) => assert.match(out, /fraud\s+1\.0\.0\s+202\s.*drift!\s+accuracy 0\.6\d+, labels drift!\s+2 page/) },
  { cmd: /^lookout versions register fraud 1\.0\.0 --upstream http/, code: 0 },
  { cmd: /^lookout versions register fraud 1\.1\.0 --upstream http/, code: 0 },
  { cmd: /^lookout models set-alias fraud production 1\.0\.0/, code: 0 },
  { cmd: /-X PUT \S+\/v1\/models\/fraud\/serving/, code: 200 },
  { cmd: /^lookout rollout start fraud 1\.1\.0/, code: 0 },
  { cmd: /\/v1\/models\/fraud\/predict/, code: 200, check: (b) => {
    assert.ok(b['version'] === '1.0.0' || b['version'] === '1.1.0', JSON.stringify(b));
    assert.equal(b['id'], 'tx-gw-1');
  } },
  { cmd: /^lookout rollout status fraud$/, code: 0, check: (_b, out) => assert.match(out, /1\.1\.0/) },
];

/** The fenced blocks of the page, in order. */
function fenced(md: string): Array<{ lang: string; text: string }> {
  return [...md.matchAll(/^```([a-z]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] as string, text: m[2] as string }));
}

/** curl and `npx lookout` as the page runs them, each printing the command as run and its status or exit code. */
const PRELUDE = `
oneline() { local c="$*"; printf '%s' "\${c//$'\\n'/ }"; }
curl() { printf '\\n@@cmd curl %s\\n' "$(oneline "$@")"; command curl -sS -w '\\n@@code %{http_code}\\n' "$@"; }
npx() {
  if [ "$1" != lookout ]; then echo "npx $1: not the tutorial's" >&2; return 127; fi
  shift; printf '\\n@@cmd lookout %s\\n' "$(oneline "$@")"; node "$LOOKOUT_BIN" "$@"; printf '\\n@@code %s\\n' "$?"
}
`;

function runBlock(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ ran: Ran[]; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('bash', ['-c', PRELUDE + script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let out = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', () => {
      const ran = out.split('\n@@cmd ').slice(1).map((chunk) => {
        const nl = chunk.indexOf('\n');
        const m = /\n@@code (\d+)\n?$/.exec(chunk);
        return { cmd: chunk.slice(0, nl), code: m ? Number(m[1]) : -1, out: chunk.slice(nl + 1, m?.index ?? chunk.length).trim() };
      });
      resolve({ ran, stderr });
    });
  });
}

/** The arguments of a block's `npx lookout serve ...` line, paths made absolute in `dir`. */
function serveArgs(block: string, dir: string): string[] | null {
  const m = /^npx lookout serve (.*)$/.exec(block.trim());
  if (!m) return null;
  const words = (m[1] as string).split(/\s+/);
  return words.map((w, i) => (words[i - 1] === '--data-dir' || words[i - 1] === '--config' ? join(dir, w) : w));
}

/** Step 2's lookout.yaml, on a fresh data dir: the model it declares is the one the page's API calls declare. */
async function checkModelYaml(md: string, modelYaml: string): Promise<void> {
  const other = tempDir('lookout-getting-started-yaml-');
  mkdirSync(join(other, 'examples'));
  symlinkSync(join(process.cwd(), 'examples', 'fraud'), join(other, 'examples', 'fraud'));
  writeFileSync(join(other, 'lookout.yaml'), modelYaml);
  const fromYaml = await spawnServe(['--config', join(other, 'lookout.yaml'), '--data-dir', join(other, 'data')], 60_000);
  try {
    const model = await (await fetch(`${fromYaml.url}/v1/models/fraud`)).json() as Body;
    const api = JSON.parse(/-d '(\{\n[\s\S]*?\})'/.exec(md)?.[1] ?? '{}') as Body;
    assert.equal(api['name'], 'fraud', 'step 2\'s POST /v1/models body');
    for (const k of ['outputKind', 'classes', 'segmentKeys', 'description', 'inputSchema']) {
      assert.deepEqual(get(model, 'model', k) ?? model[k], api[k], k);
    }
    const version = (get(model, 'model', 'versions') ?? model['versions']) as Array<{ version: string; reference: unknown }>;
    assert.equal(version[0]?.version, '1.0.0');
    assert.match(JSON.stringify(version[0]?.reference), /"rows":400/);
  } finally {
    await fromYaml.stop();
  }
}

describe('docs/getting-started.md, run as written', { timeout: 120_000 }, () => {
  test('every block, in order, against a real server: each command answers as the page says', async () => {
    const md = doc('docs/getting-started.md');
    const blocks = fenced(md);
    const dir = tempDir('lookout-getting-started-');
    symlinkSync(join(process.cwd(), 'examples'), join(dir, 'examples'));
    const receiver = await Receiver.start();
    const answer = (f: Record<string, unknown>): Record<string, unknown> => ({ prediction: Number(f['amount']) > 200 ? '1' : '0', score: Number(f['amount']) > 200 ? 0.7 : 0.1 });
    const v1 = await startModelServer({ answer });
    const v2 = await startModelServer({ answer });
    const serverEnv = { ...process.env, ALERT_WEBHOOK_URL: `${receiver.url}/lookout` };
    let server: RunningServer | undefined;
    const ran: Ran[] = [];
    // step 2's lookout.yaml, checked meanwhile on a server of its own
    const modelYaml = blocks.find((b) => b.lang === 'yaml' && b.text.startsWith('models:'))?.text;
    assert.ok(modelYaml !== undefined, 'step 2 shows the model in lookout.yaml');
    const yamlChecked = checkModelYaml(md, modelYaml);
    yamlChecked.catch(() => undefined); // awaited at the end; a failure meanwhile is not an unhandled rejection
    try {
      for (const block of blocks) {
        if (block.lang === 'yaml') {
          if (!block.text.startsWith('models:')) writeFileSync(join(dir, 'lookout.yaml'), block.text);
          continue;
        }
        if (block.lang === 'ts') {
          assert.ok(server, 'the client snippet runs against the server');
          const client = await import(import.meta.resolve('lookout/client')) as typeof import('../src/client/index.js');
          const body = `${block.text.replace(/^import .*$/m, '').replace("'http://localhost:8080'", JSON.stringify(server.url))}\nreturn lookout.stats();`;
          const AsyncFunction = (async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<{ sent: number; rejected: number; failed: number }>;
          const stats = await new AsyncFunction('LookoutClient', body)(client.LookoutClient);
          assert.deepEqual({ sent: stats.sent, rejected: stats.rejected, failed: stats.failed }, { sent: 2, rejected: 0, failed: 0 }, 'the snippet\'s event and label');
          continue;
        }
        if (block.lang !== 'sh') continue;
        const args = serveArgs(block.text, dir);
        if (args) {
          if (server) assert.equal(await server.stop(), 0, server.stderr());
          server = await spawnServe(args, 60_000, serverEnv);
          continue;
        }
        assert.ok(server, 'a server was started before the first command');
        const address = server.url.replace(/^http:\/\//, '');
        assert.ok(block.text.includes('localhost:8080') || block.text.includes('npx lookout'), block.text);
        const { ran: got, stderr } = await runBlock(block.text.replaceAll('localhost:8080', address), dir, {
          ...process.env, LOOKOUT_URL: server.url, LOOKOUT_BIN: join(process.cwd(), 'bin', 'lookout.js'),
          MODEL_V1_URL: v1.url, MODEL_V2_URL: v2.url,
        });
        assert.ok(got.length > 0, `nothing ran: ${stderr}`);
        ran.push(...got);
      }
      assert.deepEqual(ran.map((r, i) => (EXPECTED[i]?.cmd.test(r.cmd) ? 'ok' : r.cmd)), EXPECTED.map(() => 'ok'), 'the page\'s commands, in order');
      for (const [i, r] of ran.entries()) {
        const e = EXPECTED[i] as Expect;
        let body: Body = {};
        try {
          body = JSON.parse(r.out) as Body;
        } catch {
          // CLI text
        }
        assert.equal(r.code, e.code, `${r.cmd}\n${r.out.slice(0, 600)}`);
        e.check?.(body, r.out);
      }
      // the dashboard the page points at
      const dashboard = /The dashboard shows all of it: open (http:\/\/localhost:8080\/\S*) /.exec(md)?.[1];
      assert.ok(dashboard !== undefined && server !== undefined);
      const ui = await fetch(dashboard.replace('http://localhost:8080', server.url), { redirect: 'manual' });
      assert.equal(ui.status, 302);
      assert.equal(ui.headers.get('location'), '/ui/', 'the dashboard (web/dist, served once built: `npm run build`)');
      // the webhook of lookout.yaml was sent both alerts
      const alerts = receiver.received.flatMap((n) => (get(n.body, 'alerts') as Array<{ labels: Record<string, string> }> | undefined) ?? []);
      assert.ok(receiver.received.every((n) => n.path === '/lookout'));
      assert.deepEqual([...new Set(alerts.map((a) => a.labels['monitor']))].sort(), ['fraud-accuracy', 'fraud-amount-drift'], JSON.stringify(alerts).slice(0, 500));
      // the request went to 1.0.0 (90%) or to the canary 1.1.0 (10%), which the rollout also mirrors to the primary for
      // its disagreement analysis (asynchronously): the primary is called once either way, the candidate when it served
      const served = JSON.parse(ran.find((r) => /\/v1\/models\/fraud\/predict/.test(r.cmd))?.out ?? '{}') as Body;
      for (let i = 0; i < 100 && v1.requests < 1; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([v1.requests, v2.requests], [1, served['version'] === '1.1.0' ? 1 : 0], `the gateway's upstream calls for an answer of ${String(served['version'])}`);
    } finally {
      await server?.stop();
      await receiver.close();
      await v1.close();
      await v2.close();
    }
    await yamlChecked;

  });
});
