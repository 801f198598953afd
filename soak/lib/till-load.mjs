// Payment agents' tills paying over OSMP (`GET` or `POST /osmp/<partner>`, HTTP basic), one pay
// after another until the load window closes: top-ups of random sums within the partner's limits
// and exact pack prices (which buy the pack), over the soak and demo lines, and now and then a
// `check`. A till repeats a pay exactly as a real one does — the same request, unchanged, after a
// dead server, a timeout, a 5xx (the retrying client) or result 1 (temporary error) — and some pays
// are sent again on purpose with the same txn_id: in turn, twice at once, or with another number or
// sum (which must be refused with 300 and pay nothing). Every answer is recorded for the checks.
import { setTimeout as sleep } from 'node:timers/promises';
import { GaveUp } from './http.mjs';

const CHECK_SHARE = 0.08;
const PACK_SHARE = 0.35;
/** Whole roubles, as a cashier mostly types them; the rest to the kopeck. */
const ROUND_SUM_SHARE = 0.5;
const GET_SHARE = 0.5;
const REPEAT_WEIGHTS = { none: 80, in_turn: 8, at_once: 8, conflict: 4 };
/** Result 1 asks the till to repeat later with the same txn_id: this long between, this many times at most. */
const TEMPORARY_REPEAT_MS = 500;
const TEMPORARY_REPEATS_MAX = 60;
const PAUSE_MS_MIN = 100;
const PAUSE_MS_MAX = 400;
/** How long a kill aimed at a pack pay waits for one to be on the wire, and how often it looks. */
const AIMED_WAIT_MS = 5_000;
const AIMED_POLL_MS = 1;

export const OSMP_RESULT = { ok: 0, temporary: 1, other: 300 };
/** The retrying client's labels: one per kind of request, so a kill can see what it cuts. */
export const TILL_LABELS = {
  pack: 'OSMP pay (pack price)', top_up: 'OSMP pay (top-up)', conflict: 'OSMP pay (same txn_id, another number or sum)', check: 'OSMP check',
};

const formatSum = (amount_minor) => `${Math.floor(amount_minor / 100)}.${String(amount_minor % 100).padStart(2, '0')}`;
/** The line's number as a till sends it: the ten digits after +7. */
const accountOf = (msisdn) => msisdn.slice('+7'.length);
const pad = (value) => String(value).padStart(2, '0');
const txnDate = (date) => `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`
  + `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;

/** A top-up sum within the partner's limits that is no pack's price (that would buy the pack). */
function topUpSum(random, partner) {
  const prices = new Set(partner.packs.map((pack) => pack.price_minor));
  let sum_minor = random.chance(ROUND_SUM_SHARE)
    ? random.between(Math.ceil(partner.sum_min_minor / 100), Math.floor(partner.sum_max_minor / 100)) * 100
    : random.between(partner.sum_min_minor, partner.sum_max_minor);
  while (prices.has(sum_minor)) sum_minor += sum_minor < partner.sum_max_minor ? 1 : -1;
  return sum_minor;
}

/** Every choice of one request, drawn before it is sent. */
function planRequest(random, partner, lines, txn_id) {
  const line = random.pick(lines);
  const command = random.chance(CHECK_SHARE) ? 'check' : 'pay';
  const pack = random.chance(PACK_SHARE) ? random.pick(partner.packs) : null;
  const sum_minor = pack ? pack.price_minor : topUpSum(random, partner);
  const other_line = random.pick(lines.filter((candidate) => candidate.id !== line.id));
  const other_sum_minor = sum_minor < partner.sum_max_minor ? sum_minor + 1 : sum_minor - 1;
  return {
    command, txn_id, line, sum_minor,
    // Two packs may cost the same: the partner sells the first in catalog order.
    package_code: pack ? partner.packs.find((candidate) => candidate.price_minor === pack.price_minor).code : null,
    method: random.chance(GET_SHARE) ? 'GET' : 'POST',
    check_with_sum: random.chance(0.5),
    repeat: random.weighted(REPEAT_WEIGHTS),
    conflict: random.chance(0.5) ? { account: accountOf(other_line.msisdn) } : { sum: formatSum(other_sum_minor) },
    pause_ms: random.between(PAUSE_MS_MIN, PAUSE_MS_MAX),
  };
}

/** The fields of the answer's XML a till reads; null when it is not an OSMP answer. */
function readAnswer(xml) {
  if (typeof xml !== 'string') return null;
  const result = /<result>(\d+)<\/result>/.exec(xml);
  if (!result) return null;
  return { result: Number(result[1]), prv_txn: /<prv_txn>([^<]*)<\/prv_txn>/.exec(xml)?.[1] ?? null, sum: /<sum>([^<]*)<\/sum>/.exec(xml)?.[1] ?? null };
}

/** One request to the till's endpoint, over the retrying client; the OSMP answer, or null (recorded as an anomaly). */
async function sendOsmp(ctx, label, fields, method, what, onRetry) {
  const path = `/osmp/${ctx.partner.code}`;
  const headers = { authorization: ctx.authorization };
  try {
    const answer = method === 'GET'
      ? await ctx.client.send(label, 'GET', `${path}?${new URLSearchParams(fields)}`, { headers, onRetry })
      : await ctx.client.send(label, 'POST', path, { form: fields, headers, onRetry });
    const read = answer.status === 200 ? readAnswer(answer.body) : null;
    if (!read) ctx.log.anomaly('unexpected answer', `${what}: HTTP ${answer.status} ${String(answer.body).slice(0, 120)}`);
    return read;
  } catch (error) {
    if (!(error instanceof GaveUp)) throw error;
    ctx.log.unknown.pays += 1;
    ctx.log.anomaly('no answer', `${what}: ${error.message}`);
    return null;
  }
}

/**
 * Sends the pay until it gets a final answer, as a till does: the retrying client repeats it after
 * a dead server, a timeout or a 5xx, and a result 1 is repeated here. Every answer goes to `pay.answers`.
 */
async function payUntilFinal(ctx, pay, fields) {
  const onRetry = (problem) => {
    // Refused: the server was down and never saw it. Anything else (reset, closed, timeout, 5xx): it may have.
    if (problem === 'ECONNREFUSED') {
      pay.sends_refused += 1;
    } else {
      pay.sends_cut += 1;
      pay.cut_at_ms ??= Date.now();
    }
  };
  for (let repeat = 0; ; repeat += 1) {
    const answer = await sendOsmp(ctx, TILL_LABELS[pay.purchase], fields, pay.method, `pay ${pay.txn_id}`, onRetry);
    if (answer) pay.answers.push(answer);
    if (answer?.result !== OSMP_RESULT.temporary) return;
    if (repeat >= TEMPORARY_REPEATS_MAX) return void ctx.log.anomaly('no final answer', `pay ${pay.txn_id}: result 1 to ${repeat + 1} sends`);
    await sleep(TEMPORARY_REPEAT_MS);
  }
}

async function pay(ctx, plan) {
  const fields = { command: 'pay', txn_id: plan.txn_id, txn_date: txnDate(new Date()), account: accountOf(plan.line.msisdn), sum: formatSum(plan.sum_minor) };
  const entry = {
    txn_id: plan.txn_id, till: ctx.index, method: plan.method, msisdn: plan.line.msisdn, line_id: plan.line.id, sum_minor: plan.sum_minor,
    purchase: plan.package_code ? 'pack' : 'top_up', package_code: plan.package_code, repeat: plan.repeat,
    answers: [], conflicts: [], sends_cut: 0, sends_refused: 0, cut_at_ms: null,
  };
  ctx.log.pays.set(plan.txn_id, entry);
  if (plan.repeat === 'at_once') await Promise.all([payUntilFinal(ctx, entry, fields), payUntilFinal(ctx, entry, fields)]);
  else await payUntilFinal(ctx, entry, fields);
  if (plan.repeat === 'in_turn') await payUntilFinal(ctx, entry, fields);
  if (plan.repeat === 'conflict' && entry.answers.some((answer) => answer.result !== OSMP_RESULT.temporary)) {
    // Only once the first has its row: sent before, the other number or sum would be the first pay.
    const answer = await sendOsmp(ctx, TILL_LABELS.conflict, { ...fields, ...plan.conflict }, plan.method, `pay ${plan.txn_id} with another ${Object.keys(plan.conflict)[0]}`);
    if (answer) entry.conflicts.push({ ...answer, changed: Object.keys(plan.conflict)[0] });
  }
}

/** A check may carry a sum (what would it buy?) and no txn_id; it must answer 0, with no prv_txn (nothing is paid). */
async function check(ctx, plan) {
  const fields = { command: 'check', account: accountOf(plan.line.msisdn), ...(plan.check_with_sum ? { sum: formatSum(plan.sum_minor) } : {}) };
  const answer = await sendOsmp(ctx, TILL_LABELS.check, fields, plan.method, `check ${plan.txn_id}`);
  if (!answer) return;
  ctx.log.till_checks.answered += 1;
  if (answer.result !== OSMP_RESULT.ok || answer.prv_txn !== null) {
    ctx.log.anomaly('check answer', `check ${plan.txn_id}: result ${answer.result}${answer.prv_txn === null ? '' : ` with prv_txn ${answer.prv_txn}`}, expected 0 and none`);
  }
}

/**
 * One till: requests until `until_ms`. txn_ids are the till's own numbers, digits as OSMP tills
 * write them, unique in the run (a check's is only for the log).
 */
export async function runTill({ client, log, random, partner, lines, index, until_ms }) {
  const ctx = {
    client, log, partner, index,
    authorization: `Basic ${Buffer.from(`${partner.code}:${partner.password}`).toString('base64')}`,
  };
  for (let serial = 1; Date.now() < until_ms; serial += 1) {
    const plan = planRequest(random, partner, lines, `${index + 1}${String(serial).padStart(7, '0')}`);
    if (plan.command === 'check') await check(ctx, plan);
    else await pay(ctx, plan);
    await sleep(plan.pause_ms);
  }
}

/** Pays on the wire this moment, by what they buy. */
export function paysInFlight(client) {
  return { pack: client.fetching((label) => label === TILL_LABELS.pack), top_up: client.fetching((label) => label === TILL_LABELS.top_up) };
}

/** Before a kill aimed at a pack pay: waits (bounded) until one is on the wire; true when one is. */
export async function aimAtPackPay(client) {
  const deadline_ms = Date.now() + AIMED_WAIT_MS;
  while (paysInFlight(client).pack === 0 && Date.now() < deadline_ms) await sleep(AIMED_POLL_MS);
  return paysInFlight(client).pack > 0;
}
