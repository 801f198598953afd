// The bench server: a child process serving roamcard's HTTP app over one benchmark database, so a
// load generator in the parent never shares its event loop. Started by server-handle.mjs with the
// settings in BENCH_SERVER (JSON); talks over the IPC channel:
//   → {type: 'ready', port}                       once listening
//   ← {type: 'rss'}              → {type: 'rss', rss_bytes, max_rss_bytes}
//   ← {type: 'probe', id, probe, input} → {type: 'probe', id, result | error}   (scale probes)
//   ← {type: 'stop'}             → exits 0 after closing everything
import { fromDist } from './dist.mjs';
import { BENCH_NOW_MS, benchServices, bulkLineId, bulkMsisdn, usageEvents } from './fixtures.mjs';
import { drive } from './timing.mjs';

const { openDatabase } = await fromDist('db/database.js');
const { inTransaction } = await fromDist('db/transaction.js');
const { systemClock } = await fromDist('ports/clock.js');
const { loadConfig, paygTariff } = await fromDist('config.js');
const { contextOver } = await fromDist('app/context.js');
const { buildServer } = await fromDist('channels/http/server.js');
const { createLogger } = await fromDist('channels/http/logging.js');
const { seedDemo } = await fromDist('services/demo/seed.js');
const { ensureSystemAccounts } = await fromDist('services/ledger/accounts.js');

const settings = JSON.parse(process.env.BENCH_SERVER ?? '{}');
// The load comes from one address and renews few numbers many times: the anonymous look-up limits
// (which have their own tests) are raised so that they do not refuse it; their counting still runs.
const LOOKUP_LIMIT = '1000000';
const config = loadConfig({
  PORT: String(settings.port), PUBLIC_BASE_URL: `http://127.0.0.1:${settings.port}`, LOG_LEVEL: 'silent',
  RENEW_LOOKUPS_PER_ADDRESS_HOUR: LOOKUP_LIMIT, RENEW_LOOKUPS_PER_NUMBER_HOUR: LOOKUP_LIMIT,
});
const database = openDatabase(settings.where);
const context = contextOver(config, database, systemClock, { environment: {} });
await inTransaction(database, (trx) => ensureSystemAccounts(trx, systemClock.now_ms()));
if (settings.seed_demo) await seedDemo(database, paygTariff(config), systemClock.now_ms(), { partners: context.partners });
const app = buildServer(context, { logger: createLogger({ level: 'silent' }) });
await app.listen({ host: '127.0.0.1', port: settings.port });
const worker = settings.worker ? context.createWorker() : null;
worker?.start();

/** Scale probes, run inside the server process so its RSS is the server's with the work done. */
const probes = {
  /** lineOverview by MSISDN, one at a time (pure latency, no queueing), over the given line indexes. */
  async lookup({ line_indexes }) {
    const services = benchServices(database);
    const refs = line_indexes.map((index) => ({ msisdn: bulkMsisdn(index) }));
    const result = await drive(refs, 1, async (ref) => {
      const overview = await services.lineOverview(ref, BENCH_NOW_MS);
      if (overview.bundles.length !== 1) throw new Error(`line ${ref.msisdn}: ${overview.bundles.length} live bundles`);
    });
    return result;
  },
  /** chargeUsage with `concurrency` callers, one event per transaction, on random lines of the whole set. */
  async charging({ line_count, count, concurrency, seed, prefix }) {
    const services = benchServices(database);
    const events = usageEvents({ line_count, lineIdAt: (index) => bulkLineId(index + 1), count, prefix, seed });
    return drive(events, concurrency, (event) => services.chargeUsage(event));
  },
};

let stopping = null;
function stop() {
  stopping ??= closeEverything();
  return stopping;
}

async function closeEverything() {
  await worker?.stop();
  await app.close();
  await database.close();
  process.exit(0);
}

process.on('message', (message) => {
  if (message.type === 'rss') {
    process.send({ type: 'rss', rss_bytes: process.memoryUsage().rss, max_rss_bytes: process.resourceUsage().maxRSS * 1024 });
  } else if (message.type === 'probe') {
    probes[message.probe](message.input).then(
      (result) => process.send({ type: 'probe', id: message.id, result }),
      (error) => process.send({ type: 'probe', id: message.id, error: String(error?.stack ?? error) }),
    );
  } else if (message.type === 'stop') {
    void stop();
  }
});
process.on('disconnect', () => void stop());
process.send({ type: 'ready', port: settings.port });
