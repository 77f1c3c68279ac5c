import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestCitypulse } from '../harness.js';

/**
 * Debian's chromium (CI installs the `chromium` package; playwright downloads no browser).
 * CP_TEST_CHROMIUM points elsewhere. Read here, in the test only: it is no setting of citypulse.
 */
export const CHROMIUM_PATH = process.env.CP_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = '.artifacts/screenshots';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set ` +
        `CP_TEST_CHROMIUM to a Chromium executable`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}

/** A fresh browser context (own cookies and sessionStorage) at a viewport, phone-like when narrow. */
export function openContext(browser: Browser, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const phone = viewport.width < 700;
  return browser.newContext({ viewport, ...(phone && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }) });
}

export function consoleUrl(cp: TestCitypulse, hash = ''): string {
  return `http://127.0.0.1:${cp.running.httpPort}/console${hash}`;
}

/** Signs in through the login form and waits for the page to show the signed-in navigation. */
export async function signIn(
  page: Page,
  cp: TestCitypulse,
  { token = cp.config.http.adminToken, name = 'alice', hash = '' } = {},
): Promise<void> {
  await page.goto(consoleUrl(cp, hash));
  await page.fill('input[name=token]', token);
  await page.fill('input[name=operator]', name);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#nav:not([hidden])');
}

/**
 * Script errors and console errors of a page (a CSP violation is logged as one), to assert that
 * there are none.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** Whether the page is wider than its viewport (a phone would have to scroll sideways). */
export function scrollsSideways(page: Page): Promise<boolean> {
  // Runs in the page (this file is type-checked without the DOM library).
  return page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth > (globalThis as any).innerWidth);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
