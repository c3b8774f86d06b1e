import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashKey } from '../src/http/auth.js';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView } from './helpers/browser.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const unavailable = browserUnavailable();

/** Markup that runs script when parsed as HTML: each sets window.__xss, so the test sees whether any ran. */
const IMG = '<img src=x onerror="window.__xss=(window.__xss||[]).concat(\'img\')">';
const SCRIPT = '</script><script>window.__xss=(window.__xss||[]).concat(\'script\')</script>';
const SVG = '"><svg onload="window.__xss=(window.__xss||[]).concat(\'svg\')">';
/** For names that cannot hold "=" (segment keys): an element the page never has. */
const TAG = '<marquee>k</marquee>';
const X = `${IMG}${SCRIPT}${SVG}`;

describe('audit 11 (security): text from the API is never parsed as HTML by the dashboard', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  const from = NOW - 2 * HOUR;
  const range = `from=${from}&to=${NOW}`;
  const ok = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const r = await call(s.url, method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => NOW, configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } }), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // what the Content-Security-Policy refuses, as the page sees it
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => { (window.__csp ||= []).push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')); })`);
    const feature = `f${IMG}`;
    const cat = `c${X}`;
    await ok('POST', '/v1/models', {
      name: 'm', outputKind: 'binary', classes: [`no${IMG}`, `yes${SCRIPT}`], segmentKeys: [TAG], description: X,
      inputSchema: { type: 'object', properties: { [feature]: { type: 'number' }, [cat]: { type: 'string' } } },
    });
    await ok('POST', '/v1/models/m/versions', { version: '1', metadata: { note: X } });
    const rows = Array.from({ length: 300 }, (_, i) => ({ [feature]: i % 50, [cat]: i % 2 ? X : `v${SVG}`, prediction: i % 2 ? `yes${SCRIPT}` : `no${IMG}` }));
    const csv = (v: unknown): string => `"${String(v).replace(/"/g, '""')}"`;
    const reference = `${[feature, cat, 'prediction'].map(csv).join(',')}\n${rows.map((r) => [r[feature], r[cat], r['prediction']].map(csv).join(',')).join('\n')}\n`;
    const up = await fetch(`${s.url}/v1/models/m/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
    assert.equal(up.status, 200, await up.text());
    const events = Array.from({ length: 300 }, (_, i) => ({
      id: `e-${i}${X}`, model: 'm', version: '1', timestamp: from + i * 20_000, segment: { [TAG]: i % 3 === 0 ? X : 'us' },
      features: { [feature]: (i * 7) % 50, [cat]: i % 3 ? X : `w${IMG}` }, prediction: i % 2 ? `yes${SCRIPT}` : `no${IMG}`,
    }));
    await ok('POST', '/v1/events', { events });
    await ok('POST', '/v1/labels', { labels: events.slice(0, 100).map((e) => ({ id: e.id, label: e.prediction })) });
    await ok('PUT', '/v1/models/m/versions/1.0.0', { tags: [IMG, SVG], notes: X, by: IMG });
    await ok('PUT', '/v1/models/m/versions/1.0.1', { tags: [`t${IMG}`], notes: X, by: IMG });
    await ok('PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: X, by: SCRIPT });
    await ok('PUT', '/v1/models/m/aliases/production', { version: '1.0.1', reason: X, by: SCRIPT });
    await ok('POST', '/v1/alerts', { source: X, model: 'm', severity: 'page', summary: X, labels: { note: X } });
    // an alert fired before runbook links were checked (2026-12), stored as an older release stored it: its
    // "javascript:" runbook must not become a link (the walk below fails on any link of another scheme)
    await s.deps.store.alertStore().putAlert({
      id: 'old-alert', fingerprint: 'old', monitorId: 'old-monitor', model: 'm', version: null, severity: 'page', state: 'open', falsePositive: false,
      labels: { alertname: 'old' }, startsAt: NOW - HOUR, endsAt: null, updatedAt: NOW - HOUR, silenced: false, inhibited: false,
      context: { metric: 'throughput', summary: X, runbookUrl: 'javascript:window.__xss=document.domain' },
    });
    await ok('POST', '/v1/monitors', { model: 'm', metric: 'throughput', direction: 'above', window: '150m', version: '1', name: `${IMG}${SVG}`, runbookUrl: 'https://runbooks.example/m', levels: [{ severity: 'warning', threshold: 0.0001 }], minSamples: 1 });
    await ok('POST', '/v1/slos', { model: 'm', name: `${IMG}${SVG}`, kind: 'availability', objective: 0.99 });
    await ok('POST', '/v1/silences', { matchers: [{ name: 'model', value: 'm' }], comment: X, createdBy: X, startsAt: from, endsAt: NOW + HOUR });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('no injected handler runs and no injected element appears in any view', async () => {
    const feature = encodeURIComponent(`f${IMG}`);
    const views = ['overview', 'model/m', `feature/m/${feature}`, 'exec', 'oncall', 'debug/m', 'alerts', 'slos', 'registry', 'registry/m'];
    const problems: string[] = [];
    for (const v of views) {
      await openView(page, `${s.url}/ui/#/${v}?${range}`, { complete: true });
      // hover over every chart, so tooltips and legends render the values of their series
      for (const box of await page.locator('.u-over').all()) await box.hover({ force: true }).catch(() => {});
      const found = await page.evaluate(`(() => ({
        ran: window.__xss ?? null,
        csp: window.__csp ?? [],
        shown: document.body.innerText.includes('<img src=x onerror='),
        injected: document.querySelectorAll('img[src="x"], svg[onload], marquee, script:not([src])').length,
        links: [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((h) => !/^(https?:|#)/.test(h) && !h.startsWith(location.origin)),
      }))()`) as { ran: unknown; csp: string[]; shown: boolean; injected: number; links: string[] };
      // the payloads are on the page, as text (else the test would prove nothing)
      if (!found.shown) problems.push(`${v}: no payload shown as text`);
      if (found.ran !== null) problems.push(`${v}: script ran ${JSON.stringify(found.ran)}`);
      if (found.csp.length > 0) problems.push(`${v}: the Content-Security-Policy refused ${found.csp.join('; ')}`);
      if (found.injected > 0) problems.push(`${v}: ${found.injected} injected elements`);
      if (found.links.length > 0) problems.push(`${v}: links to ${found.links.join(', ')}`);
    }
    assert.deepEqual(problems, []);
  });
});

describe('audit 11 (security): the dashboard\'s response headers', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => { s = await testServer(); });
  after(async () => { await s?.close(); });

  test('index.html and the assets carry a charset, nosniff, a Content-Security-Policy and refuse framing', async () => {
    const index = await fetch(`${s.url}/ui/`);
    const html = await index.text();
    const asset = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html.slice(0, 500));
    for (const [what, res] of [['index.html', index], ['asset', await fetch(s.url + asset)], ['client route', await fetch(`${s.url}/ui/model/x`)]] as const) {
      assert.equal(res.status, 200, what);
      assert.match(res.headers.get('content-type') ?? '', /; charset=utf-8$/, what);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
        assert.ok(csp.split(/\s*;\s*/).includes(directive), `${what}: ${directive} not in "${csp}"`);
      }
      assert.ok(!/unsafe-(inline|eval)/.test(csp), `${what}: ${csp}`);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
    }
  });
});

describe('audit 11 (security): a refused key is never echoed', { timeout: 60_000 }, () => {
  const key = 'lk_HZYaj6DJLu6bvC9idEuSuRcNDEzv82qX';
  let s: Server;
  before(async () => { s = await testServer({ configure: (c) => { c.auth.keys = [{ name: 'ci', sha256: hashKey(`${key}-other`), scopes: ['read'] }]; } }); });
  after(async () => { await s?.close(); });

  test('a key sent without a scheme ("Authorization: KEY") is refused without its characters in the answer', async () => {
    for (const authorization of [key, ` ${key} `, `${key}:`, `${key} ${key}`]) {
      const res = await fetch(`${s.url}/v1/models`, { headers: { authorization } });
      const text = `${await res.text()} ${res.headers.get('www-authenticate') ?? ''}`;
      assert.equal(res.status, 401, text);
      // any 6 characters of the key in a row
      const leaked = Array.from({ length: key.length - 5 }, (_, i) => key.slice(i, i + 6)).filter((part) => text.includes(part));
      assert.deepEqual(leaked, [], `${JSON.stringify(authorization)}: ${text}`);
      assert.match(text, /Bearer KEY/, text);
    }
    // a scheme that is a scheme is still named (audit 9)
    const basic = await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Basic dXNlcjpzZWNyZXQ=' } });
    assert.match(((await basic.json()) as { error: { message: string } }).error.message, /scheme "Basic" is not Bearer/);
  });
});

describe('audit 11 (security): a runbook link is an http(s) URL', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer();
    const r = await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => { await s?.close(); });

  test('monitors and SLOs refuse a javascript: (or other non-http) runbookUrl, which the dashboard renders as a link', async () => {
    const monitor = { model: 'm', metric: 'errorRate', levels: [{ severity: 'warning', threshold: 0.1 }] };
    const slo = { model: 'm', kind: 'availability', objective: 0.99 };
    for (const url of ['javascript:alert(document.domain)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'runbooks/x']) {
      for (const [path, body] of [['/v1/monitors', monitor], ['/v1/slos', slo]] as const) {
        const r = await call(s.url, 'POST', path, { ...body, runbookUrl: url });
        assert.equal(r.status, 400, `${path} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.match(JSON.stringify(r.body), /runbookUrl.*http/, JSON.stringify(r.body));
      }
    }
    for (const [path, body] of [['/v1/monitors', monitor], ['/v1/slos', slo]] as const) {
      const r = await call(s.url, 'POST', path, { ...body, runbookUrl: 'https://wiki.example/runbooks/m?x=1#y' });
      assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    }
  });
});

describe('audit 11 (security): a key pasted into lookout.yaml is not printed', { timeout: 60_000 }, () => {
  test('a key where its sha256 belongs stops `lookout serve` without the key in its output', async () => {
    const key = 'lk_HZYaj6DJLu6bvC9idEuSuRcNDEzv82qX';
    const dir = tempDir('lookout-audit11-');
    const cfg = join(dir, 'lookout.yaml');
    writeFileSync(cfg, `auth:\n  keys:\n    - { name: ci, sha256: "${key}", scopes: [read] }\n`);
    const r = await lookoutAsync(['serve', '--config', cfg, '--data-dir', join(dir, 'data'), '--port', '0']);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 2, out);
    assert.match(out, /auth\.keys\[0\]\.sha256/, out);
    const leaked = Array.from({ length: key.length - 5 }, (_, i) => key.slice(i, i + 6)).filter((part) => out.includes(part));
    assert.deepEqual(leaked, [], out);
  });
});

describe('audit 11 (security): a page of another site cannot change the server through the visitor\'s browser', { skip: unavailable ?? false, timeout: 60_000 }, () => {
  let s: Server;
  let browser: Browser;
  let evil: HttpServer;
  before(async () => {
    // no API keys (the default), listening on 127.0.0.1 (the default): what a page on any site can reach from the browser
    [s, browser] = await Promise.all([testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } }), launch()]);
    evil = createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>elsewhere</title>'); });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const ok = async (method: string, path: string, body?: unknown): Promise<void> => {
      const r = await call(s.url, method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await ok('PUT', '/v1/models/m/versions/1.0.0', { upstream: 'http://127.0.0.1:9/' });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await new Promise((r) => evil?.close(r));
  });

  test('a cross-site POST (fetch no-cors, no Content-Type) is refused 403 and pauses nothing; the same request from curl still works', async () => {
    const page = await browser.newPage();
    // "localhost" and "127.0.0.1" are different sites: the browser marks the request Sec-Fetch-Site: cross-site
    await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
    const target = `${s.url}/v1/models/m/pause`;
    await page.evaluate(`fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors' }).then(() => 'sent', (e) => String(e))`);
    const resume = await call(s.url, 'POST', '/v1/models/m/resume');
    assert.equal(resume.status, 200, JSON.stringify(resume.body));
    assert.equal(resume.body['changed'], false, 'the cross-site request paused model m');
    const refused = await fetch(target, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(refused.status, 403, await refused.text());
    const own = await fetch(target, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(own.status, 200, await own.text());
    const curl = await call(s.url, 'POST', '/v1/models/m/resume');
    assert.deepEqual([curl.status, curl.body['changed']], [200, true]);
  });
});

describe('audit 11 (security): deeply nested JSON values are refused, not a 500', { timeout: 60_000 }, () => {
  let s: Server;
  const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  before(async () => {
    s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    const ok = async (method: string, path: string, body?: unknown): Promise<void> => {
      const r = await call(s.url, method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, o: { type: 'object' } } } });
    await ok('PUT', '/v1/models/m/versions/1.0.0', { upstream: 'http://127.0.0.1:9/' });
    await ok('PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'first' });
  });
  after(async () => { await s?.close(); });

  test('predict features, version metadata and lineage hyperparameters nested 20,000 levels: 400 naming the limit', async () => {
    const cases: Array<[string, string, string]> = [
      ['POST', '/v1/models/m/predict', `{"features":{"x":1,"o":${deep(20_000)}}}`],
      ['POST', '/v1/models/m/versions', `{"version":"2","metadata":${deep(20_000)}}`],
      ['PUT', '/v1/models/m/versions/1.0.1', `{"lineage":{"hyperparameters":${deep(20_000)}}}`],
    ];
    const answers: string[] = [];
    for (const [method, path, body] of cases) {
      const res = await fetch(s.url + path, { method, headers: { 'content-type': 'application/json' }, body });
      answers.push(`${method} ${path} ${res.status} ${(await res.text()).slice(0, 200)}`);
    }
    for (const a of answers) assert.match(a, / 400 .*200 levels/, answers.join('\n'));
    // nothing was stored by the refused requests
    const versions = await call(s.url, 'GET', '/v1/models/m/versions');
    assert.deepEqual((versions.body['versions'] as Array<{ version: string }>).map((v) => v.version), ['1.0.0']);
  });
});

describe('audit 11 (security): a notifier\'s URL, which holds its secret, is not shown to readers', { timeout: 60_000 }, () => {
  let s: Server;
  let rx: Receiver;
  let now = NOW;
  const TOKEN = 'T0AAAAAAA/B0BBBBBBB/xoxSecretWebhookToken42';
  before(async () => {
    rx = await Receiver.start(500);
    // (a URL with a user and password, which fetch refuses, is refused at start since audit 23: test/audit23-alerting)
    const hookUrl = (path: string): string => rx.url + path;
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '0s', groupInterval: '10m', repeatInterval: '24h',
          notifiers: [
            { id: 'slack', kind: 'slack', url: `${rx.url}/services/${TOKEN}`, retries: 0, backoffMs: 1 },
            { id: 'hook', kind: 'webhook', url: hookUrl(`/hook?token=${TOKEN}`), retries: 0, backoffMs: 1 },
          ],
        };
      },
    });
    const m = await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    assert.equal(m.status, 201, JSON.stringify(m.body));
  });
  after(async () => {
    await s?.close();
    await rx?.close();
  });

  test('a failed delivery is recorded (GET /v1/notifications, read scope) without the URL\'s path, query or password', async () => {
    const a = await call(s.url, 'POST', '/v1/alerts', { source: 'ci', model: 'm', severity: 'page', summary: 'x' });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    for (let i = 0; i < 3; i++) {
      now += 60_000;
      await call(s.url, 'POST', '/v1/monitors/run', {});
    }
    assert.ok(rx.received.length >= 1, `the receiver got ${rx.received.length} requests`);
    const n = await call(s.url, 'GET', `/v1/notifications?from=${NOW - 1}&to=${now + 1}`);
    const text = JSON.stringify(n.body);
    const records = n.body['notifications'] as Array<{ status: string }>;
    assert.ok(records.length >= 2 && records.every((r) => r.status === 'failed'), text);
    for (const secret of ['xoxSecretWebhookToken42']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.match(text, /HTTP 500/, text);
  });
});
