/**
 * Real Chromium for end-to-end tests: Debian's /usr/bin/chromium (CHROMIUM_PATH to
 * override) driven by playwright-core. `startUiHub` builds the dashboard and kiosk
 * when stale and starts a hub that serves them. Screenshots go to
 * tests/e2e/screenshots/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureUiBuilt } from '../../scripts/build-ui.js';
import { startHub, type TestHub } from './hub.js';
import type { DbKind } from './db.js';

const root = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(root, 'tests/e2e/screenshots');

export async function launchBrowser(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  } catch (err) {
    console.error(`\n  Chromium did not start (install Debian's chromium: apt-get install -y chromium): ${(err as Error).message}\n`);
    throw err;
  }
}

/** A hub that serves the built dashboard (and kiosk, when built). */
export async function startUiHub(kind: DbKind = 'sqlite', env: Record<string, string> = {}): Promise<TestHub> {
  ensureUiBuilt(() => {});
  return startHub(kind, { CLIENT_DIR: join(root, 'dist/client'), ...env });
}

/** A browser context with a viewport (and touch, for the kiosk controller). */
export function newContext(browser: Browser, opts: { width?: number; height?: number; touch?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    hasTouch: opts.touch ?? false,
    isMobile: false,
    colorScheme: opts.colorScheme ?? 'light',
    timezoneId: 'Europe/Berlin',
  });
}

/** Signs a page in through the real form. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Collects page errors and console errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}
