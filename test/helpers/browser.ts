import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

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
const OPTIONAL = /\/v1\/(alerts|monitors|silences|slos)\b|\/v1\/models\/[^/]+\/(deployments|versions|aliases|rollout)\b/;

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

export interface ViewTiming {
  view: string;
  readyMs?: number;
  completeMs?: number;
  renderStartMs: number;
}

/** Opens a dashboard URL in a fresh document and waits until its main panels are ready (and optionally all). */
export async function openView(page: Page, url: string, opts: { complete?: boolean; timeoutMs?: number } = {}): Promise<ViewTiming> {
  await page.goto('about:blank');
  await page.goto(url);
  const attr = opts.complete ? 'complete' : 'ready';
  // Strings, not functions: this file is compiled without the DOM library.
  await page.waitForFunction(`document.body.dataset.${attr} === 'true'`, null, { timeout: opts.timeoutMs ?? 30_000 });
  return page.evaluate('window.__lookout') as Promise<ViewTiming>;
}
