import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page, type Request } from 'playwright-core';

export const CHROMIUM = process.env['LOOKOUT_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (no Chromium, dashboard not built), or null. */
export function browserUnavailable(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set LOOKOUT_CHROMIUM)`;
  if (!existsSync(join(process.cwd(), 'web', 'dist', 'index.html'))) return 'the dashboard is not built (web/dist/index.html missing): run `npm run build`';
  return null;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Endpoints of issues 4 and 5 that a server may not have yet: their 404s are expected, not page errors. */
const OPTIONAL = /\/v1\/(alerts|actions|monitors|silences|slos)\b|\/v1\/models\/[^/]+\/(deployments|versions|aliases|rollout)\b/;

/** Collects console errors and uncaught exceptions of a page, except the expected 404s of optional endpoints. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    if (/status of 404/.test(m.text()) && OPTIONAL.test(url)) return;
    errors.push(`${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

/**
 * Waits until the JavaScript expression `expression` is true in the page. Not page.waitForFunction: Playwright
 * compiles its predicate with eval inside the page, which the dashboard's Content-Security-Policy (script-src 'self')
 * refuses; page.evaluate goes through the DevTools protocol, which the policy does not govern.
 */
export async function waitForPage(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await page.evaluate(`!!(${expression})`))) {
    if (Date.now() > until) throw new Error(`waitForPage: "${expression}" still false after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ViewTiming {
  view: string;
  readyMs?: number;
  completeMs?: number;
  renderStartMs: number;
}

/** One request of a page load: where it went, ms from the document request, total and server (time to first byte) times. */
export interface RequestTiming { origin: string; path: string; startMs: number; totalMs: number; serverMs: number }

/**
 * Opens a dashboard URL in a fresh document and waits until its main panels are ready (and optionally all);
 * `requests` receives the timing of every request of the load (to tell a slow server from a slow browser).
 */
export async function openView(page: Page, url: string, opts: { complete?: boolean; timeoutMs?: number; requests?: RequestTiming[] } = {}): Promise<ViewTiming> {
  await page.goto('about:blank');
  const seen: Array<{ origin: string; path: string; start: number; end: number; wait: number }> = [];
  const onFinished = (r: Request): void => {
    const t = r.timing();
    const u = new URL(r.url());
    seen.push({ origin: u.origin, path: u.pathname + u.search, start: t.startTime, end: t.responseEnd, wait: t.responseStart - t.requestStart });
  };
  // Failed requests too (timings unknown: NaN), so that a request elsewhere (a CDN, offline) is never missed.
  const onFailed = (r: Request): void => {
    const u = new URL(r.url());
    seen.push({ origin: u.origin, path: u.pathname + u.search, start: NaN, end: NaN, wait: NaN });
  };
  if (opts.requests) {
    page.on('requestfinished', onFinished);
    page.on('requestfailed', onFailed);
  }
  try {
    await page.goto(url);
    const attr = opts.complete ? 'complete' : 'ready';
    // Strings, not functions: this file is compiled without the DOM library.
    await waitForPage(page, `document.body.dataset.${attr} === 'true'`, opts.timeoutMs ?? 30_000);
    return await (page.evaluate('window.__lookout') as Promise<ViewTiming>);
  } finally {
    page.off('requestfinished', onFinished);
    page.off('requestfailed', onFailed);
    const t0 = Math.min(...seen.filter((x) => !Number.isNaN(x.start)).map((x) => x.start));
    for (const x of seen) opts.requests?.push({ origin: x.origin, path: x.path, startMs: x.start - t0, totalMs: x.end, serverMs: x.wait });
  }
}

/** Opens a complete view (openView) and answers the URLs of the requests it made to the API path `pathname`. */
export async function openViewAsking(page: Page, url: string, pathname: string): Promise<URL[]> {
  const asked: URL[] = [];
  const onRequest = (r: Request): void => {
    const u = new URL(r.url());
    if (u.pathname === pathname) asked.push(u);
  };
  page.on('request', onRequest);
  try {
    await openView(page, url, { complete: true });
  } finally {
    page.off('request', onRequest);
  }
  return asked;
}

/** Clicks a button of the dashboard, confirms when asked, and waits for the success toast and the re-rendered view. */
export async function clickAndWait(p: Page, button: Locator, toastText: string, confirm = false): Promise<void> {
  // the toast of an earlier action (shown for 6 s) must not be taken for this one's
  await p.evaluate('document.querySelector(\'[data-testid="toast"]\')?.remove()');
  await button.click();
  if (confirm) await p.locator('[data-testid="confirm-dialog"] [data-testid="confirm"]').click();
  await p.locator('[data-testid="toast"]', { hasText: toastText }).waitFor();
  await waitForPage(p, 'document.body.dataset.complete === "true"');
}
