// The verdict, read through a fresh connection once the server has stopped: the ledger's
// invariants (the product's own ledgerViolations), exactly-once money and activation, usage charged
// at most once, every agent pay paid once, every receipt, agent top-up and refund fiscalised exactly
// once (against what the fiscal register holds), and every request the clients saw accepted found
// done or visibly pending.
// Each check returns {name, pass, summary, problems (at most PROBLEMS_SHOWN_MAX)}.
import { fromDist } from '../../bench/lib/dist.mjs';

const { ledgerViolations } = await fromDist('services/ledger/invariants.js');
const { SYSTEM_ACCOUNTS } = await fromDist('services/ledger/accounts.js');
const { DEMO_PARTNER } = await fromDist('services/demo/seed.js');

export const PROBLEMS_SHOWN_MAX = 10;
const FINAL_ORDER_STATES = ['active', 'refunded', 'canceled', 'expired', 'failed'];
const PENDING_ORDER_STATES = ['created', 'awaiting_payment', 'paid'];
/** The currency a fiscal register takes (FiscalService makes documents for rouble receipts only). */
const FISCAL_CURRENCY = 'RUB';
const UNIT_COLUMNS = { data: ['data_bytes_total', 'data_bytes_remaining'], voice: ['voice_seconds_total', 'voice_seconds_remaining'], sms: ['sms_total', 'sms_remaining'] };

function check(name, problems, summary) {
  return { name, pass: problems.length === 0, summary, problems: problems.slice(0, PROBLEMS_SHOWN_MAX), problem_count: problems.length };
}

const countBy = (rows, key) => rows.reduce((counts, row) => counts.set(key(row), (counts.get(key(row)) ?? 0) + 1), new Map());
const groupBy = (rows, key) => rows.reduce((groups, row) => groups.set(key(row), [...(groups.get(key(row)) ?? []), row]), new Map());
const tally = (counts) => Object.entries(Object.fromEntries(counts)).sort().map(([key, count]) => `${count} ${key}`).join(', ');

/** Everything the checks read, once, so each check is plain code over rows. `db`: a Kysely over the soak database. */
export async function readDatabase(db) {
  const all = (table) => db.selectFrom(table).selectAll().execute();
  const [
    orders, payments, refunds, bundles, usage_events, entries, sandbox_payments,
    sandbox_refunds, receipts, activations, jobs, accounts, webhook_events, fiscal_documents, partner_payments, notices,
  ] = await Promise.all(
    ['orders', 'payments', 'refunds', 'bundles', 'usage_events', 'journal_entries', 'sandbox_payments', 'sandbox_refunds', 'receipts', 'network_activations', 'jobs',
      'ledger_accounts', 'webhook_events', 'fiscal_documents', 'partner_payments', 'notices'].map(all),
  );
  const usage_revenue = await db.selectFrom('postings').select((eb) => eb.fn.coalesce(eb.fn.sum('amount_minor'), eb.lit(0)).as('total'))
    .where('account_id', '=', SYSTEM_ACCOUNTS.revenue_usage.id).executeTakeFirstOrThrow();
  const partners = await db.selectFrom('partners').select(['id', 'code', 'settlement_account_id']).execute();
  // The postings of the agents' money: on their settlement accounts, and every posting of a top-up's entry.
  const partner_postings = await db.selectFrom('postings').selectAll()
    .where((eb) => eb.or([
      eb('account_id', 'in', partners.length > 0 ? partners.map((partner) => partner.settlement_account_id) : ['']),
      eb('entry_id', 'in', eb.selectFrom('partner_payments').select('entry_id').where('entry_id', 'is not', null)),
    ])).execute();
  return {
    orders, payments, refunds, bundles, usage_events, entries, sandbox_payments,
    sandbox_refunds, receipts, activations, jobs, accounts, webhook_events, fiscal_documents,
    partner_payments, notices, partners, partner_postings,
    usage_revenue_minor: Number(usage_revenue.total), violations: await ledgerViolations(db),
  };
}

function ledgerChecks(data) {
  const about = (pattern) => data.violations.filter((violation) => pattern.test(violation));
  const cached = data.accounts.filter((account) => account.balance_cached === 1).length;
  const wallets = data.accounts.filter((account) => account.kind === 'wallet');
  return [
    check('every journal entry sums to zero', about(/^entry /), `${data.entries.length} entries`),
    check('every cached balance equals the sum of its postings', about(/caches|keeps no cached/), `${cached} cached balances`),
    check('no wallet or bundle below zero', about(/below zero|holds more/),
      `${wallets.length} wallets (lowest ${Math.min(...wallets.map((wallet) => wallet.balance_minor))} kopecks), ${data.bundles.length} bundles`),
  ];
}

/** Every payment the provider (or the wallet) says succeeded: exactly one activation or one refund. */
function moneyCheck(data) {
  const payments = new Map(data.payments.map((payment) => [payment.id, payment]));
  const activated_by = new Set(data.orders.filter((order) => order.bundle_id !== null).map((order) => order.activating_payment_id));
  const refunds_of = countBy(data.refunds.filter((refund) => refund.reason !== 'unused_pack'), (refund) => refund.payment_id);
  const sandbox_by_merchant_id = new Map(data.sandbox_payments.map((row) => [row.merchant_payment_id, row]));
  const succeeded = [
    ...data.sandbox_payments.filter((row) => row.status === 'succeeded').map((row) => row.merchant_payment_id),
    ...data.payments.filter((payment) => payment.provider === 'wallet' && payment.status === 'succeeded').map((payment) => payment.id),
  ];
  const problems = [];
  let activations = 0;
  let refunds = 0;
  for (const id of succeeded) {
    const ours = payments.get(id);
    if (!ours) problems.push(`provider payment for ${id}: succeeded, but we have no such payment`);
    else if (ours.status !== 'succeeded') problems.push(`payment ${id}: succeeded at the provider, ours is still ${ours.status}`);
    const activation = activated_by.has(id) ? 1 : 0;
    const refund = refunds_of.get(id) ?? 0;
    activations += activation;
    refunds += refund;
    if (activation + refund !== 1) problems.push(`payment ${id}: ${activation} activation(s) and ${refund} refund(s)`);
  }
  for (const payment of data.payments.filter((row) => row.provider === 'sandbox' && row.status === 'succeeded')) {
    const theirs = sandbox_by_merchant_id.get(payment.id);
    if (theirs?.status !== 'succeeded') problems.push(`payment ${payment.id}: succeeded for us, ${theirs?.status ?? 'unknown'} at the provider`);
  }
  problems.push(...refundProblems(data));
  return check('every payment that succeeded at the provider has exactly one activation or one refund', problems,
    `${succeeded.length} payments succeeded: ${activations} activated an order, ${refunds} refunded (${tally(countBy(data.refunds, (refund) => `${refund.reason} ${refund.status}`))})`);
}

/** The provider returned each refund's money at most once, and never more than was paid. */
function refundProblems(data) {
  const problems = [];
  const returned = countBy(data.sandbox_refunds, (row) => row.merchant_refund_id);
  for (const [refund_id, count] of returned) if (count > 1) problems.push(`refund ${refund_id}: returned ${count} times by the provider`);
  const paid = new Map(data.sandbox_payments.map((row) => [row.id, row.amount_minor]));
  for (const [payment_id, rows] of groupBy(data.sandbox_refunds, (row) => row.sandbox_payment_id)) {
    const total = rows.reduce((sum, row) => sum + row.amount_minor, 0);
    if (total > (paid.get(payment_id) ?? 0)) problems.push(`sandbox payment ${payment_id}: ${total} refunded of ${paid.get(payment_id)}`);
  }
  for (const refund of data.refunds.filter((row) => row.status === 'succeeded' && row.reason !== 'unused_pack')) {
    if (!returned.has(refund.id)) problems.push(`refund ${refund.id}: succeeded for us, unknown to the provider`);
  }
  return problems;
}

function activationCheck(data) {
  const problems = [];
  const packs_of = countBy(data.bundles.filter((bundle) => bundle.idempotency_key?.startsWith('order:')), (bundle) => bundle.idempotency_key.slice('order:'.length));
  const payments = new Map(data.payments.map((payment) => [payment.id, payment]));
  for (const [order_id, count] of packs_of) if (count > 1) problems.push(`order ${order_id}: ${count} packs`);
  for (const order of data.orders) {
    const packs = packs_of.get(order.id) ?? 0;
    if (order.state === 'active' && (packs !== 1 || order.bundle_id === null)) problems.push(`order ${order.id}: active with ${packs} pack(s)`);
    if (order.bundle_id !== null && payments.get(order.activating_payment_id)?.status !== 'succeeded') problems.push(`order ${order.id}: activated by a payment that did not succeed`);
    if (order.bundle_id === null && packs > 0) problems.push(`order ${order.id}: ${order.state}, yet it has a pack`);
  }
  for (const [bundle_id, count] of countBy(data.activations, (row) => row.bundle_id)) if (count > 1) problems.push(`bundle ${bundle_id}: provisioned ${count} times`);
  for (const [order_id, count] of countBy(data.receipts, (row) => row.order_id)) if (count > 1) problems.push(`order ${order_id}: ${count} receipts`);
  const activated = data.orders.filter((order) => order.bundle_id !== null);
  return check('no order activated twice', problems,
    `${activated.length} orders activated, ${[...packs_of.values()].reduce((sum, count) => sum + count, 0)} order packs, ${data.activations.length} network pushes, ${data.receipts.length} receipts`);
}

/** Units drawn from each bundle, per the usage events that drew them, against what the bundle lost. */
function drawProblems(data) {
  const drawn = new Map();
  for (const event of data.usage_events) {
    for (const draw of JSON.parse(event.draws)) {
      const key = `${draw.bundle_id} ${event.kind}`;
      drawn.set(key, (drawn.get(key) ?? 0) + draw.quantity);
    }
  }
  const problems = [];
  for (const bundle of data.bundles) {
    for (const [kind, [total, remaining]] of Object.entries(UNIT_COLUMNS)) {
      const used = bundle[total] - bundle[remaining];
      const charged = drawn.get(`${bundle.id} ${kind}`) ?? 0;
      if (used !== charged) problems.push(`bundle ${bundle.id}: ${used} ${kind} units gone, usage events drew ${charged}`);
    }
  }
  return problems;
}

function usageCheck(data, log) {
  const problems = [];
  const rows_of = groupBy(data.usage_events, (row) => row.event_id);
  for (const entry of log.usage.values()) {
    const rows = rows_of.get(entry.event_id) ?? [];
    if (rows.length !== 1) problems.push(`event ${entry.event_id}: accepted, found ${rows.length} times`);
    if (entry.fresh_charges > 1) problems.push(`event ${entry.event_id}: charged afresh ${entry.fresh_charges} times (answers with replayed=false)`);
    const row = rows[0];
    if (row && (row.quantity !== entry.body.quantity || row.kind !== entry.body.kind
      || row.wallet_charge_minor !== entry.first.wallet_charge_minor)) {
      problems.push(`event ${entry.event_id}: stored ${row.kind} ${row.quantity} charged ${row.wallet_charge_minor}, answered ${entry.body.kind} ${entry.body.quantity} charged ${entry.first.wallet_charge_minor}`);
    }
  }
  const charge_entries = data.entries.filter((entry) => entry.kind === 'usage_charge').map((entry) => entry.id);
  const referenced = countBy(data.usage_events.filter((row) => row.entry_id !== null), (row) => row.entry_id);
  for (const id of charge_entries) if (!referenced.has(id)) problems.push(`journal entry ${id}: a usage charge without its usage event`);
  for (const [id, count] of referenced) if (count > 1) problems.push(`journal entry ${id}: the charge of ${count} usage events`);
  const charged_minor = data.usage_events.reduce((sum, row) => sum + row.wallet_charge_minor, 0);
  if (charged_minor !== data.usage_revenue_minor) problems.push(`usage events charged ${charged_minor} kopecks, usage revenue holds ${data.usage_revenue_minor}`);
  problems.push(...drawProblems(data));
  const accepted = [...log.usage.values()];
  return check('every usage event charged at most once', problems,
    `${accepted.length} accepted event ids (${accepted.filter((entry) => entry.sends > 1).length} sent more than once, ${accepted.reduce((sum, entry) => sum + entry.sends, 0)} answers), `
    + `${data.usage_events.length} events stored, ${charge_entries.length} wallet charges, ${charged_minor} kopecks; bundle draws match`);
}

function ordersFound(data, log, problems) {
  const orders = new Map(data.orders.map((order) => [order.id, order]));
  const refunded = new Set(data.refunds.map((refund) => refund.order_id));
  for (const accepted of log.orders.values()) {
    const order = orders.get(accepted.id);
    if (!order) problems.push(`order ${accepted.id} (${accepted.flow}): accepted, not in the database`);
    else if (order.state === 'paid' && !refunded.has(order.id)) problems.push(`order ${order.id}: paid, neither active nor being refunded`);
    else if (![...FINAL_ORDER_STATES, ...PENDING_ORDER_STATES].includes(order.state)) problems.push(`order ${order.id}: unknown state ${order.state}`);
  }
  return countBy([...log.orders.keys()].map((id) => orders.get(id)).filter(Boolean), (order) => order.state);
}

function paymentsFound(data, log, problems) {
  const payments = new Map(data.payments.map((payment) => [payment.id, payment]));
  const sandbox = new Map(data.sandbox_payments.map((row) => [row.merchant_payment_id, row]));
  for (const accepted of log.payments.values()) {
    const payment = payments.get(accepted.id);
    if (!payment || payment.order_id !== accepted.order_id) problems.push(`payment ${accepted.id} (${accepted.flow}): accepted, not in the database with its order`);
  }
  for (const submission of log.submissions.filter((row) => row.expected_status)) {
    const status = sandbox.get(submission.payment_id)?.status;
    if (status !== submission.expected_status) problems.push(`payment ${submission.payment_id}: "${submission.action}" accepted by the sandbox page, provider status ${status}, expected ${submission.expected_status}`);
  }
  return countBy([...log.payments.keys()].map((id) => payments.get(id)).filter(Boolean), (payment) => payment.status);
}

/**
 * An attempt of a closed order left open — for us or at the provider — would never settle: its
 * order's cancel, expiry or activation should have closed it (through the outbox).
 */
function openAttemptsOfClosedOrders(data, problems) {
  const orders = new Map(data.orders.map((order) => [order.id, order]));
  const closed = (order_id) => FINAL_ORDER_STATES.includes(orders.get(order_id)?.state);
  const ours = new Map(data.payments.map((payment) => [payment.id, payment]));
  for (const payment of data.payments.filter((row) => ['pending', 'requires_action'].includes(row.status) && closed(row.order_id))) {
    problems.push(`payment ${payment.id}: still ${payment.status} (provider id ${payment.provider_payment_id}) though its order is ${orders.get(payment.order_id).state}`);
  }
  for (const row of data.sandbox_payments.filter((sandbox) => ['pending', 'requires_action'].includes(sandbox.status))) {
    const payment = ours.get(row.merchant_payment_id);
    if (payment && closed(payment.order_id)) problems.push(`sandbox payment ${row.id} (${payment.id}): still ${row.status} at the provider though its order is ${orders.get(payment.order_id).state}`);
  }
}

function acceptedCheck(data, log) {
  const problems = [];
  openAttemptsOfClosedOrders(data, problems);
  const order_states = ordersFound(data, log, problems);
  const payment_states = paymentsFound(data, log, problems);
  const stored = new Set(data.usage_events.map((row) => row.event_id));
  const lost_events = [...log.usage.keys()].filter((id) => !stored.has(id));
  for (const id of lost_events) problems.push(`usage event ${id}: accepted, not in the database`);
  const pending = [...order_states].filter(([state]) => PENDING_ORDER_STATES.includes(state)).reduce((sum, [, count]) => sum + count, 0);
  return check('every accepted request is done or visibly pending, none lost', problems,
    `${log.orders.size} orders (${log.orders.size - pending} final, ${pending} visibly pending: ${tally(order_states)}); `
    + `${log.payments.size} payments (${tally(payment_states)}); ${log.submissions.length} page submissions; ${log.usage.size - lost_events.length}/${log.usage.size} usage events found`);
}

/** OSMP result codes the tills' answers are judged by. */
const OSMP_OK = 0;
const OSMP_TEMPORARY = 1;
const OSMP_OTHER = 300;
/** The idempotency key under which a partner payment's wallet credit, or its pack's order, is made (partner-payments.ts). */
const partnerKey = (row) => `partner:${row.id}`;
const paidAgentTopUps = (data) => data.partner_payments.filter((row) => row.state === 'paid' && row.purchase === 'top_up');

/** What the till was told about one pay: the answers to the unchanged request, temporary ones aside, must all agree. */
function tillAnswerProblems(pay, row, problems) {
  const finals = pay.answers.filter((answer) => answer.result !== OSMP_TEMPORARY);
  const [first] = finals;
  for (const answer of finals.slice(1)) {
    if (answer.result !== first.result || answer.prv_txn !== first.prv_txn) {
      problems.push(`pay ${pay.txn_id}: answered result ${first.result} (prv_txn ${first.prv_txn}), a repeat result ${answer.result} (prv_txn ${answer.prv_txn})`);
    }
  }
  // A "temporary, repeat" while the first request still settles may name the payment: the same one.
  for (const answer of pay.answers.filter((item) => item.prv_txn !== null && item.prv_txn !== row?.id)) {
    problems.push(`pay ${pay.txn_id}: answered result ${answer.result} with prv_txn ${answer.prv_txn}, its row is ${row?.id ?? 'missing'}`);
  }
  for (const conflict of pay.conflicts.filter((answer) => answer.result !== OSMP_OTHER || answer.prv_txn !== null)) {
    problems.push(`pay ${pay.txn_id} again with another ${conflict.changed}: result ${conflict.result} (prv_txn ${conflict.prv_txn}), expected 300 and none`);
  }
  if (!first) return;
  if (first.result !== OSMP_OK) {
    problems.push(`pay ${pay.txn_id} (${pay.purchase}): answered result ${first.result}, expected 0 (an active line, a sum within the partner's limits)`);
    return;
  }
  if (row?.id !== first.prv_txn) {
    problems.push(`pay ${pay.txn_id}: answered 0 with prv_txn ${first.prv_txn}, stored ${row ? `as ${row.id}` : 'nowhere'}`);
    return;
  }
  const differences = [
    row.state !== 'paid' && `state ${row.state}`,
    row.msisdn !== pay.msisdn && 'another number',
    row.line_id !== pay.line_id && `line ${row.line_id}, sent for ${pay.line_id}`,
    Number(row.sum_minor) !== pay.sum_minor && `sum ${row.sum_minor}, sent ${pay.sum_minor}`,
    row.purchase !== pay.purchase && `a ${row.purchase}, the sum is a ${pay.purchase}`,
    row.package_code !== pay.package_code && `pack ${row.package_code}, its price buys ${pay.package_code}`,
  ].filter(Boolean);
  if (differences.length > 0) problems.push(`pay ${pay.txn_id} (${row.id}): answered 0, stored with ${differences.join(', ')}`);
}

/** A paid top-up: one wallet credit, under the row's key, of the sum from the partner's settlement account; one SMS notice. */
function topUpProblems(data, row, partner, problems) {
  const credits = data.entries.filter((entry) => entry.idempotency_key === partnerKey(row));
  if (credits.length !== 1 || credits[0].id !== row.entry_id) {
    problems.push(`top-up ${row.id} (txn ${row.txn_id}): entry ${row.entry_id}, ${credits.length} credit(s) under its key (${credits.map((entry) => entry.id).join(', ')})`);
  }
  const postings = data.partner_postings.filter((posting) => posting.entry_id === row.entry_id)
    .map((posting) => `${posting.account_id} ${Number(posting.amount_minor)}`).sort();
  const expected = [`${partner.settlement_account_id} ${-Number(row.sum_minor)}`, `wallet:${row.line_id} ${Number(row.sum_minor)}`].sort();
  if (postings.join() !== expected.join()) problems.push(`top-up ${row.id} (txn ${row.txn_id}): entry ${row.entry_id} posts ${postings.join(', ') || 'nothing'}, expected ${expected.join(', ')}`);
  const notices = data.notices.filter((notice) => notice.dedupe_key === `top_up:${row.entry_id}`);
  if (notices.length !== 1 || notices[0].cause !== 'receipt' || notices[0].line_id !== row.line_id) {
    problems.push(`top-up ${row.id} (txn ${row.txn_id}): ${notices.length} SMS notice(s) (${notices.map((notice) => `${notice.cause} to ${notice.line_id}`).join(', ')}), expected one receipt notice to its line`);
  }
}

/** A paid pack pay: its order (one, under the row's key) active with one pack, activated by the agent payment the row names. */
function packPayProblems(data, row, partner, problems) {
  const orders = data.orders.filter((order) => order.idempotency_key === partnerKey(row));
  const order = orders.find((candidate) => candidate.id === row.order_id);
  const payment = data.payments.find((candidate) => candidate.id === row.payment_id);
  const packs = data.bundles.filter((bundle) => bundle.idempotency_key === `order:${row.order_id}`).length;
  const succeeded = data.payments.filter((candidate) => candidate.order_id === row.order_id && candidate.status === 'succeeded').length;
  const differences = [
    (orders.length !== 1 || !order) && `${orders.length} order(s) under its key, row names ${row.order_id}`,
    order && order.state !== 'active' && `order ${order.state}`,
    order && (order.bundle_id === null || packs !== 1) && `${packs} pack(s)`,
    order && order.package_code !== row.package_code && `order for ${order.package_code}, row ${row.package_code}`,
    order && Number(order.amount_minor) !== Number(row.sum_minor) && `order of ${order.amount_minor}, sum ${row.sum_minor}`,
    order && order.line_id !== row.line_id && 'order for another line',
    order && order.activating_payment_id !== row.payment_id && `activated by ${order.activating_payment_id}, row names ${row.payment_id}`,
    payment?.status !== 'succeeded' && `payment ${row.payment_id} ${payment?.status ?? 'missing'}`,
    payment && (payment.method !== 'agent' || payment.receiving_account_id !== partner.settlement_account_id) && `payment by ${payment.method} into ${payment.receiving_account_id}`,
    succeeded !== 1 && `${succeeded} succeeded payments for its order`,
  ].filter(Boolean);
  if (differences.length > 0) problems.push(`pack pay ${row.id} (txn ${row.txn_id}): ${differences.join('; ')}`);
}

/**
 * The partner's settlement account moved by exactly the paid pays: one posting of minus the sum per
 * paid pay, in its money's entry (the top-up's credit, or the pack payment's activation), nothing else.
 */
function settlementProblems(data, partner, paid, problems) {
  const payments = new Map(data.payments.map((payment) => [payment.id, payment]));
  const money_entry = (row) => (row.purchase === 'top_up' ? row.entry_id : payments.get(row.payment_id)?.entry_id);
  const due = new Map(paid.map((row) => [money_entry(row), row]));
  const postings = data.partner_postings.filter((posting) => posting.account_id === partner.settlement_account_id);
  const moved = postings.reduce((sum, posting) => sum + Number(posting.amount_minor), 0);
  const paid_minor = paid.reduce((sum, row) => sum + Number(row.sum_minor), 0);
  if (moved !== -paid_minor) problems.push(`${partner.settlement_account_id} moved ${moved} kopecks; the paid pays sum to ${paid_minor}`);
  const seen = countBy(postings, (posting) => posting.entry_id);
  for (const posting of postings) {
    const row = due.get(posting.entry_id);
    if (!row) problems.push(`${partner.settlement_account_id}: ${posting.amount_minor} in entry ${posting.entry_id}, no paid pay's`);
    else if (Number(posting.amount_minor) !== -Number(row.sum_minor)) problems.push(`${partner.settlement_account_id}: ${posting.amount_minor} in entry ${posting.entry_id} of pay ${row.txn_id}, its sum ${row.sum_minor}`);
  }
  for (const [entry_id, row] of due) if (seen.get(entry_id) !== 1) problems.push(`pay ${row.txn_id} (${row.purchase}): ${seen.get(entry_id) ?? 0} settlement postings in its entry ${entry_id}`);
  return { moved, paid_minor };
}

/**
 * Every pay the tills sent — repeated by them after kills, timeouts and "temporary", and on purpose
 * in turn, at once and with another number or sum — answered the same every time and paid once, as
 * answered: a top-up credits the wallet once (one SMS notice), a pack is active with one bundle, the
 * settlement account moved by exactly what was paid; nothing left half done after the drain.
 */
function agentPayCheck(data, log) {
  const problems = [];
  const partner = data.partners.find((row) => row.code === DEMO_PARTNER.code);
  if (!partner) return check('every agent pay paid once', [`partner ${DEMO_PARTNER.code} missing`], 'no partner');
  const rows = data.partner_payments.filter((row) => row.partner_id === partner.id);
  const rows_of = groupBy(rows, (row) => row.txn_id);
  for (const pay of log.pays.values()) tillAnswerProblems(pay, rows_of.get(pay.txn_id)?.[0], problems);
  for (const [txn_id, list] of rows_of) {
    if (list.length > 1) problems.push(`txn ${txn_id}: ${list.length} partner payments`);
    if (!log.pays.has(txn_id)) problems.push(`txn ${txn_id}: a partner payment (${list[0].state}) no till sent`);
  }
  for (const row of rows.filter((item) => item.state !== 'paid')) problems.push(`pay ${row.id} (txn ${row.txn_id}, ${row.purchase}): ${row.state} (${row.reason}) after the drain`);
  const paid = rows.filter((row) => row.state === 'paid');
  for (const [entry_id, count] of countBy(paid.filter((row) => row.entry_id !== null), (row) => row.entry_id)) if (count > 1) problems.push(`entry ${entry_id}: the credit of ${count} top-ups`);
  for (const row of paid.filter((item) => item.purchase === 'top_up')) topUpProblems(data, row, partner, problems);
  for (const row of paid.filter((item) => item.purchase === 'pack')) packPayProblems(data, row, partner, problems);
  const top_up_entries = new Set(paid.filter((row) => row.purchase === 'top_up').map((row) => row.entry_id));
  for (const notice of data.notices.filter((row) => row.dedupe_key.startsWith('top_up:') && !top_up_entries.has(row.dedupe_key.slice('top_up:'.length)))) {
    problems.push(`notice ${notice.id}: ${notice.dedupe_key}, no paid top-up's`);
  }
  const { paid_minor } = settlementProblems(data, partner, paid, problems);
  const pays = [...log.pays.values()];
  const answered = pays.filter((pay) => pay.answers.some((answer) => answer.result !== OSMP_TEMPORARY)).length;
  const sent_again = pays.filter((pay) => pay.repeat !== 'none' || pay.answers.length > 1).length;
  return check('every agent pay paid once', problems,
    `${pays.length} OSMP pays (${answered} answered finally, ${sent_again} sent more than once, ${pays.reduce((sum, pay) => sum + pay.conflicts.length, 0)} with another number or sum), `
    + `${rows.length} stored (${tally(countBy(rows, (row) => `${row.purchase} ${row.state}`))}); settlement moved by the ${paid_minor} kopecks paid`);
}

/** A payment refunded because its order did not use it: fiscalised as an advance when it came, its refund turning that round. */
const UNUSED_PAYMENT_REASONS = new Set(['duplicate_payment', 'order_closed', 'activation_impossible']);

/** What a document is about: its receipt, or the unused payment or agent top-up it registers. */
const subjectKey = (row) => (row.subject === 'receipt' ? `receipt ${row.receipt_number}` : row.subject === 'payment' ? `payment ${row.payment_id}` : `top-up ${row.entry_id}`);

/**
 * Our documents: one sell per receipt that took money, one per payment an order did not use (not
 * from the wallet) and one per agent top-up paid (for its sum), one sell_refund per succeeded refund
 * of a receipt's or an unused payment's money, nothing else; all registered.
 */
function fiscalDocumentProblems(data, problems) {
  const due_receipts = data.receipts.filter((receipt) => receipt.amount_minor > 0 && receipt.currency === FISCAL_CURRENCY);
  const payment_by_id = new Map(data.payments.map((payment) => [payment.id, payment]));
  const unused_payment_ids = new Set(data.refunds.filter((refund) => UNUSED_PAYMENT_REASONS.has(refund.reason))
    .map((refund) => payment_by_id.get(refund.payment_id))
    .filter((payment) => payment && payment.method !== 'wallet' && payment.amount_minor > 0 && payment.currency === FISCAL_CURRENCY)
    .map((payment) => payment.id));
  const due_top_ups = paidAgentTopUps(data);
  const due_subjects = new Set([
    ...due_receipts.map((receipt) => `receipt ${receipt.number}`), ...[...unused_payment_ids].map((id) => `payment ${id}`),
    ...due_top_ups.map((row) => `top-up ${row.entry_id}`),
  ]);
  const sells = data.fiscal_documents.filter((row) => row.operation === 'sell');
  const sells_of = countBy(sells, subjectKey);
  for (const subject of due_subjects) {
    const count = sells_of.get(subject) ?? 0;
    if (count !== 1) problems.push(`${subject}: ${count} sell documents`);
  }
  const top_up_documents = groupBy(sells.filter((row) => row.subject === 'top_up'), (row) => row.entry_id);
  for (const row of due_top_ups) {
    for (const document of top_up_documents.get(row.entry_id) ?? []) {
      const total_minor = JSON.parse(document.request_json).total_minor;
      if (total_minor !== Number(row.sum_minor) || document.line_id !== row.line_id) {
        problems.push(`fiscal document ${document.id} of top-up ${row.entry_id} (txn ${row.txn_id}): ${total_minor} kopecks for ${document.line_id}, the top-up ${row.sum_minor} for ${row.line_id}`);
      }
    }
  }
  // Whose money each refund returns: a receipt's payment, or an unused payment.
  const subject_of_payment = new Map([
    ...due_receipts.map((receipt) => [receipt.payment_id, `receipt ${receipt.number}`]),
    ...[...unused_payment_ids].map((id) => [id, `payment ${id}`]),
  ]);
  const due_refunds = data.refunds.filter((refund) => refund.status === 'succeeded' && refund.amount_minor > 0 && subject_of_payment.has(refund.payment_id));
  const refund_documents_of = groupBy(data.fiscal_documents.filter((row) => row.operation === 'sell_refund'), (row) => row.refund_id);
  for (const refund of due_refunds) {
    const documents = refund_documents_of.get(refund.id) ?? [];
    const subject = subject_of_payment.get(refund.payment_id);
    if (documents.length !== 1) problems.push(`refund ${refund.id} (${refund.reason}) of ${subject}: ${documents.length} sell_refund documents`);
    for (const row of documents) {
      if (subjectKey(row) !== subject) problems.push(`fiscal document ${row.id}: refunds ${subjectKey(row)}, its refund's money is of ${subject}`);
    }
  }
  const due_refund_ids = new Set(due_refunds.map((refund) => refund.id));
  for (const [refund_id, rows] of refund_documents_of) {
    if (!due_refund_ids.has(refund_id)) problems.push(`refund ${refund_id}: ${rows.length} sell_refund document(s), yet it is no succeeded refund of fiscalised money`);
  }
  for (const row of data.fiscal_documents) {
    if (!due_subjects.has(subjectKey(row))) problems.push(`fiscal document ${row.id} (${row.operation}): of ${subjectKey(row)}, which took no money to fiscalise`);
    if (row.status !== 'registered') {
      const error = row.error_code === null ? '' : ` (${row.error_kind} ${row.error_code}: ${String(row.error_text).slice(0, 160)})`;
      problems.push(`fiscal document ${row.id} (${row.operation} of ${subjectKey(row)}): ${row.status} after the drain${error}`);
    }
  }
  return { due_receipts, unused_payments: unused_payment_ids.size, due_top_ups: due_top_ups.length, due_refunds };
}

/** What the register holds against our rows: one document per external_id, each one ours, the same total and attributes. */
function registerProblems(data, register, problems) {
  const ours = new Map(data.fiscal_documents.map((row) => [row.id, row]));
  const made_for = groupBy(register.documents, (document) => document.external_id);
  for (const [external_id, documents] of made_for) {
    if (documents.length !== 1) problems.push(`the register made ${documents.length} documents under external_id ${external_id}`);
    if (!ours.has(external_id)) problems.push(`the register made document ${documents[0].uuid} (${documents[0].operation}) under external_id ${external_id}, which is none of ours`);
  }
  const unknown_sends = new Set(register.register_calls.map((call) => call.external_id).filter((id) => !ours.has(id)));
  for (const id of unknown_sends) problems.push(`a register call was made under external_id ${id}, which is none of ours`);
  const registered = data.fiscal_documents.filter((row) => row.status === 'registered');
  for (const row of registered) {
    const theirs = made_for.get(row.id)?.[0];
    if (!theirs) {
      problems.push(`fiscal document ${row.id}: registered for us, unknown to the register`);
      continue;
    }
    const request_total_minor = JSON.parse(row.request_json).total_minor;
    const payload = theirs.payload ?? {};
    const differences = [
      theirs.operation !== row.operation && `operation ${theirs.operation} at the register, ${row.operation} ours`,
      theirs.status !== 'done' && `${theirs.status} at the register`,
      theirs.uuid !== row.register_uuid && `uuid ${theirs.uuid} at the register, ${row.register_uuid} ours`,
      theirs.total_minor !== request_total_minor && `sent for ${theirs.total_minor} kopecks, our request says ${request_total_minor}`,
      Number(row.total_minor) !== request_total_minor && `registered total ${row.total_minor}, our request ${request_total_minor}`,
      payload.fn_number !== row.fn_number && `ФН ${payload.fn_number} at the register, ${row.fn_number} ours`,
      payload.fiscal_document_number !== Number(row.fiscal_document_number) && `ФД ${payload.fiscal_document_number} at the register, ${row.fiscal_document_number} ours`,
      payload.fiscal_document_attribute !== Number(row.fiscal_document_attribute) && `ФП ${payload.fiscal_document_attribute} at the register, ${row.fiscal_document_attribute} ours`,
    ].filter(Boolean);
    if (differences.length > 0) problems.push(`fiscal document ${row.id}: ${differences.join('; ')}`);
  }
  const sales_at_register = countBy(register.documents.filter((document) => document.operation === 'sell' && ours.has(document.external_id)),
    (document) => subjectKey(ours.get(document.external_id)));
  for (const [subject, count] of sales_at_register) if (count > 1) problems.push(`${subject}: the register made ${count} sales of it`);
  if (register.documents.length !== registered.length) problems.push(`the register holds ${register.documents.length} documents; ${registered.length} are registered for us`);
  return registered.length;
}

/**
 * Every receipt, every payment an order did not use, every agent top-up, and every refund of their
 * money fiscalised exactly once — through SIGKILLs between the register call and its answer: the
 * document's id is the register's external_id, so a resend finds the first document, never makes a second.
 */
function fiscalCheck(data, register) {
  const problems = [];
  const { due_receipts, unused_payments, due_top_ups, due_refunds } = fiscalDocumentProblems(data, problems);
  const registered = registerProblems(data, register, problems);
  const operations = tally(countBy(data.fiscal_documents, (row) => `${row.operation} ${row.status}`));
  return check('every receipt, agent top-up and refund fiscalised exactly once', problems,
    `${due_receipts.length} receipts, ${unused_payments} unused payments, ${due_top_ups} agent top-ups and ${due_refunds.length} refunds of their money; ${data.fiscal_documents.length} documents (${operations || 'none'}); `
    + `the register made ${register.documents.length} from ${register.register_calls.length} register calls, ${registered} registered for us with the same total, ФН, ФД and ФП`);
}

function outboxCheck(data, drain) {
  const problems = [];
  const unfinished = data.jobs.filter((job) => job.status !== 'done');
  for (const job of unfinished) problems.push(`job ${job.id} ${job.kind}: ${job.status} after ${job.attempts} attempts${job.last_error ? ` (${job.last_error.slice(0, 160)})` : ''}`);
  return check('the workers finished: no job pending, running or dead', problems,
    `${data.jobs.length} jobs (${tally(countBy(data.jobs, (job) => job.status))}), drained in ${(drain.waited_ms / 1000).toFixed(1)} s${drain.drained ? '' : ' (timed out)'}`);
}

function clientCheck(log) {
  const problems = log.anomalies.map((anomaly) => `${anomaly.kind}: ${anomaly.detail}`);
  return check('the API answered consistently (idempotent replays, no unexpected errors, no request left unanswered)', problems,
    `${log.anomalies.length} anomalies; expected refusals: ${Object.entries(log.refusals).map(([key, count]) => `${count} ${key}`).join(', ') || 'none'}`);
}

function serverCheck(server) {
  const problems = server.unplanned_exits.map((exit) => `the server exited on its own at ${exit.at} (${exit.signal ?? `code ${exit.code}`}); see the server log`);
  return check('the server stayed up between the planned kills', problems, `${server.starts} starts, ${server.kills} planned kills, ${server.unplanned_exits.length} exits on its own`);
}

/** Runs every check over what readDatabase read (the server stopped). */
export function runChecks(data, { log, drain, server, register }) {
  return [
    ...ledgerChecks(data),
    moneyCheck(data),
    activationCheck(data),
    agentPayCheck(data, log),
    fiscalCheck(data, register),
    usageCheck(data, log),
    acceptedCheck(data, log),
    outboxCheck(data, drain),
    clientCheck(log),
    serverCheck(server),
  ];
}
