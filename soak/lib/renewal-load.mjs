// Customers renewing over HTTP, one flow after another until the load window closes: an order, a
// payment attempt, the sandbox's hosted page (test cards, 3-D Secure, e-wallet and SBP decisions),
// bank transfers, a second payment for a paid order, cancellations and abandoned attempts — every
// sandbox outcome — and now and then a staff refund of a pack just bought (a sell_refund fiscal
// document once the sale's is made). Each flow is planned from the customer's seeded stream before it runs, so the
// plan does not depend on what the server answers.
import { setTimeout as sleep } from 'node:timers/promises';
import { fromDist } from '../../bench/lib/dist.mjs';
import { GaveUp } from './http.mjs';

const { luhnCheckDigit } = await fromDist('core/iccid.js');

const CARDS = {
  success: '4242424242424242',
  mir: `220000000000000${luhnCheckDigit('220000000000000')}`,
  insufficient_funds: '4000000000009995',
  card_expired: '4000000000000069',
  three_d_secure: '4000000000003220',
  timeout: '4000000000000119',
};
const E_WALLETS = ['yoomoney', 'paypal', 'alipay', 'wechat_pay'];
const FLOW_WEIGHTS = {
  card_success: 20, card_declined: 10, card_3ds: 8, card_timeout: 6, e_wallet: 10, sbp: 6, wallet: 8,
  bank_transfer: 4, two_payments: 5, abandoned: 4, canceled: 5, order_only: 2,
};
/** A payment whose provider call failed (timeout, 500) is asked for again with the same key, this often. */
const PAYMENT_START_ATTEMPTS = 5;
const PAYMENT_RETRY_DELAY_MS = 400;
/** A card or wallet purchase is refunded by staff (unused pack) this often, once its order is active. */
const STAFF_REFUND_SHARE = 0.2;
const STAFF_REFUND_FLOWS = new Set(['card_success', 'wallet']);
const ACTIVE_POLLS_MAX = 20;
const ACTIVE_POLL_MS = 250;
/** An order in these states may still become active; `created` has no payment started, so nothing is coming. */
const ORDER_WAITING_STATES = new Set(['awaiting_payment', 'paid']);
const THINK_MS_MIN = 50;
const THINK_MS_MAX = 400;

/** Every choice of one flow, drawn before it runs. */
function planFlow(random, lines, packages) {
  const line = random.pick(lines);
  return {
    flow: random.weighted(FLOW_WEIGHTS),
    line_ref: random.chance(0.3) ? { line_id: line.id } : { msisdn: line.msisdn },
    package_code: random.pick(packages).code,
    channel: random.pick(['app', 'web']),
    replay_order: random.chance(0.15),
    replay_payment: random.chance(0.15),
    visit_order_page: random.chance(0.3),
    success_card: random.chance(0.8) ? CARDS.success : CARDS.mir,
    decline_card: random.chance(0.5) ? CARDS.insufficient_funds : CARDS.card_expired,
    retry_after_decline: random.pick([null, 'sbp', 'yoomoney']),
    three_ds_decision: random.weighted({ approve: 5, fail_3ds: 3, abandon: 2 }),
    e_wallet: random.pick(E_WALLETS),
    approve: random.chance(0.75),
    pay_after_cancel: random.chance(0.5),
    think_ms: random.between(THINK_MS_MIN, THINK_MS_MAX),
    staff_refund: random.chance(STAFF_REFUND_SHARE),
  };
}

function unexpected(ctx, label, answer) {
  ctx.log.anomaly('unexpected answer', `${ctx.flow} ${label}: HTTP ${answer.status} ${typeof answer.body === 'object' ? answer.body.code ?? JSON.stringify(answer.body) : String(answer.body).slice(0, 120)}`);
}

async function createOrder(ctx, plan) {
  const request = { json: { ...plan.line_ref, package_code: plan.package_code, channel: plan.channel }, headers: { 'idempotency-key': ctx.key } };
  const answer = await ctx.client.send('POST /api/v1/orders', 'POST', '/api/v1/orders', request);
  if (answer.status !== 201 && answer.status !== 200) return void unexpected(ctx, 'create order', answer);
  const order = answer.body;
  ctx.log.orders.set(order.id, {
    id: order.id, key: ctx.key, flow: ctx.flow, package_code: order.package_code, amount_minor: order.amount_minor,
  });
  if (plan.replay_order) {
    const again = await ctx.client.send('POST /api/v1/orders (same key again)', 'POST', '/api/v1/orders', request);
    if (again.status !== 200 || again.body.id !== order.id) ctx.log.anomaly('idempotent replay', `order key ${ctx.key}: first ${order.id}, again HTTP ${again.status} ${again.body?.id}`);
  }
  return order;
}

/**
 * Starts a payment attempt. When the provider's answer was lost (the attempt stays pending without
 * a next action), asks again with the same key, a few times, as the order page would.
 */
async function startPayment(ctx, order, method, suffix = '', proof = {}) {
  const key = `${ctx.key}-${method}${suffix}`;
  const path = `/api/v1/orders/${order.id}/payments`;
  let payment = null;
  for (let attempt = 1; attempt <= PAYMENT_START_ATTEMPTS; attempt += 1) {
    const answer = await ctx.client.send('POST /api/v1/orders/{id}/payments', 'POST', path, { json: { method, ...proof }, headers: { 'idempotency-key': key } });
    if (answer.status === 409) return void ctx.log.countRefusal('start payment', 409, answer.body?.code);
    // A wallet code spent by a first try whose answer was lost: that payment is found by its key, below.
    if (answer.status === 400 && answer.body?.code === 'ROAM_ERR_CODE_INVALID') return void ctx.log.countRefusal('start payment', 400, answer.body.code);
    if (answer.status !== 201) return void unexpected(ctx, `start ${method} payment`, answer);
    if (payment && payment.id !== answer.body.payment.id) ctx.log.anomaly('idempotent replay', `payment key ${key}: first ${payment.id}, again ${answer.body.payment.id}`);
    payment = answer.body.payment;
    ctx.log.payments.set(payment.id, { id: payment.id, order_id: order.id, method, key, flow: ctx.flow, next_action: payment.next_action });
    if (payment.next_action || payment.status !== 'pending') return payment;
    ctx.log.pending_starts += 1;
    await sleep(PAYMENT_RETRY_DELAY_MS);
  }
  return payment;
}

/**
 * The sandbox's hosted page: a form POST, as the customer's browser sends it. `expected_status`: the
 * provider's outcome it must lead to, when nothing else can intervene.
 */
async function submitPage(ctx, payment, action, form, expected_status) {
  const url = `${payment.next_action.url}/${action}`;
  const answer = await ctx.client.send(`POST sandbox /${action}`, 'POST', url, { form });
  // 409: the payment no longer waits for this step (a cancel or the order's expiry came first).
  if (answer.status === 409) return void ctx.log.countRefusal(`sandbox ${action}`, 409, 'not_waiting');
  if (answer.status !== 303 && answer.status !== 200) return void unexpected(ctx, `sandbox ${action}`, answer);
  ctx.log.submissions.push({ payment_id: payment.id, action: `${action} ${form.card_number ?? form.decision}`, expected_status });
  return answer;
}

const payCard = (ctx, payment, card, expected_status) => submitPage(ctx, payment, 'card', { card_number: card, expiry: '12/34', cvc: '123' }, expected_status);
const decide = (ctx, payment, decision, expected_status) => submitPage(ctx, payment, 'decide', { decision }, expected_status);

/** Where the sandbox sends the customer back: it asks the provider about open attempts. */
async function visitOrderPage(ctx, plan, order) {
  if (!plan.visit_order_page) return;
  const answer = await ctx.client.send('GET /orders/{id}', 'GET', `/orders/${order.id}`);
  if (answer.status !== 200) unexpected(ctx, 'order page', answer);
}

async function replayPayment(ctx, plan, order, payment, method) {
  if (!plan.replay_payment) return;
  await startPayment(ctx, order, method);
  const latest = [...ctx.log.payments.values()].filter((entry) => entry.key === `${ctx.key}-${method}`);
  if (latest.length !== 1 || latest[0].id !== payment.id) ctx.log.anomaly('idempotent replay', `payment key ${ctx.key}-${method} gave ${latest.map((entry) => entry.id).join(', ')}`);
}

const FLOWS = {
  async card_success(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'card');
    if (!payment?.next_action) return;
    await payCard(ctx, payment, plan.success_card, 'succeeded');
    await replayPayment(ctx, plan, order, payment, 'card');
  },
  async card_declined(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'card');
    if (!payment?.next_action) return;
    await payCard(ctx, payment, plan.decline_card, 'failed');
    if (!plan.retry_after_decline) return;
    const retry = await startPayment(ctx, order, plan.retry_after_decline);
    if (retry?.next_action) await decide(ctx, retry, 'approve', 'succeeded');
  },
  async card_3ds(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'card');
    if (!payment?.next_action) return;
    await payCard(ctx, payment, CARDS.three_d_secure, null);
    if (plan.three_ds_decision === 'abandon') return;
    await decide(ctx, payment, plan.three_ds_decision, plan.three_ds_decision === 'approve' ? 'succeeded' : 'failed');
  },
  async card_timeout(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'card');
    if (payment?.next_action) await payCard(ctx, payment, CARDS.timeout, 'succeeded');
  },
  async e_wallet(ctx, plan, order) {
    const payment = await startPayment(ctx, order, plan.e_wallet);
    if (payment?.next_action) await decide(ctx, payment, plan.approve ? 'approve' : 'decline', plan.approve ? 'succeeded' : 'failed');
  },
  async sbp(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'sbp');
    if (payment?.next_action) await decide(ctx, payment, plan.approve ? 'approve' : 'decline', plan.approve ? 'succeeded' : 'failed');
  },
  /** The line's owner pays from its balance with the code the server texts to the line. */
  async wallet(ctx, plan, order) {
    const sent = await ctx.client.send('POST /api/v1/orders/{id}/wallet-code', 'POST', `/api/v1/orders/${order.id}/wallet-code`, { json: {} });
    if (sent.status === 409 || sent.status === 429) return void ctx.log.countRefusal('wallet code', sent.status, sent.body?.code);
    if (sent.status !== 202) return void unexpected(ctx, 'wallet code', sent);
    const code = await ctx.paymentCode(order.id);
    if (code === null) return void ctx.log.countRefusal('wallet code', 0, 'unreadable');
    const payment = await startPayment(ctx, order, 'wallet', '', { payment_code: code });
    if (payment) await replayPayment(ctx, plan, order, payment, 'wallet');
  },
  async bank_transfer(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'bank_transfer');
    if (payment?.next_action?.reference) {
      ctx.log.bank_transfers.push({ reference: payment.next_action.reference, amount_minor: order.amount_minor });
    }
  },
  /** Two attempts paid at once: one activates, the other is refunded (or canceled first). */
  async two_payments(ctx, plan, order) {
    const card = await startPayment(ctx, order, 'card');
    const other = await startPayment(ctx, order, plan.e_wallet);
    await Promise.all([card?.next_action && payCard(ctx, card, CARDS.success, null), other?.next_action && decide(ctx, other, 'approve', null)]);
  },
  async abandoned(ctx, plan, order) {
    await startPayment(ctx, order, 'card');
  },
  /** Canceled, then (sometimes) paid on the provider's page anyway: the cancel and the payment race. */
  async canceled(ctx, plan, order) {
    const payment = await startPayment(ctx, order, 'card');
    const answer = await ctx.client.send('POST /api/v1/orders/{id}/cancel', 'POST', `/api/v1/orders/${order.id}/cancel`, { json: {} });
    if (answer.status === 409) ctx.log.countRefusal('cancel', 409, answer.body?.code);
    else if (answer.status !== 200) unexpected(ctx, 'cancel', answer);
    if (plan.pay_after_cancel && payment?.next_action) await payCard(ctx, payment, CARDS.success, null);
  },
  async order_only() {},
};

/**
 * Staff refunds the pack of an order just paid, never used: once the order is active (bounded
 * wait). The money goes back to the wallet at once, or through the provider; either way the
 * refund gets its sell_refund fiscal document when it succeeds.
 */
async function staffRefund(ctx, order) {
  for (let poll = 1; ; poll += 1) {
    const answer = await ctx.client.send('GET /api/v1/orders/{id}', 'GET', `/api/v1/orders/${order.id}`);
    if (answer.status !== 200) return void unexpected(ctx, 'read order', answer);
    if (answer.body.state === 'active') break;
    if (!ORDER_WAITING_STATES.has(answer.body.state) || poll >= ACTIVE_POLLS_MAX) return void ctx.log.countRefusal('staff refund', 0, `order ${answer.body.state}`);
    await sleep(ACTIVE_POLL_MS);
  }
  const headers = { 'idempotency-key': `${ctx.key}-refund`, authorization: `Bearer ${ctx.admin_token}` };
  const answer = await ctx.client.send('POST /api/v1/orders/{id}/refund', 'POST', `/api/v1/orders/${order.id}/refund`, { json: { requested_by: 'soak-staff' }, headers });
  // 409: the pack was used meanwhile (a hot line's usage), or the order is no longer active.
  if (answer.status === 409) return void ctx.log.countRefusal('staff refund', 409, answer.body?.code);
  if (answer.status !== 200) return void unexpected(ctx, 'staff refund', answer);
  ctx.log.staff_refunds.set(order.id, { order_id: order.id, flow: ctx.flow, refunds: answer.body.refunds });
}

async function runFlow(ctx, plan) {
  const order = await createOrder(ctx, plan);
  if (!order) return;
  await FLOWS[plan.flow](ctx, plan, order);
  await visitOrderPage(ctx, plan, order);
  if (plan.staff_refund && STAFF_REFUND_FLOWS.has(plan.flow)) await staffRefund(ctx, order);
}

/** One customer: flows one after another until `until_ms`. */
export async function runCustomer({ client, log, random, lines, packages, seed, index, until_ms, paymentCode, admin_token }) {
  for (let serial = 0; Date.now() < until_ms; serial += 1) {
    const plan = planFlow(random, lines, packages);
    const ctx = { client, log, flow: plan.flow, key: `soak-${seed}-c${index}-${serial}`, paymentCode, admin_token };
    log.countFlow(plan.flow);
    try {
      await runFlow(ctx, plan);
    } catch (error) {
      if (!(error instanceof GaveUp)) throw error;
      log.unknown.orders += 1;
      log.anomaly('no answer', `${plan.flow} ${ctx.key}: ${error.message}`);
    }
    await sleep(plan.think_ms);
  }
}
