#!/usr/bin/env node
// First-load weight of the renewal page, as a phone whose data ran out would fetch it: Chromium with
// an empty cache loads /renew/packs?msisdn=…, and we add up the bytes that crossed the network,
// compressed, headers included (CDP Network.loadingFinished encodedDataLength), per resource.
// The budget is 60 KB (HTML + CSS + JS + fonts + icons). What the service worker fetches for
// itself after the load (the offline page) is listed separately: it is not part of showing the page.
//
//   npm run build && node scripts/measure-page-weight.mjs [--base http://host:port] [--msisdn +79001234568]
//
// Without --base it starts `roamcard serve --demo-if-empty` on a free port over a temporary SQLite
// database. Exits 1 when the page is over budget, 2 when it could not be measured.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const BUDGET_BYTES = 60 * 1024;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SERVER_START_MS_MAX = 30_000;
/** After `load`: the deferred script registers the service worker, which then fetches its shell. */
const SETTLE_MS = 3_000;

const { values: options } = parseArgs({ options: { base: { type: 'string' }, msisdn: { type: 'string', default: '+79001234568' }, language: { type: 'string', default: 'zh-CN' } } });

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const entry = 'dist/src/channels/cli/main.js';
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const port = await freePort();
  const data_dir = mkdtempSync(path.join(os.tmpdir(), 'roamcard-weight-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [entry, 'serve', '--demo-if-empty'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: data_dir, PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + SERVER_START_MS_MAX;
  while (Date.now() < deadline) {
    const ready = await fetch(`${base}/readyz`).then((response) => response.ok, () => false);
    if (ready) {
      return { base, stop: async () => { child.kill('SIGTERM'); await new Promise((resolve) => child.once('exit', resolve)); rmSync(data_dir, { recursive: true, force: true }); } };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not become ready within ${SERVER_START_MS_MAX} ms`);
}

async function measure(base) {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH} (apt-get install chromium), or set CHROMIUM_PATH`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext({ locale: options.language, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const requests = new Map();
    cdp.on('Network.responseReceived', ({ requestId, response, type }) => requests.set(requestId, { url: response.url, type, status: response.status, encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? '-', bytes: 0 }));
    cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => { const entry = requests.get(requestId); if (entry) entry.bytes = encodedDataLength; });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    const worker_fetches = [];
    context.on('requestfinished', async (request) => {
      if (!request.serviceWorker()) return;
      const sizes = await request.sizes();
      worker_fetches.push({ url: request.url(), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
    });
    const url = `${base}/renew/packs?msisdn=${encodeURIComponent(options.msisdn)}`;
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
    await page.waitForTimeout(SETTLE_MS);
    return { url, page_requests: [...requests.values()], worker_fetches };
  } finally {
    await browser.close();
  }
}

function report({ url, page_requests, worker_fetches }) {
  const relative = (address) => address.replace(/^https?:\/\/[^/]+/, '');
  console.log(`first load of ${url}, empty cache, bytes on the wire (compressed, with headers):\n`);
  for (const entry of page_requests) console.log(`${String(entry.bytes).padStart(8)}  ${entry.type.padEnd(10)} ${String(entry.status).padEnd(4)} ${entry.encoding.padEnd(5)} ${relative(entry.url)}`);
  const total = page_requests.reduce((sum, entry) => sum + entry.bytes, 0);
  console.log(`${String(total).padStart(8)}  total: ${(total / 1024).toFixed(1)} KB of the ${BUDGET_BYTES / 1024} KB budget, ${page_requests.length} requests`);
  if (worker_fetches.length > 0) {
    console.log('\nthen the service worker, for itself (offline page; the shell comes from the HTTP cache):');
    for (const entry of worker_fetches) console.log(`${String(entry.bytes).padStart(8)}  ${relative(entry.url)}`);
  }
  return total;
}

let server;
try {
  server = options.base ? { base: options.base.replace(/\/+$/, ''), stop: async () => undefined } : await startServer();
  const total = report(await measure(server.base));
  process.exitCode = total <= BUDGET_BYTES ? 0 : 1;
} catch (error) {
  console.error(`could not measure: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await server?.stop();
}
