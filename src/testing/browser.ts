import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Language } from '../core/i18n/languages.js';

/**
 * Headless Chromium for the site's browser tests: Debian's /usr/bin/chromium (CHROMIUM_PATH to
 * use another), driven by playwright-core. A machine without it fails the tests with a message
 * that says what to install: a browser test that skips itself proves nothing.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const PHONE_VIEWPORT = { width: 360, height: 740 } as const;
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 } as const;
/** The narrowest screen the site promises to work on. */
export const NARROWEST_WIDTH_PX = 320;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install Debian's packages "chromium" and "fonts-noto-cjk" (apt-get install -y chromium fonts-noto-cjk), or set CHROMIUM_PATH. Browser tests fail rather than skip.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
}

export interface VisitorOptions {
  readonly javaScriptEnabled?: boolean;
  readonly viewport?: { width: number; height: number };
  /** Where the browser's geolocation says the visitor is (answered only with the permission below). */
  readonly geolocation?: { latitude: number; longitude: number };
  /** Permissions granted up front (e.g. 'geolocation'); any other the page asks for is refused. */
  readonly permissions?: readonly string[];
}

/** A fresh browser profile that speaks `language` (Accept-Language and navigator.language). */
export function newVisitor(browser: Browser, language: Language, options: VisitorOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: language === 'zh-Hans' ? 'zh-CN' : language === 'zh-Hant' ? 'zh-TW' : language === 'ru' ? 'ru-RU' : 'en-GB',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: options.viewport ?? PHONE_VIEWPORT,
    ...(options.geolocation ? { geolocation: options.geolocation } : {}),
    permissions: [...(options.permissions ?? [])],
  });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA rules). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // A string, not a function: this project's TypeScript has no DOM types, and the page does.
  const violations = await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/**
 * Waits until a JavaScript expression is true in the page. page.waitForFunction would poll with
 * eval() inside the page, which the site's Content-Security-Policy forbids; evaluating from here does not.
 */
export async function waitUntilTrue(page: Page, expression: string, timeout_ms: number): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`still false after ${timeout_ms} ms: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The page is wider than its viewport (something overflows sideways at this width). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth > window.innerWidth')) as boolean;
}

/** SITE_SCREENSHOTS_DIR=folder keeps a full-page screenshot of each page a test visits, for people to look at. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.SITE_SCREENSHOTS_DIR;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name.replace(/[^a-zA-Z0-9-]+/g, '_')}.png`), fullPage: true });
}
