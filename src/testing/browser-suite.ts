import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { DialectName } from '../db/database.js';
import { launchChromium } from './browser.js';
import { createTestDatabase } from './databases.js';
import { startSite, type RunningSite } from './running-site.js';

export interface BrowserSuite {
  readonly browser: Browser;
  readonly site: RunningSite;
}

/**
 * Inside a describe: Chromium, a fresh database of `dialect`, and the site over it, for the
 * suite's tests (valid after `before`); `environment` adds configuration (e.g. a short identity
 * check). Torn down in this order: the browser, the site and its worker, then the database —
 * describeEachDatabase's own `after` would close the database first, under a running worker,
 * which is why browser suites loop over the engines themselves.
 */
export function browserSuite(dialect: DialectName = 'sqlite', environment: Readonly<Record<string, string>> = {}): BrowserSuite {
  let browser: Browser | undefined;
  let site: RunningSite | undefined;
  let dispose: (() => Promise<void>) | undefined;

  before(async () => {
    browser = await launchChromium();
    const created = await createTestDatabase(dialect);
    dispose = created.dispose;
    site = await startSite(created.database, { ...environment });
  });

  after(async () => {
    await browser?.close();
    await site?.stop();
    await dispose?.();
  });

  return {
    get browser() {
      return browser ?? fail('Chromium used outside a test');
    },
    get site() {
      return site ?? fail('the site used outside a test');
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}
