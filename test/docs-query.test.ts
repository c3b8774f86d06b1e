import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ANY_QUERY, declaredQueries, type RouteQuery } from '../src/http/known-query.js';
import type { Server } from '../src/server.js';
import { DOCS, doc, sameRoute } from './helpers/docs.js';
import { call, testServer } from './helpers/server.js';

/**
 * Every HTTP example of the docs that carries a query string (a curl line, a fenced `GET /v1/...?...` line, an inline
 * `GET /v1/models/:name/drift?from=&to=`, a relative `/performance?segments=false`, a bare `?keep=N` beside its
 * endpoint) names only parameters its route declares (src/http/known-query.ts): since audit 18 any other is a 400
 * `unknown_parameter`, so an example written before it fails for the user who copies it.
 */

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/** One URL of the docs with a query string. */
interface Example {
  file: string;
  line: number;
  /** The code it was read from, as written. */
  text: string;
  /** The methods the docs state (`GET/POST /v1/models`), the one a curl line sends, or none. */
  methods: string[];
  /** `/v1/models/churn/drift`, `/drift` (relative), `.../versions/:v/reference`. */
  path: string;
  params: string[];
  /** A bare `?keep=N`, read as a parameter of the endpoint named before it in the same paragraph or table row. */
  beside?: string;
}

/** A piece of code a reader copies: a fenced block's line (its `\` continuations joined) or an inline span. */
interface Piece { line: number; text: string; fenced: boolean; unit: string }

function pieces(md: string): Piece[] {
  const out: Piece[] = [];
  const lines = md.split('\n');
  let fence = false;
  let paragraph = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*```/.test(line)) {
      fence = !fence;
      paragraph++;
      continue;
    }
    if (fence) {
      let text = line;
      const first = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i] as string}`;
      out.push({ line: first + 1, text, fenced: true, unit: `fence ${first}` });
      continue;
    }
    if (line.trim() === '') {
      paragraph++;
      continue;
    }
    // a table row is a unit of its own; other lines belong to their paragraph
    const unit = line.trimStart().startsWith('|') ? `row ${i}` : `paragraph ${paragraph}`;
    for (const m of line.matchAll(/`([^`]+)`/g)) out.push({ line: i + 1, text: m[1] as string, fenced: false, unit });
  }
  return out;
}

/** The method a curl line sends: -X/--request, else PUT for an upload (-T), POST with a body (-d, --data*, -F), else GET. */
function curlMethod(words: readonly string[]): string {
  const x = words.findIndex((w) => w === '-X' || w === '--request');
  if (x >= 0 && words[x + 1] !== undefined) return (words[x + 1] as string).toUpperCase();
  const inline = words.find((w) => /^-X[A-Z]+$/.test(w));
  if (inline) return inline.slice(2);
  if (words.some((w) => w === '-T' || w === '--upload-file')) return 'PUT';
  if (words.some((w) => /^(-d|-F|--data(-[a-z]+)?|--form|--json)$/.test(w))) return 'POST';
  return 'GET';
}

/** A word without the punctuation around it: `(PUT`, `/drift?method=),` (an ellipsis kept: `/v1/...`). */
const bare = (word: string): string => word.replace(/^[(<[]+/, '').replace(/[)>\],;:]+$/, '').replace(/(?<!\.)\.$/, '');

/** The URLs with a query string in one piece of code (a placeholder `$(date ...)` value is one word). */
function urls(text: string): Array<{ methods: string[]; path: string; query: string; word: string }> {
  const words = text.replace(/\$\([^()]*\)/g, 'X').split(/[\s"'`]+/).filter((w) => w !== '');
  const curl = words.includes('curl') ? curlMethod(words) : undefined;
  const out: Array<{ methods: string[]; path: string; query: string; word: string }> = [];
  for (let i = 0; i < words.length; i++) {
    const word = bare(words[i] as string);
    if (word.startsWith('#')) continue; // the dashboard's own routes (#/alerts?state=open)
    const url = word.replace(/^[a-z][a-z+.-]*:\/\/[^/?]*/, '').replace(/^\$\{?\w+\}?(?=\/)/, '').replace(/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(?=\/)/, '');
    const q = url.indexOf('?');
    if (q < 0 || !/^(\/|\.\.\.\/|\?[A-Za-z_])/.test(url)) continue;
    const before = bare(words[i - 1] ?? '').split('/');
    const methods = before.every((m) => METHODS.includes(m)) ? before : curl !== undefined ? [curl] : [];
    out.push({ methods, path: url.slice(0, q), query: url.slice(q + 1), word });
  }
  return out;
}

/** The parameter names of a query string as written (`from=&to=&version&segment`, `metrics=A,B,...`). */
function paramNames(query: string): string[] {
  return query.split('&').map((p) => {
    const name = p.split('=')[0] as string;
    try {
      return decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      return name;
    }
  }).filter((n) => n !== '' && !/^\.+$/.test(n));
}

/** Every URL with a query string the markdown text `md` shows (file `file`). */
function docExamples(file: string, md: string): Example[] {
  const out: Example[] = [];
  const last = new Map<string, { methods: string[]; path: string; text: string }>();
  for (const p of pieces(md)) {
    // a span naming an endpoint with its method (`POST /v1/admin/snapshots`) is what a bare `?keep=N` after it belongs to
    // (a relative `/performance` is not: a paragraph about uploads may name it in passing, before `?scores=`)
    const named = new RegExp(`^((?:${METHODS.join('|')})(?:/(?:${METHODS.join('|')}))*) ((?:\\.\\.\\.)?/[^\\s?]*)(\\?\\S*)?$`).exec(p.text.trim());
    if (!p.fenced && named) last.set(p.unit, { methods: (named[1] as string).split('/'), path: named[2] as string, text: p.text });
    for (const u of urls(p.text)) {
      if (u.path === '') {
        const prev = last.get(p.unit);
        if (p.fenced || prev === undefined) continue;
        out.push({ file, line: p.line, text: p.text, methods: prev.methods, path: prev.path, params: paramNames(u.query), beside: prev.text });
        continue;
      }
      out.push({ file, line: p.line, text: p.text, methods: u.methods, path: u.path, params: paramNames(u.query) });
    }
  }
  return out;
}

/** How many of a route's segments are literal (Fastify prefers `/v1/monitors/stats` to `/v1/monitors/:id`). */
const literals = (url: string): number => url.split('/').filter((s) => s !== '' && !s.startsWith(':') && s !== '*').length;

/** Whether the docs' path is this route: whole (`/v1/...`, `/healthz`), its end (`.../versions/:v/reference`, `/drift`). */
function matches(route: string, path: string, whole: boolean): boolean {
  if (path === '/') return route === '/';
  if (route.endsWith('/*') && path.startsWith(route.slice(0, -1))) return whole;
  if (whole) return sameRoute(route, path);
  const tail = path.replace(/^\.\.\./, '').replace(/\/$/, '');
  const n = tail.split('/').length - 1;
  const r = route.split('/');
  // its last segment names the endpoint (`/drift`), not a value of a route's parameter (`/v1/monitors/:id`)
  return r.length > n && r.at(-1) === tail.split('/').at(-1) && sameRoute(`/${r.slice(-n).join('/')}`, tail);
}

/**
 * What is wrong with an example (null: nothing, or not an example of this API: `https://gw/lookout/?tenant=a`,
 * `/v1/...` with its path elided). An absolute path must be a route (for each method stated); a relative one (`/drift`,
 * `.../reference`) is the route it ends, when one only does.
 */
function problem(e: Example, routes: readonly RouteQuery[]): string | null {
  const whole = /^\/(v1(\/|$)|healthz|metrics|ui(\/|$)|$)/.test(e.path);
  if (e.path.split('/').some((s, i, all) => s === '...' && !(i === 0 && all.length > 1))) return null;
  const methods = e.methods.length > 0 ? e.methods : ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const found = routes.filter((r) => methods.includes(r.method) && matches(r.url, e.path, whole));
  if (found.length === 0) {
    if (!whole) return null;
    return `no route ${e.methods.length > 0 ? e.methods.join('/') : 'of any method'} ${e.path}`;
  }
  const best = (list: RouteQuery[]): RouteQuery => list.reduce((a, b) => (literals(b.url) > literals(a.url) ? b : a));
  const urls = new Set(found.map((r) => r.url));
  if (!whole && urls.size > 1) {
    // relative: the routes it may end; one of them must be meant by its literal segments alone
    const top = Math.max(...found.map((r) => literals(r.url)));
    if (new Set(found.filter((r) => literals(r.url) === top).map((r) => r.url)).size > 1) return null;
  }
  const problems: string[] = [];
  const perMethod = e.methods.length > 0 ? e.methods : [null];
  for (const m of perMethod) {
    const own = found.filter((r) => m === null || r.method === m);
    if (own.length === 0) {
      problems.push(`no route ${m} ${e.path}`);
      continue;
    }
    const route = best(own);
    // no method stated: any method of the route's path that takes every parameter will do (GET first)
    const sameUrl = m === null ? own.filter((r) => r.url === route.url) : [route];
    const ok = sameUrl.find((r) => r.query === ANY_QUERY || e.params.every((p) => (r.query as readonly string[]).includes(p)));
    if (ok) continue;
    const shown = sameUrl.find((r) => r.method === 'GET') ?? route;
    const takes = shown.query as readonly string[];
    const unknown = e.params.filter((p) => !takes.includes(p));
    problems.push(`${shown.method} ${shown.url} does not take ${unknown.map((u) => `"${u}"`).join(', ')} (it takes ${takes.length > 0 ? takes.join(', ') : 'no query parameters'})`);
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

const where = (e: Example): string => `${e.file}:${e.line}: \`${e.text.length > 160 ? `${e.text.slice(0, 160)}…` : e.text}\`${e.beside !== undefined ? ` (beside \`${e.beside}\`)` : ''}`;

/**
 * Examples the docs show because the server refuses them (the typos audit 18 names, a proxy's own parameter): each must
 * still be in the docs and still be refused, or its sentence is out of date.
 */
const REFUSED_ON_PURPOSE: ReadonlyArray<{ file: string; text: string }> = [
  { file: 'README.md', text: '/drift?segmnet=country=FR' },
  { file: 'README.md', text: '/timeseries?granulrity=day' },
  { file: 'README.md', text: '/v1/alerts?stat=open' },
  { file: 'docs/client.md', text: '/v1/events?tenant=a' },
];

describe('docs query: the HTTP examples of the docs send only parameters their route takes', { timeout: 60_000 }, () => {
  test('the extraction: curl lines, stated methods, placeholders, relative paths and bare query strings', () => {
    const md = [
      '```sh',
      'curl "localhost:8080/v1/models/churn/drift?from=$(date -ud \'-9 days\' +%FT%TZ)&granularity=day"',
      'curl -X POST "$URL/v1/admin/snapshots?keep=2"',
      '```',
      '```yaml',
      '    reference: { file: ref.csv }  # options as the upload takes them (PUT .../reference?label=...), "score"?: p',
      '```',
      '',
      '| `GET /v1/models/:name/drift?from=&to=&version&segment` | read | ... |',
      '| `PUT .../versions/:v/reference` | admin | (`?labl=x`) |',
      '',
      'See `GET /v1/models/NAME/series?metrics=A,B,...`, `/performance?segments=false`, `#/alerts?state=open`,',
      '`https://gw/lookout/v1/...?tenant=a`.',
      '',
      'A bare `?keep=N` with no endpoint named before it in its paragraph is nobody\'s;',
      'one after `GET /v1/models/:name/health` is of it: `?segment=`.',
    ].join('\n');
    const got = docExamples('x.md', md).map((e) => ({ line: e.line, methods: e.methods.join('/'), path: e.path, params: e.params.join(',') }));
    assert.deepEqual(got, [
      { line: 2, methods: 'GET', path: '/v1/models/churn/drift', params: 'from,granularity' },
      { line: 3, methods: 'POST', path: '/v1/admin/snapshots', params: 'keep' },
      { line: 6, methods: 'PUT', path: '.../reference', params: 'label' },
      { line: 9, methods: 'GET', path: '/v1/models/:name/drift', params: 'from,to,version,segment' },
      { line: 10, methods: 'PUT', path: '.../versions/:v/reference', params: 'labl' },
      { line: 12, methods: 'GET', path: '/v1/models/NAME/series', params: 'metrics' },
      { line: 12, methods: '', path: '/performance', params: 'segments' },
      { line: 13, methods: '', path: '/lookout/v1/...', params: 'tenant' },
      { line: 16, methods: 'GET', path: '/v1/models/:name/health', params: 'segment' },
    ]);
  });

  let s: Server;
  let routes: readonly RouteQuery[];
  before(async () => {
    s = await testServer();
    routes = declaredQueries(s.app);
  });
  after(() => s.close());

  test('the checker: a parameter the route does not declare, an unknown route, a method the path lacks', () => {
    const ex = (methods: string[], path: string, params: string[]): Example => ({ file: 'x.md', line: 1, text: path, methods, path, params });
    assert.equal(problem(ex(['GET'], '/v1/models/:name/drift', ['from', 'to', 'version', 'segment']), routes), null);
    assert.match(problem(ex(['GET'], '/v1/models/churn/drift', ['from', 'granularity']), routes) ?? '', /GET \/v1\/models\/:name\/drift does not take "granularity" \(it takes from, to, /);
    assert.equal(problem(ex(['GET'], '/v1/monitors/stats', ['from', 'to']), routes), null, 'the literal route, not /v1/monitors/:id');
    assert.equal(problem(ex([], '/v1/admin/snapshots', ['keep']), routes), null, 'no method stated: the POST takes keep');
    assert.match(problem(ex(['GET'], '/v1/admin/snapshots', ['keep']), routes) ?? '', /GET \/v1\/admin\/snapshots does not take "keep" \(it takes no query parameters\)/);
    assert.match(problem(ex(['PUT'], '.../versions/:v/reference', ['labl']), routes) ?? '', /PUT \/v1\/models\/:name\/versions\/:version\/reference does not take "labl"/);
    assert.match(problem(ex([], '/performance', ['segmnets']), routes) ?? '', /\/v1\/models\/:name\/performance does not take "segmnets"/);
    assert.equal(problem(ex([], '/performance/buckets', ['step']), routes), null);
    assert.match(problem(ex(['GET'], '/v1/model/churn/drift', ['from']), routes) ?? '', /no route GET \/v1\/model\/churn\/drift/);
    assert.match(problem(ex(['DELETE'], '/v1/models/churn/drift', ['from']), routes) ?? '', /no route DELETE/);
    assert.equal(problem(ex([], '/healthz', ['verbose']), routes), null, '/healthz takes any parameter');
    assert.equal(problem(ex([], '/lookout/', ['tenant']), routes), null, 'not this API');
  });

  test('every example in README.md and docs/*.md names only the parameters its route declares', async () => {
    const examples = DOCS.flatMap((f) => docExamples(f, doc(f)));
    // the extraction still finds the examples it is about
    assert.ok(examples.length >= 20, `${examples.length} examples`);
    for (const [file, text] of [['README.md', 'curl "localhost:8080/v1/models/churn/drift?from='], ['docs/alerting.md', 'GET /v1/monitors/stats?from&to'], ['README.md', 'GET /v1/overview?from=&to=']]) {
      assert.ok(examples.some((e) => e.file === file && e.text.startsWith(text as string)), `${file}: ${text}`);
    }
    const wrong: string[] = [];
    const purposely = new Set<string>();
    for (const e of examples) {
      const p = problem(e, routes);
      if (p === null) continue;
      const known = REFUSED_ON_PURPOSE.find((r) => r.file === e.file && e.text.includes(r.text));
      if (known) {
        purposely.add(`${known.file} ${known.text}`);
        continue;
      }
      wrong.push(`${where(e)}: ${p}`);
    }
    assert.deepEqual(wrong, [], `examples a user copying them would get a 400 unknown_parameter (or 404) for:\n${wrong.join('\n')}`);
    // the examples shown as refused are still there, and still refused by the server
    assert.deepEqual([...purposely].sort(), REFUSED_ON_PURPOSE.map((r) => `${r.file} ${r.text}`).sort());
    await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    for (const r of REFUSED_ON_PURPOSE) {
      const path = r.text.startsWith('/v1/') ? r.text : `/v1/models/m${r.text}`;
      const res = await call(s.url, path.startsWith('/v1/events') ? 'POST' : 'GET', path, path.startsWith('/v1/events') ? { events: [] } : undefined);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal((res.body['error'] as { code: string }).code, 'unknown_parameter', path);
    }
  });
});
