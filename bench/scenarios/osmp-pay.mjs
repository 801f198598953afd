// A payment agent's tills paying over OSMP: `POST /osmp/demo-store` `command=pay`, each with its own
// txn_id, 15 concurrent connections (what an agent holds), half of them a pack's exact price (the
// pack bought through the renewal service and active when answered), half another sum (a wallet
// top-up), against the bench server in a child process. Every answer must be result 0.
// Baseline in the same run, on the same database: what a top-up pay needs from the database alone
// through the raw driver, one transaction per pay — find the line, record the partner payment, post
// the journal entry and its two postings, move the wallet's cached balance, mark the payment paid.
import { inRawPostgresTransaction, openRawPostgresPool, openRawSqlite } from '../lib/raw-drivers.mjs';
import { fromDist } from '../lib/dist.mjs';
import { scenarioRow } from '../lib/report.mjs';
import { startServer } from '../lib/server-handle.mjs';
import { openTempDatabase } from '../lib/temp-database.mjs';
import { drive } from '../lib/timing.mjs';

const { ledgerViolations } = await fromDist('services/ledger/invariants.js');

export const names = ['osmp-pay'];

const PARTNER = 'demo-store';
const AUTHORIZATION = `Basic ${Buffer.from('demo-store:demo-secret').toString('base64')}`;
const ACCOUNTS = ['9001234567', '9001234568', '9001234569'];
/** data-5gb-7d's demo price (a pack) and a sum no pack costs (a top-up). */
const SUMS = ['690.00', '250.00'];
const CONNECTIONS = 15;
const WARM_UP_PAYS = 30;

function payBody(index, run_id) {
  return new URLSearchParams({
    command: 'pay', txn_id: `${run_id}${String(index).padStart(9, '0')}`, txn_date: '20261207120000',
    account: ACCOUNTS[index % ACCOUNTS.length], sum: SUMS[index % SUMS.length],
  }).toString();
}

async function pay(base, body) {
  const response = await fetch(`${base}/osmp/${PARTNER}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: AUTHORIZATION }, body,
  });
  const xml = await response.text();
  if (response.status !== 200 || !xml.includes('<result>0</result>')) throw new Error(`OSMP pay: HTTP ${response.status} ${xml.slice(0, 300)}`);
}

/** The statements of one top-up pay through better-sqlite3 alone. */
function rawSqlitePay(where, partner) {
  const connection = openRawSqlite(where);
  const line = connection.prepare('select id, wallet_account_id from lines where msisdn = ?');
  const insertPayment = connection.prepare(`insert into partner_payments (id, partner_id, txn_id, txn_date, msisdn, sum_minor, api, state, purchase,
    line_id, result, reason, created_at_ms) values (?, ?, ?, ?, ?, ?, 'osmp', 'accepted', 'top_up', ?, 0, 'temporary', ?)`);
  const insertEntry = connection.prepare('insert into journal_entries (id, kind, line_id, idempotency_key, memo, created_at_ms) values (?, \'top_up\', ?, ?, ?, ?)');
  const insertPosting = connection.prepare('insert into postings (entry_id, account_id, line_id, amount_minor, currency) values (?, ?, ?, ?, \'RUB\')');
  const moveWallet = connection.prepare('update ledger_accounts set balance_minor = balance_minor + ? where id = ?');
  const markPaid = connection.prepare('update partner_payments set state = \'paid\', reason = \'paid_top_up\', entry_id = ?, completed_at_ms = ? where id = ?');
  const payOnce = connection.transaction((item) => {
    const row = line.get(item.msisdn);
    const now_ms = Date.now();
    insertPayment.run(item.id, partner.id, item.txn_id, '20261207120000', item.msisdn, item.sum_minor, row.id, now_ms);
    insertEntry.run(item.entry_id, row.id, `raw:${item.id}`, 'raw top-up', now_ms);
    insertPosting.run(item.entry_id, partner.settlement_account_id, null, -item.sum_minor);
    insertPosting.run(item.entry_id, row.wallet_account_id, row.id, item.sum_minor);
    moveWallet.run(item.sum_minor, row.wallet_account_id);
    markPaid.run(item.entry_id, now_ms, item.id);
  });
  return { pay: async (item) => payOnce(item), close: async () => connection.close() };
}

/** The same statements through pg, one transaction per pay on a pool as large as the connections. */
function rawPostgresPay(where, partner) {
  const pool = openRawPostgresPool(where, CONNECTIONS);
  const pay = (item) => inRawPostgresTransaction(pool, async (client) => {
    const { rows: [row] } = await client.query('select id, wallet_account_id from lines where msisdn = $1', [item.msisdn]);
    const now_ms = Date.now();
    await client.query(`insert into partner_payments (id, partner_id, txn_id, txn_date, msisdn, sum_minor, api, state, purchase, line_id, result, reason,
      created_at_ms) values ($1, $2, $3, '20261207120000', $4, $5, 'osmp', 'accepted', 'top_up', $6, 0, 'temporary', $7)`,
    [item.id, partner.id, item.txn_id, item.msisdn, item.sum_minor, row.id, now_ms]);
    await client.query('insert into journal_entries (id, kind, line_id, idempotency_key, memo, created_at_ms) values ($1, \'top_up\', $2, $3, \'raw top-up\', $4)',
      [item.entry_id, row.id, `raw:${item.id}`, now_ms]);
    await client.query('insert into postings (entry_id, account_id, line_id, amount_minor, currency) values ($1, $2, null, $3, \'RUB\'), ($1, $4, $5, $6, \'RUB\')',
      [item.entry_id, partner.settlement_account_id, -item.sum_minor, row.wallet_account_id, row.id, item.sum_minor]);
    await client.query('update ledger_accounts set balance_minor = balance_minor + $1 where id = $2', [item.sum_minor, row.wallet_account_id]);
    await client.query('update partner_payments set state = \'paid\', reason = \'paid_top_up\', entry_id = $1, completed_at_ms = $2 where id = $3',
      [item.entry_id, now_ms, item.id]);
  });
  return { pay, close: () => pool.end() };
}

function rawItems(count, label) {
  return Array.from({ length: count }, (_, index) => ({
    id: `ptx_raw_${label}_${index}`, entry_id: `je_raw_${label}_${index}`, txn_id: `raw-${label}-${index}`,
    msisdn: `+7${ACCOUNTS[index % ACCOUNTS.length]}`, sum_minor: 25_000,
  }));
}

export async function run(bench) {
  const { pays } = bench.sizes.osmp;
  const temp = await openTempDatabase(bench.target, { label: 'osmp' });
  const server = await startServer(temp.where, { seed_demo: true, worker: true });
  let roamcard;
  let baseline;
  try {
    const run_id = Date.now().toString(36);
    await drive(Array.from({ length: WARM_UP_PAYS }, (_, index) => payBody(index, `${run_id}w`)), CONNECTIONS, (body) => pay(server.base, body));
    const bodies = Array.from({ length: pays }, (_, index) => payBody(index, run_id));
    roamcard = await drive(bodies, CONNECTIONS, (body) => pay(server.base, body));
  } finally {
    await server.stop();
  }
  try {
    const partner = await temp.database.db.selectFrom('partners').select(['id', 'settlement_account_id'])
      .where('code', '=', PARTNER).executeTakeFirstOrThrow();
    const raw = temp.database.dialect === 'postgres' ? rawPostgresPay(temp.where, partner) : rawSqlitePay(temp.where, partner);
    try {
      await drive(rawItems(WARM_UP_PAYS, 'warm'), CONNECTIONS, raw.pay);
      baseline = await drive(rawItems(pays, 'run'), CONNECTIONS, raw.pay);
    } finally {
      await raw.close();
    }
    const violations = await ledgerViolations(temp.database.db);
    if (violations.length > 0) throw new Error(`ledger violations after OSMP pays: ${violations.join('; ')}`);
  } finally {
    await temp.dispose();
  }
  return [scenarioRow({
    name: 'osmp-pay', value: roamcard.per_second, unit: 'pays/s', baseline: baseline.per_second,
    target: '>= 100 pays/s (an agent\'s 15 connections), p99 < 1,000 ms', met: roamcard.per_second >= 100 && roamcard.p99_ms < 1_000,
    details: { pays, connections: CONNECTIONS, half_packs_half_top_ups: true, roamcard, raw_top_up_statements: baseline },
  })];
}
