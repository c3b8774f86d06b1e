import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserUnavailable, launch } from './helpers/browser.js';
import { lookout, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { poster, testServer } from './helpers/server.js';

/** The shell lines of the first ```sh block after `heading` in README.md. */
function readmeBlock(heading: string): string[] {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const at = readme.indexOf(heading);
  assert.ok(at >= 0, `README.md has no "${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, `no sh block after "${heading}"`);
  return (block[1] ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

describe('audit 8 (docs): the README examples run as written', () => {
  test('every offline `npx lookout` command of the Quick Start runs from the repository root (exit 0)', () => {
    const commands = readmeBlock('## Quick start').filter((l) => l.startsWith('npx lookout '));
    assert.ok(commands.length >= 3, `Quick start commands: ${JSON.stringify(commands)}`);
    const out = tempDir();
    for (const line of commands) {
      const args = line.slice('npx lookout '.length).split(/\s+/).map((a) => (a === 'report.html' ? join(out, a) : a));
      const r = lookout(args);
      assert.equal(r.code, 0, `${line}\nexit ${r.code}: ${r.stderr}`);
    }
  });

  test('the `try:` requests `lookout serve` prints at start answer 200 on a store without the demo (no 404 for its churn model)', { timeout: 60_000 }, async () => {
    const server = await spawnServe(['--data-dir', tempDir()]);
    try {
      const line = /^lookout: try: (.*)$/m.exec(server.stderr());
      assert.ok(line, `no try: line in\n${server.stderr()}`);
      const urls = [...(line[1] ?? '').matchAll(/curl '?(http[^'\s]+)'?/g)].map((m) => m[1] as string);
      assert.ok(urls.length >= 1, line[0]);
      for (const url of urls) {
        const res = await fetch(url);
        assert.equal(res.status, 200, `${url}: ${res.status} ${await res.text()}`);
      }
    } finally {
      await server.stop();
    }
  });
});

describe('audit 8 (docs): the README\'s query times work as written in a URL', () => {
  test('from=2026-11-30T13:00+01:00 unencoded (the query string turns + into a space) is 12:00 UTC, not a 400', async () => {
    const s = await testServer();
    try {
      await poster(() => s.url)('/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      await poster(() => s.url)('/v1/models/m/versions', { version: '1' });
      const expected = { from: Date.UTC(2026, 10, 30, 12), to: Date.UTC(2026, 10, 30, 14) };
      for (const q of ['from=2026-11-30T13:00+01:00&to=2026-11-30T15:00:00+01:00', 'from=2026-11-30T13:00%2B01:00&to=2026-11-30T15:00%2B01:00', 'from=2026-11-30T12:00Z&to=2026-11-30T14:00']) {
        const res = await fetch(`${s.url}/v1/models/m/health?${q}`);
        const body = await res.json() as { requested?: { from: number; to: number } };
        assert.equal(res.status, 200, `${q}: ${JSON.stringify(body)}`);
        assert.deepEqual(body.requested, expected, q);
      }
      // a space where no zone can be stays refused
      assert.equal((await fetch(`${s.url}/v1/models/m/health?from=2026-11-30T13:00+1`)).status, 400);
    } finally {
      await s.close();
    }
  });
});

describe('audit 8 (docs): a dashboard link with ISO times means the same range in every time zone', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  test('?from=2026-11-20T10:00 (no zone) is UTC, as in the API, and a +09:00 offset left unencoded is kept, in a browser in Tokyo', async () => {
    const s = await testServer();
    const browser = await launch();
    try {
      const post = poster(() => s.url);
      await post('/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      await post('/v1/models/m/versions', { version: '1' });
      const page = await (await browser.newContext({ timezoneId: 'Asia/Tokyo' })).newPage();
      const healthRange = async (query: string): Promise<{ from: number; to: number }> => {
        const asked = page.waitForRequest((r) => r.url().includes('/v1/models/m/health'), { timeout: 30_000 });
        await page.goto('about:blank');
        await page.goto(`${s.url}/ui/#/model/m?${query}`);
        const u = new URL((await asked).url());
        return { from: Number(u.searchParams.get('from')), to: Number(u.searchParams.get('to')) };
      };
      const expected = { from: Date.UTC(2026, 10, 20, 10), to: Date.UTC(2026, 10, 20, 12) };
      // as the API reads it: GET /health?from=2026-11-20T10:00 is 10:00 UTC
      const api = await (await fetch(`${s.url}/v1/models/m/health?from=2026-11-20T10:00&to=2026-11-20T12:00`)).json() as { requested: { from: number; to: number } };
      assert.deepEqual(api.requested, expected);
      assert.deepEqual(await healthRange('from=2026-11-20T10:00&to=2026-11-20T12:00'), expected);
      assert.deepEqual(await healthRange('from=2026-11-20T19:00+09:00&to=2026-11-20T21:00:00+09:00'), expected);
      assert.deepEqual(await healthRange('from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00.000Z'), expected);
    } finally {
      await browser.close();
      await s.close();
    }
  });
});
