// The USSD balance screen over HTTP: `POST /ussd/at` with `*100#` from the demo lines, 64 concurrent
// connections (autocannon) against the bench server in a child process. Baseline in the same run:
// `GET /healthz` on the same server — what the HTTP stack costs with no roamcard work behind it.
import autocannon from 'autocannon';
import { scenarioRow } from '../lib/report.mjs';
import { startServer } from '../lib/server-handle.mjs';
import { openTempDatabase } from '../lib/temp-database.mjs';

export const names = ['ussd-balance'];

const DEMO_MSISDNS = ['+79001234567', '+79001234568', '+79001234569'];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const WARM_UP_S = 1;

const ussdBody = (index) => new URLSearchParams({
  sessionId: `bench-${index}`, serviceCode: '*100#', phoneNumber: DEMO_MSISDNS[index % DEMO_MSISDNS.length], networkCode: '25001', text: '',
}).toString();

/** One autocannon run; fails when any request errs, times out or is not 2xx. */
async function load(options) {
  const result = await autocannon({ ...options, connections: options.connections, duration: options.duration_s });
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`${options.title}: ${failed} of ${result.requests.total} requests failed (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`);
  return {
    per_second: result.requests.total / result.duration,
    requests: result.requests.total,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
  };
}

function ussdLoad(base, connections, duration_s) {
  let counter = 0;
  return load({
    title: 'POST /ussd/at', url: base, connections, duration_s,
    requests: [{ method: 'POST', path: '/ussd/at', headers: FORM, setupRequest: (request) => ({ ...request, body: ussdBody(counter++) }) }],
  });
}

const healthLoad = (base, connections, duration_s) => load({ title: 'GET /healthz', url: `${base}/healthz`, connections, duration_s });

/** The screen must be the balance, not an error END: otherwise we would be timing the wrong thing. */
async function checkScreen(base) {
  const response = await fetch(`${base}/ussd/at`, { method: 'POST', headers: FORM, body: ussdBody(1) });
  const text = await response.text();
  if (response.status !== 200 || !/^(CON|END) /.test(text)) throw new Error(`USSD reply: HTTP ${response.status} ${text.slice(0, 120)}`);
  return text;
}

export async function run(bench) {
  const { connections, duration_s } = bench.sizes.ussd;
  const temp = await openTempDatabase(bench.target, { label: 'ussd' });
  const server = await startServer(temp.where, { seed_demo: true });
  try {
    const screen = await checkScreen(server.base);
    await ussdLoad(server.base, connections, WARM_UP_S);
    const ussd = await ussdLoad(server.base, connections, duration_s);
    await healthLoad(server.base, connections, WARM_UP_S);
    const health = await healthLoad(server.base, connections, duration_s);
    const { rss_bytes } = await server.rss();
    return [scenarioRow({
      name: 'ussd-balance',
      value: ussd.per_second,
      unit: 'req/s',
      baseline: health.per_second,
      target: '>= 5,000 req/s, p99 < 20 ms',
      met: ussd.per_second >= 5_000 && ussd.p99_ms < 20,
      details: {
        connections, duration_s, ussd, healthz: health, server_rss_mb: Math.round(rss_bytes / 1_048_576), screen: screen.slice(0, 80),
      },
    })];
  } finally {
    await server.stop();
    await temp.dispose();
  }
}
