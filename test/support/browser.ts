/**
 * Headless Chromium (Debian's `chromium`, driven by playwright-core) for the HTML report: opens a page
 * with a fresh empty profile, no network features, and reports what a reader would hit: horizontal
 * overflow, console errors, requests beyond the file itself.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  open(file: string, width?: number): Promise<OpenedPage>;
  close(): Promise<void>;
}

export interface OpenedPage {
  page: Page;
  /** Every request the page made (the file itself included), by URL. */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Opens every <details>, then measures: how far the page is wider than the viewport (0 when it fits). */
  overflowPx(): Promise<number>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the report is checked in headless Chromium. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'scw-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context on a new empty directory: Chromium's --user-data-dir.
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 }, timeout: 120_000 });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    async open(file, width = 1280) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
      return {
        page,
        requests,
        errors,
        // Runs in the page (this project's TypeScript has no DOM types: the code is a string).
        overflowPx: () =>
          page.evaluate<number>(`(() => {
            for (const d of document.querySelectorAll('details')) d.open = true;
            return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth);
          })()`),
      };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
