import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Command } from 'commander';
import { parse, stringify } from 'yaml';
import { ALERTING_KEYS } from '../src/alerting/settings.js';
import { COMMON_KEYS } from '../src/alerting/notifiers/keys.js';
import { lookoutProgram } from '../src/cli/main.js';
import { CONFIG_SCHEMA } from '../src/config.js';
import { CHURN } from '../src/demo/models.js';
import { MONITOR_KEYS } from '../src/monitors/definition.js';
import { knownMonitorMetrics } from '../src/monitors/metrics/registry.js';
import { SLO_KEYS } from '../src/monitors/slo.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { DOCS, doc, sameRoute } from './helpers/docs.js';
import { call, poster, testServer } from './helpers/server.js';


/** The fenced blocks of a markdown text in `lang` ('' for any). */
function blocks(md: string, lang = ''): string[] {
  return [...md.matchAll(/```([a-z]*)\n([\s\S]*?)```/g)].filter((m) => lang === '' || m[1] === lang).map((m) => m[2] as string);
}

/** Everything a reader copies: fenced blocks and inline code spans. */
function codeText(md: string): string {
  const spans = [...md.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...blocks(md), ...spans].join('\n');
}

/** The command lines naming `lookout ...`: a block's line with its indented continuations, and inline spans. */
function commandLines(md: string): string[] {
  const out: string[] = [];
  for (const b of blocks(md)) {
    let cur: string | undefined;
    for (const line of b.split('\n')) {
      if (/^\s*(npx )?lookout /.test(line)) {
        if (cur !== undefined) out.push(cur);
        cur = line;
      } else if (cur !== undefined && line.startsWith(' ')) {
        cur += ` ${line}`;
      } else {
        if (cur !== undefined) out.push(cur);
        cur = undefined;
      }
    }
    if (cur !== undefined) out.push(cur);
  }
  for (const m of md.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]*lookout [^`\n]*)`/g)) out.push(m[1] as string);
  return out;
}

const program = lookoutProgram(() => undefined);
const longs = (c: Command): Set<string> => new Set(c.options.map((o) => o.long).filter((l): l is string => l !== undefined));
const sub = (c: Command, name: string): Command | undefined => c.commands.find((s) => s.name() === name || s.aliases().includes(name));

/** Each (command, options) a docs line names: `lookout versions pause|resume MODEL [--reason]`, `models list | aliases M`. */
function namedOptions(line: string): Array<{ path: string; cmd: Command; flags: string[] }> {
  const found: Array<{ path: string; cmd: Command; flags: string[] }> = [];
  for (const m of line.matchAll(/lookout ([a-z-]+)(.*)/g)) {
    const top = sub(program, m[1] as string);
    if (top === undefined) continue;
    const body = (m[2] as string).split(' lookout ')[0] as string;
    for (const part of top.commands.length > 0 ? body.split(' | ') : [body]) {
      const words = /^\s*([a-z][a-z|-]*)?(.*)$/.exec(part) as RegExpExecArray;
      const flags = [...(top.commands.length > 0 ? words[2] as string : part).matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*)/g)].map((f) => f[1] as string);
      const targets = top.commands.length === 0 ? [top] : (words[1] ?? '').split('|').map((w) => sub(top, w)).filter((c): c is Command => c !== undefined);
      for (const cmd of targets) found.push({ path: cmd === top ? top.name() : `${top.name()} ${cmd.name()}`, cmd, flags });
    }
  }
  return found;
}

/** Every leaf command of the CLI with its path (`versions register`). */
function leaves(c: Command, path: string[] = []): Array<{ path: string; cmd: Command }> {
  if (c.commands.length === 0) return [{ path: path.join(' '), cmd: c }];
  return c.commands.flatMap((s) => leaves(s, [...path, s.name()]));
}

describe('audit 12 (docs walk): the CLI as the docs give it', () => {
  test('every option the docs give a `lookout` command (code blocks, inline code, option tables) is an option of that command', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const f of DOCS) {
      const md = doc(f);
      for (const line of commandLines(md)) {
        for (const { path, cmd, flags } of namedOptions(line)) {
          checked += 1;
          const own = longs(cmd);
          for (const flag of flags) if (flag !== '--help' && !own.has(flag)) wrong.push(`${f}: lookout ${path} has no ${flag} (${line.trim().slice(0, 100)})`);
        }
      }
      // the option tables under a heading `lookout drift ...`
      for (const section of md.split(/\n(?=#{2,4} )/)) {
        const h = /^#{2,4} `lookout ([a-z-]+)/.exec(section);
        const cmd = h && sub(program, h[1] as string);
        if (!cmd) continue;
        for (const row of section.matchAll(/^\| `(--[^|]*)\|/gm)) {
          checked += 1;
          for (const flag of (row[1] as string).match(/--[a-z][a-z0-9-]*/g) ?? []) if (!longs(cmd).has(flag)) wrong.push(`${f}: lookout ${cmd.name()} has no ${flag} (its option table)`);
        }
      }
    }
    assert.ok(checked >= 60, `only ${checked} command lines found in the docs`);
    assert.deepEqual(wrong, []);
  });

  test('`lookout --version` is the package\'s version', () => {
    const pkg = JSON.parse(doc('package.json')) as { version: string };
    assert.equal(program.version(), pkg.version);
  });

  test('every option of every command is named in the docs (README.md or docs/*.md), as code', () => {
    const text = DOCS.map((f) => codeText(doc(f))).join('\n');
    const missing = leaves(program).flatMap(({ path, cmd }) => [...longs(cmd)]
      .filter((flag) => flag !== '--help' && !new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(text))
      .map((flag) => `lookout ${path} ${flag}`));
    assert.deepEqual(missing, []);
  });
});

/** The key paths of the config schema: `server.port`, `models[].versions[].reference.file`; inputSchema's content aside. */
function schemaKeys(s: unknown, at: string): string[] {
  const node = s as { properties?: Record<string, unknown>; items?: unknown };
  if (node.items !== undefined) return schemaKeys(node.items, `${at}[]`);
  if (node.properties === undefined) return [];
  return Object.entries(node.properties).flatMap(([k, v]) => [`${at}${at === '' ? '' : '.'}${k}`, ...(k === 'inputSchema' ? [] : schemaKeys(v, `${at}${at === '' ? '' : '.'}${k}`))]);
}

describe('audit 12 (docs walk): every config key is documented', () => {
  test('every key lookout.yaml takes is named in README.md or docs/*.md (as code: the YAML example, a key path or an inline `key`)', () => {
    const text = DOCS.map((f) => codeText(doc(f))).join('\n');
    const keys = schemaKeys(CONFIG_SCHEMA, '');
    assert.ok(keys.length >= 30, keys.join(', '));
    const missing = keys.filter((path) => {
      const leaf = path.split('.').at(-1)?.replace('[]', '') as string;
      return !new RegExp(`(^|[^\\w])${leaf}(?![\\w])`, 'm').test(text);
    });
    assert.deepEqual(missing, []);
  });

  test('every key of a monitor, an SLO, the alerting section and a notifier is named in docs/alerting.md', () => {
    const text = codeText(doc('docs/alerting.md'));
    const keys = [...MONITOR_KEYS, ...SLO_KEYS, ...ALERTING_KEYS, ...Object.keys(COMMON_KEYS)];
    assert.deepEqual([...new Set(keys)].filter((k) => !new RegExp(`(^|[^\\w])${k}(?![\\w])`, 'm').test(text)), []);
  });
});

describe('audit 12 (docs walk): the monitor metrics', () => {
  test('every metric a monitor takes is in docs/alerting.md\'s **Metrics** list (`latencyP50|P95|P99` is three)', () => {
    const md = doc('docs/alerting.md');
    const at = md.indexOf('**Metrics**');
    assert.ok(at >= 0);
    const paragraph = md.slice(at).split(/\n\s*\n/)[0] as string;
    const named = new Set([...paragraph.matchAll(/`([^`]+)`/g)].flatMap((m) => {
      const [first = '', ...rest] = (m[1] as string).replace(/\[?:F\]?$/, '').split('|');
      const prefix = /^([a-z]+)[A-Z0-9]/.exec(first)?.[1] ?? '';
      return [first, ...rest.map((r) => prefix + r)];
    }));
    const known = knownMonitorMetrics();
    assert.ok(known.length >= 20, known.join(', '));
    assert.deepEqual(known.filter((id) => !named.has(id)), []);
  });
});

describe('audit 12 (docs walk): the YAML examples start a real server as written', { timeout: 240_000 }, () => {
  test('README.md\'s lookout.yaml (its placeholder key hash and reference file given) is accepted by `lookout serve`', async () => {
    const [yaml] = blocks(doc('README.md'), 'yaml');
    assert.ok(yaml !== undefined);
    const dir = tempDir('lookout-docswalk-');
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'churn-reference.csv'), ['age,plan,churned', ...Array.from({ length: 200 }, (_, i) => `${20 + (i % 50)},${i % 3 === 0 ? 'pro' : 'basic'},${i % 4 === 0 ? 1 : 0}`)].join('\n'));
    writeFileSync(join(dir, 'lookout.yaml'), yaml.replace('<hex sha-256 of the key>', 'a'.repeat(64)));
    const server = await spawnServe(['--config', join(dir, 'lookout.yaml'), '--data-dir', join(dir, 'store')]);
    try {
      const res = await fetch(`${server.url}/v1/models`);
      assert.equal(res.status, 401, 'the example declares API keys');
    } finally {
      await server.stop();
    }
  });

  test('docs/alerting.md\'s monitors, SLOs and alerting sections, together, are accepted and fit the model they name', async () => {
    const config: Record<string, unknown> = {
      models: [{ ...CHURN, versions: [{ version: '1.0.0' }] }],
      alerting: {},
    };
    const yamls = blocks(doc('docs/alerting.md'), 'yaml');
    assert.ok(yamls.length >= 5);
    for (const y of yamls) {
      const part = parse(y) as Record<string, unknown>;
      for (const [k, v] of Object.entries(part)) {
        config[k] = k === 'alerting' ? { ...(config['alerting'] as object), ...(v as object) } : v;
      }
    }
    const dir = tempDir('lookout-docswalk-');
    writeFileSync(join(dir, 'lookout.yaml'), stringify(config));
    const server = await spawnServe(['--config', join(dir, 'lookout.yaml'), '--data-dir', join(dir, 'store')]);
    try {
      const monitors = (await call(server.url, 'GET', '/v1/monitors')).body['monitors'] as Array<{ id: string; problem: unknown }>;
      const slos = (await call(server.url, 'GET', '/v1/slos')).body['slos'] as Array<{ id: string; problem?: unknown }>;
      assert.ok(monitors.length >= 1 && slos.length >= 3, JSON.stringify({ monitors, slos }).slice(0, 500));
      for (const m of [...monitors, ...slos]) assert.equal(m.problem ?? null, null, `${m.id}: ${JSON.stringify(m.problem)}`);
    } finally {
      await server.stop();
    }
  });
});

const METHOD = '(?:GET|POST|PUT|PATCH|DELETE)';

/** The (method, path) pairs the Fastify app routes, from its printed route tree (HEAD and the dashboard's files aside). */
function appRoutes(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│├└─ ]*)(\S+) \(([^)]*)\)$/.exec(line.trimEnd());
    if (!m) continue;
    const depth = (m[1] as string).length / 4;
    stack.length = depth - 1;
    const path = (stack.at(-1) ?? '') + (m[2] as string);
    stack.push(path);
    if (path === '/' || path.startsWith('/ui')) continue;
    for (const method of (m[3] as string).split(', ')) if (method !== 'HEAD') out.push({ method, path });
  }
  return out;
}

/**
 * The (method, path) pairs the docs name: `POST /v1/models/:name/pause`, then in the same paragraph a bare `GET` (the same
 * path under that method) or a relative `/resume` (beside the last path's last segment, under its method; a guess, so
 * `relative`: it may name a route, never make one up).
 */
function docRoutes(md: string): Array<{ method: string; path: string; text: string; relative?: true }> {
  const out: Array<{ method: string; path: string; text: string; relative?: true }> = [];
  const full = new RegExp(`(${METHOD}(?:/${METHOD})*) (/[^\\s\`'"?,;)]*)`, 'g');
  for (const b of blocks(md)) {
    for (const m of b.matchAll(full)) for (const method of (m[1] as string).split('/')) out.push({ method, path: m[2] as string, text: m[0] });
  }
  for (const paragraph of md.replace(/```[\s\S]*?```/g, '').split(/\n\s*\n/)) {
    let last: { methods: string[]; path: string } | undefined;
    for (const span of paragraph.matchAll(/`([^`]+)`/g)) {
      const text = span[1] as string;
      const f = new RegExp(`^(${METHOD}(?:/${METHOD})*) (/[^\\s?{]*)`).exec(text);
      if (f) {
        last = { methods: (f[1] as string).split('/'), path: f[2] as string };
        for (const method of last.methods) out.push({ method, path: last.path, text });
      } else if (last && new RegExp(`^${METHOD}$`).test(text)) {
        out.push({ method: text, path: last.path, text });
      } else if (last && /^\/[a-z][\w:/-]*$/.test(text) && !text.startsWith('/v1')) {
        const path = last.path.replace(/\/[^/]+$/, '') + text;
        for (const method of last.methods) out.push({ method, path, text, relative: true });
      }
    }
  }
  return out;
}


describe('audit 12 (docs walk): the HTTP routes the docs name', () => {
  test('every route the server has is named in the docs, and every /v1 route the docs name is one the server has', async () => {
    const s = await testServer();
    try {
      const routes = appRoutes(s.app.printRoutes({ commonPrefix: false }));
      assert.ok(routes.length >= 60, `${routes.length} routes`);
      const named = DOCS.flatMap((f) => docRoutes(doc(f)).map((r) => ({ ...r, file: f })));
      const undocumented = routes.filter((r) => !named.some((n) => n.method === r.method && sameRoute(r.path, n.path)));
      assert.deepEqual(undocumented.map((r) => `${r.method} ${r.path}`), []);
      // GET /v1/events is named as the example of a 405 (the path takes POST only)
      const unknown = named.filter((n) => n.relative !== true && /^\/(v1\/|healthz|metrics)/.test(n.path) && !(n.method === 'GET' && n.path === '/v1/events'))
        .filter((n) => !routes.some((r) => r.method === n.method && sameRoute(r.path, n.path)));
      assert.deepEqual(unknown.map((n) => `${n.file}: ${n.method} ${n.path} (${n.text})`), []);
    } finally {
      await s.close();
    }
  });
});

describe('audit 12 (docs walk): the Prometheus metrics', () => {
  test('every metric GET /metrics exports is named in the docs (prom-client\'s lookout_process_* and lookout_nodejs_* as those prefixes)', async () => {
    const s = await testServer();
    try {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      const names = [...text.matchAll(/^# HELP (lookout_\w+)/gm)].map((m) => m[1] as string).filter((n) => !/^lookout_(process|nodejs)_/.test(n));
      assert.ok(names.length >= 20, names.join(', '));
      const docs = DOCS.map((f) => codeText(doc(f))).join('\n');
      assert.ok(docs.includes('lookout_process_*') && docs.includes('lookout_nodejs_*'));
      assert.deepEqual(names.filter((n) => !new RegExp(`${n}(?![a-z_])`).test(docs)), []);
    } finally {
      await s.close();
    }
  });
});

describe('audit 12 (docs walk): the request bodies of registry.md and gateway.md are accepted as written', () => {
  test('registry.md\'s version registration, gateway.md\'s serving configuration and rollout', async () => {
    const s = await testServer();
    try {
      const put = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
        const r = await call(s.url, 'PUT', path, body);
        assert.ok(r.status < 300, `PUT ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        return r.body;
      };
      await poster(() => s.url)('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, user: { type: 'string' } } } });
      for (const v of ['1.3.0', '1.5.0']) await put(`/v1/models/churn/versions/${v}`, { upstream: `http://127.0.0.1:9/churn/${v}/predict` });
      // registry.md: "PUT /v1/models/churn/versions/1.4.0 (admin)\n{...} -> 201 {version, created:true}" (its digest elided as …)
      const reg = /^PUT (\S+) +\(admin\)\n([\s\S]*?) +-> (\d+)/m.exec(blocks(doc('docs/registry.md')).join('\n'));
      assert.ok(reg, 'registry.md has its PUT example');
      const regBody = JSON.parse((reg[2] as string).replace('"…"', JSON.stringify('0'.repeat(64)))) as unknown;
      const registered = await call(s.url, 'PUT', reg[1] as string, regBody);
      assert.equal(registered.status, Number(reg[3]), JSON.stringify(registered.body).slice(0, 300));
      assert.equal(registered.body['created'], true);
      await put('/v1/models/churn/aliases/production', { version: '1.3.0', reason: 'docs walk' });
      // gateway.md: each ```json block is the body of the route named just before it
      const md = doc('docs/gateway.md');
      let sent = 0;
      for (const m of md.matchAll(/```json\n([\s\S]*?)```/g)) {
        const before = md.slice(Math.max(0, (m.index ?? 0) - 300), m.index).split(/\n\s*\n/).filter((t) => t.trim() !== '').at(-1) ?? '';
        const route = [...before.matchAll(/`(PUT|POST) (\/v1\/[^`\s]+)`/g)].at(-1);
        assert.ok(route, `no route named before ${(m[1] as string).slice(0, 60)}`);
        const path = (route[2] as string).replace(':name', 'churn');
        const body = JSON.parse(m[1] as string) as Record<string, unknown>;
        const r = await call(s.url, route[1] as string, path, body);
        assert.ok(r.status < 300, `${route[1]} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        const stored = (r.body['serving'] ?? r.body['rollout']) as Record<string, unknown>;
        for (const [k, v] of Object.entries(body)) assert.deepEqual(stored[k], v, `${path}: ${k}`);
        sent += 1;
      }
      assert.equal(sent, 2, 'gateway.md\'s serving and rollout examples');
      // "its values, but candidate, stickyKey and reason, are the defaults": a rollout given none of them
      const example = JSON.parse(/`POST \/v1\/models\/:name\/rollout` \(admin\):\n\n```json\n([\s\S]*?)```/.exec(md)?.[1] ?? '{}') as Record<string, unknown>;
      assert.ok((await call(s.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'docs walk' })).status < 300);
      const r = await call(s.url, 'POST', '/v1/models/churn/rollout', { candidate: '1.5.0', reason: 'defaults' });
      assert.ok(r.status < 300, JSON.stringify(r.body).slice(0, 300));
      const rollout = r.body['rollout'] as Record<string, unknown>;
      for (const k of ['policy', 'steps', 'stepDurationMs', 'bakeMs', 'analysis', 'slo']) assert.deepEqual(rollout[k], example[k], `default ${k}`);
    } finally {
      await s.close();
    }
  });
});

describe('audit 12 (docs walk): docs/client.md\'s example', () => {
  test('run as written against the demo\'s churn model, its prediction and label are both stored (sent 2, nothing rejected)', async () => {
    const [ts] = blocks(doc('docs/client.md'), 'ts');
    assert.ok(ts !== undefined && ts.includes("from 'lookout/client'"));
    // the package name resolves from this repository as from an application that installed it
    const client = await import(import.meta.resolve('lookout/client')) as typeof import('../src/client/index.js');
    const s = await testServer();
    try {
      const post = poster(() => s.url);
      await post('/v1/models', CHURN);
      await post('/v1/models/churn/versions', { version: '1.0.0' });
      const warnings: unknown[] = [];
      const body = `${ts.replace(/^import .*$/m, '').replace("'http://lookout:8080'", JSON.stringify(s.url))}\nreturn lookout.stats();`;
      const AsyncFunction = (async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<{ sent: number; rejected: number; failed: number }>;
      const run = new AsyncFunction('LookoutClient', 'logger', body);
      const stats = await run(client.LookoutClient, { warn: (...a: unknown[]) => warnings.push(a) });
      assert.deepEqual({ sent: stats.sent, rejected: stats.rejected, failed: stats.failed }, { sent: 2, rejected: 0, failed: 0 }, JSON.stringify(warnings));
    } finally {
      await s.close();
    }
  });
});
