// One soak run on one database: seed it, start the fiscal register (ATOL's fake) and the server,
// drive the mixed load while the chaos schedule kills the server (and restarts PostgreSQL), let the
// workers finish, stop the server and check everything. Always leaves the server stopped, the
// register closed, PostgreSQL running, and the database dropped (unless --keep).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../bench/lib/server-handle.mjs';
import { planChaos, runChaos } from './chaos.mjs';
import { readDatabase, runChecks } from './checks.mjs';
import { ClientLog } from './client-log.mjs';
import { createSoakDatabase } from './database.mjs';
import { drainOutbox } from './drain.mjs';
import { SoakFiscalRegister } from './fiscal-register.mjs';
import { HttpClient } from './http.mjs';
import { onInterrupt } from './interrupt.mjs';
import { observedFigures } from './observed.mjs';
import { ensurePostgresRunning, restartImpossibleReason, restartPostgres } from './postgres.mjs';
import { randomStream } from './random.mjs';
import { runCustomer } from './renewal-load.mjs';
import { fromDist } from '../../bench/lib/dist.mjs';
import { seedSoakData } from './seed.mjs';
import { serverEnvironment, ServerSupervisor } from './server.mjs';
import { aimAtPackPay, paysInFlight, runTill } from './till-load.mjs';
import { runResender, runUsageSender } from './usage-load.mjs';

const { sentPaymentCode } = await fromDist('testing/wallet-payers.js');

export const RESULTS_FOLDER = fileURLToPath(new URL('../results/', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/src/channels/cli/main.js', import.meta.url));
const CUSTOMERS = 4;
const USAGE_SENDERS = 3;
const TILLS = 2;
const USSD_PAUSE_MS_MIN = 100;
const USSD_PAUSE_MS_MAX = 400;
const STATEMENT_ATTEMPTS = 5;
const STATEMENT_RETRY_MS = 2_000;
/**
 * Bounded, and long enough for a fiscal document a kill cut late in the window: its job is taken over
 * when its 15 s lease lapses, then asks the register after 1 s doubling, behind a slow register's batches.
 */
const DRAIN_TIMEOUT_MS = { quick: 90_000, full: 180_000 };

/** The sandbox as a bad day at a real provider: duplicated, reordered and late webhooks, timeouts and 500s. */
const SANDBOX_CHAOS = {
  SANDBOX_WEBHOOK_DUPLICATES: '0.3',
  SANDBOX_WEBHOOK_REORDER_MS: '1500',
  SANDBOX_TIMEOUT_OUTCOME_MS: '2000',
  SANDBOX_FAULT_TIMEOUT_SHARE: '0.05',
  SANDBOX_FAULT_TIMEOUT_MS: '1500',
  SANDBOX_FAULT_ERROR_SHARE: '0.05',
  SANDBOX_FAULT_WEBHOOK_DELAY_SHARE: '0.1',
  SANDBOX_FAULT_WEBHOOK_DELAY_MS: '5000',
};

/**
 * The load comes from one address and renews a few demo numbers hundreds of times: far beyond the
 * anonymous look-up limits a real installation keeps (which have their own tests), so they are raised.
 */
const SOAK_LOOKUP_LIMIT = '1000000';

function serverSettings({ seed, port, database, fiscal }) {
  const base = `http://127.0.0.1:${port}`;
  // Fixed for the run: pending sign-in and payment codes survive the kills, and the soak can read
  // the payment codes the server texts (it plays the line's owner paying from the wallet).
  const auth_secret = `soak-auth-secret-${seed}-0123456789abcdef`;
  const admin_token = `soak-admin-token-${seed}`;
  return {
    base,
    network_token: `soak-network-token-${seed}`,
    admin_token,
    auth_secret,
    env: serverEnvironment({
      HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn',
      NETWORK_API_TOKEN: `soak-network-token-${seed}`, ADMIN_API_TOKEN: admin_token, AUTH_SECRET: auth_secret,
      RECONCILE_INTERVAL_MS: '1000', PG_POOL_SIZE: '5', SHUTDOWN_GRACE_MS: '5000',
      RENEW_LOOKUPS_PER_ADDRESS_HOUR: SOAK_LOOKUP_LIMIT, RENEW_LOOKUPS_PER_NUMBER_HOUR: SOAK_LOOKUP_LIMIT,
      ...SANDBOX_CHAOS, ...fiscal.server_env, ...database.server_env,
    }),
  };
}

/**
 * The code the server texted to a line for paying an order from its wallet, read as its owner's
 * phone would show it: from the queued SMS, opened with the run's AUTH_SECRET. A short connection
 * each time, so a PostgreSQL restart does not break it; null when it cannot be read now.
 */
function paymentCodeReader(database, auth_secret) {
  return async (order_id) => {
    let connection;
    try {
      connection = database.open();
      return await sentPaymentCode(connection, auth_secret, order_id);
    } catch {
      return null;
    } finally {
      await connection?.close().catch(() => {});
    }
  };
}

async function runUssdReader({ client, log, random, lines, seed, until_ms }) {
  for (let serial = 0; Date.now() < until_ms; serial += 1) {
    const form = { sessionId: `soak-${seed}-ussd-${serial}`, serviceCode: random.pick(['*100#', '*101#']), phoneNumber: random.pick(lines).msisdn, networkCode: '25001', text: '' };
    const pause_ms = random.between(USSD_PAUSE_MS_MIN, USSD_PAUSE_MS_MAX);
    const answer = await client.send('POST /ussd/at', 'POST', '/ussd/at', { form }).catch(() => null);
    if (answer?.status === 200 && /^(CON|END) /.test(answer.body)) log.ussd.answered += 1;
    else {
      log.ussd.unreadable += 1;
      log.anomaly('ussd', `${form.serviceCode} for ${form.phoneNumber}: HTTP ${answer?.status ?? 'no answer'} ${String(answer?.body ?? '').slice(0, 80)}`);
    }
    await sleep(pause_ms);
  }
}

/** The bank's statement: every other bank transfer so far is paid, imported with the product's CLI. */
async function importStatement(env, log, dialect) {
  const paid = log.bank_transfers.filter((_, index) => index % 2 === 0);
  if (paid.length === 0) return 'no bank transfers yet';
  const file = `${RESULTS_FOLDER}statement-${dialect}.csv`;
  writeFileSync(file, `reference,amount\n${paid.map((row) => `${row.reference},${(row.amount_minor / 100).toFixed(2)}`).join('\n')}\n`);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [MAIN, 'payments', 'import-statement', file], { env, timeout: 60_000 });
      // "statement-….csv: N rows" then one count a line: settled, already settled, rejected.
      return stdout.trim().split('\n').slice(0, 4).map((line) => line.trim()).join(', ');
    } catch (error) {
      if (attempt >= STATEMENT_ATTEMPTS) return `failed: ${error.message.split('\n')[0]}`;
      await sleep(STATEMENT_RETRY_MS);
    }
  }
}

/**
 * Every other kill, the first included, waits (bounded) for a register call to be in flight at the
 * fiscal register; the others, for a till's pack pay on the wire (the pay of most steps: its row,
 * the order, the agent payment, the activation).
 */
const AIMED_KILL_EVERY = 2;

/** Just before a kill: what the tills have on the wire, noted in the log; the timeline's words. */
function notePays(log, client, aimed, aimed_hit) {
  const row = { aimed, aimed_hit, ...paysInFlight(client) };
  log.pay_kills.push(row);
  const aim = aimed ? `aimed at a pack pay: ${aimed_hit ? 'one in flight' : 'none came in time'}; ` : '';
  return `${aim}OSMP pays in flight: ${row.pack} pack, ${row.top_up} top-up`;
}

/** What each chaos event does; `say` prefixes the moment of the load. */
function chaosActions({ supervisor, settings, log, dialect, say, fiscal, client }) {
  let kills = 0;
  return {
    kill: async (event) => {
      const at_register = kills % AIMED_KILL_EVERY === 0;
      kills += 1;
      const aimed_hit = at_register ? await fiscal.aimAtRegisterCall() : await aimAtPackPay(client);
      const pid = supervisor.pid;
      const in_flight = `${fiscal.noteKill(at_register, at_register && aimed_hit)}; ${notePays(log, client, !at_register, !at_register && aimed_hit)}`;
      await supervisor.kill();
      say(`SIGKILL server pid ${pid} (${in_flight}); restart after ${event.pause_ms} ms`);
      await sleep(event.pause_ms);
      await supervisor.start();
      return `pid ${pid}, restarted after ${event.pause_ms} ms pause; ${in_flight}`;
    },
    pg_restart: async () => {
      say('restarting PostgreSQL');
      const outage_ms = await restartPostgres();
      say(`PostgreSQL back after ${outage_ms} ms`);
      return `PostgreSQL unavailable for ${outage_ms} ms`;
    },
    statement: async () => {
      const outcome = await importStatement(settings.env, log, dialect);
      say(`bank statement imported: ${outcome}`);
      return outcome;
    },
  };
}

/** The load and the chaos together, until the window closes and every put-off send is sent. */
async function driveLoad({ options, settings, supervisor, seeded, log, dialect, say, database, fiscal }) {
  const client = new HttpClient(settings.base);
  const duration_ms = options.duration_s * 1000;
  const restarts = dialect === 'postgres' ? options.pg_restarts : 0;
  const events = planChaos(randomStream(options.seed, 'chaos'), { duration_ms, kills: options.kills, pg_restarts: restarts });
  const started_ms = Date.now();
  const until_ms = started_ms + duration_ms;
  const soak_lines = seeded.lines.filter((line) => line.soak);
  const later = [];
  let load_done = false;
  const common = { client, log, seed: options.seed, until_ms };
  const actors = [
    ...Array.from({ length: CUSTOMERS }, (_, index) => runCustomer({
      ...common, index, random: randomStream(options.seed, `customer ${index}`), lines: seeded.lines, packages: seeded.packages,
      paymentCode: paymentCodeReader(database, settings.auth_secret), admin_token: settings.admin_token,
    })),
    ...Array.from({ length: USAGE_SENDERS }, (_, index) => runUsageSender({ ...common, index, random: randomStream(options.seed, `usage ${index}`), lines: soak_lines, token: settings.network_token, later })),
    runUssdReader({ ...common, random: randomStream(options.seed, 'ussd'), lines: seeded.lines }),
    ...Array.from({ length: TILLS }, (_, index) => runTill({ ...common, index, random: randomStream(options.seed, `till ${index}`), partner: seeded.partner, lines: seeded.lines })),
  ];
  const say_at = (line) => say(`  ${((Date.now() - started_ms) / 1000).toFixed(1)} s: ${line}`);
  const chaos = runChaos(events, started_ms, chaosActions({ supervisor, settings, log, dialect, fiscal, client, say: say_at }));
  const resender = runResender({ client, log, token: settings.network_token, later, loadDone: () => load_done });
  try {
    await Promise.all([...actors, chaos]);
  } finally {
    load_done = true;
    await resender;
  }
  return { chaos: await chaos, load_s: (Date.now() - started_ms) / 1000, http: client.stats };
}

async function seed(database, options, auth_secret) {
  const connection = database.open();
  try {
    return await seedSoakData(connection, randomStream(options.seed, 'seed'), auth_secret);
  } finally {
    await connection.close();
  }
}

/** Reads the stopped server's database (and what the fiscal register holds) once: the checks, and what the chaos did. */
async function judge(database, context) {
  const connection = database.open();
  try {
    const data = await readDatabase(connection.db);
    const register = context.fiscal.snapshot();
    return {
      checks: runChecks(data, { ...context, register }),
      observed: {
        ...observedFigures(data, { ...context, webhook_delay_ms: Number(SANDBOX_CHAOS.SANDBOX_FAULT_WEBHOOK_DELAY_MS) }),
        fiscal: context.fiscal.figures(register),
      },
    };
  } finally {
    await connection.close();
  }
}

/** One database's soak; returns {db, description, figures, checks, pass}. `say` prints progress. */
export async function soakDatabase(options, dialect, say) {
  mkdirSync(RESULTS_FOLDER, { recursive: true });
  const restart_blocker = dialect === 'postgres' && options.pg_restarts > 0 ? restartImpossibleReason(options.database_url) : null;
  if (restart_blocker) {
    say(`  PostgreSQL restarts skipped: ${restart_blocker}`);
    options = { ...options, pg_restarts: 0 };
  }
  const database = await createSoakDatabase(dialect, options.database_url);
  const log_file = `${RESULTS_FOLDER}server-${dialect}.log`;
  let supervisor = null;
  let fiscal = null;
  const cleanUp = async () => {
    await supervisor?.stop().catch(() => undefined);
    await supervisor?.close();
    await fiscal?.close();
    if (dialect === 'postgres' && options.pg_restarts > 0) await ensurePostgresRunning();
    await database.dispose(options.keep);
  };
  const forget = onInterrupt(cleanUp);
  try {
    say(`  database: ${database.description}`);
    fiscal = await SoakFiscalRegister.start(options.seed);
    const settings = serverSettings({ seed: options.seed, port: await freePort(), database, fiscal });
    const seeded = await seed(database, options, settings.auth_secret);
    supervisor = new ServerSupervisor({ env: settings.env, base: settings.base, log_file });
    await supervisor.start();
    say(`  server pid ${supervisor.pid} at ${settings.base} (log: ${log_file}); ${seeded.lines.length} lines, ${seeded.packages.length} packs; load for ${options.duration_s} s`);
    const log = new ClientLog();
    const load = await driveLoad({ options, settings, supervisor, seeded, log, dialect, say, database, fiscal });
    say(`  load done after ${load.load_s.toFixed(1)} s; waiting for the workers`);
    const drain = await drainOutbox(database.open, options.quick ? DRAIN_TIMEOUT_MS.quick : DRAIN_TIMEOUT_MS.full);
    const stopped = await supervisor.stop();
    const server = { ...supervisor.figures(), kills: load.chaos.filter((event) => event.kind === 'kill').length, stopped_with: stopped };
    const { checks, observed } = await judge(database, { log, drain, server, log_file, fiscal });
    if (options.keep) say(`  kept: ${database.description}`);
    return {
      db: dialect, description: database.description, pass: checks.every((row) => row.pass), checks,
      figures: { load_s: load.load_s, requests: log.figures(), http: load.http, chaos: load.chaos, server, drain, ...observed },
    };
  } finally {
    forget();
    await cleanUp();
  }
}
