// Network elements charging usage over POST /api/v1/usage-events, several at once and often on
// the same few lines (so charges contend for one line's lock), each event id sent again on purpose
// — at once, concurrently, or seconds later, across kills — and every answer compared with the first.
import { setTimeout as sleep } from 'node:timers/promises';
import { GaveUp } from './http.mjs';

const MB_BYTES = 1_048_576;
const HOT_LINE_COUNT = 3;
const HOT_LINE_SHARE = 0.6;
const SEND_AGAIN_SHARE = 0.15;
const SEND_TWICE_AT_ONCE_SHARE = 0.05;
const SEND_AGAIN_AFTER_MS_MAX = 15_000;
const PAUSE_MS_MIN = 20;
const PAUSE_MS_MAX = 150;
/** The fields of an answer that must be the same every time one event id is sent. */
const OUTCOME_FIELDS = ['line_id', 'kind', 'quantity', 'granted', 'denied', 'from_bundles', 'from_wallet', 'wallet_charge_minor', 'denial_reason'];

function planEvent(random, lines, event_id) {
  const line = random.chance(HOT_LINE_SHARE) ? lines[random.between(0, HOT_LINE_COUNT - 1)] : random.pick(lines);
  const kind = random.weighted({ data: 7, voice: 2, sms: 1 });
  const quantity = kind === 'data' ? random.between(1, 30 * MB_BYTES) : kind === 'voice' ? random.between(1, 600) : random.between(1, 3);
  const ref = random.chance(0.5) ? { msisdn: line.msisdn } : { line_id: line.id };
  return {
    body: { event_id, ...ref, kind, quantity, at: new Date().toISOString() },
    again_after_ms: random.chance(SEND_AGAIN_SHARE) ? random.between(0, SEND_AGAIN_AFTER_MS_MAX) : null,
    twice_at_once: random.chance(SEND_TWICE_AT_ONCE_SHARE),
    pause_ms: random.between(PAUSE_MS_MIN, PAUSE_MS_MAX),
  };
}

/** Sends one event and records the answer; a later answer for the same id must match the first. */
async function sendEvent(client, log, token, body) {
  const answer = await client.send('POST /api/v1/usage-events', 'POST', '/api/v1/usage-events', { json: body, headers: { authorization: `Bearer ${token}` } });
  if (answer.status !== 201 && answer.status !== 200) {
    log.anomaly('unexpected answer', `usage ${body.event_id}: HTTP ${answer.status} ${answer.body?.code ?? ''}`);
    return;
  }
  const entry = log.usage.get(body.event_id) ?? { event_id: body.event_id, body, first: answer.body, fresh_charges: 0, sends: 0 };
  log.usage.set(body.event_id, entry);
  entry.sends += 1;
  if (!answer.body.replayed) entry.fresh_charges += 1;
  if (answer.status !== (answer.body.replayed ? 200 : 201)) log.anomaly('usage answer', `${body.event_id}: HTTP ${answer.status} with replayed=${answer.body.replayed}`);
  const differs = OUTCOME_FIELDS.filter((field) => entry.first[field] !== answer.body[field]);
  if (differs.length > 0) log.anomaly('usage replay differs', `${body.event_id}: ${differs.map((field) => `${field} ${entry.first[field]} then ${answer.body[field]}`).join(', ')}`);
}

async function sendCounted(client, log, token, body) {
  try {
    await sendEvent(client, log, token, body);
  } catch (error) {
    if (!(error instanceof GaveUp)) throw error;
    log.unknown.usage += 1;
    log.anomaly('no answer', `usage ${body.event_id}: ${error.message}`);
  }
}

/** One network element: events until `until_ms`; sends to repeat later go on `later` ({at_ms, body}). */
export async function runUsageSender({ client, log, random, lines, seed, index, token, until_ms, later }) {
  for (let serial = 0; Date.now() < until_ms; serial += 1) {
    const plan = planEvent(random, lines, `soak-${seed}-u${index}-${serial}`);
    if (plan.twice_at_once) await Promise.all([sendCounted(client, log, token, plan.body), sendCounted(client, log, token, plan.body)]);
    else await sendCounted(client, log, token, plan.body);
    if (plan.again_after_ms !== null) later.push({ at_ms: Date.now() + plan.again_after_ms, body: plan.body });
    await sleep(plan.pause_ms);
  }
}

const RESEND_POLL_MS = 100;

/**
 * Sends the put-off events when their time comes, while the load runs; once `loadDone()`, sends
 * whatever is left at once (some of them after the last kill).
 */
export async function runResender({ client, log, token, later, loadDone }) {
  while (!loadDone() || later.length > 0) {
    const due = later.findIndex((item) => loadDone() || item.at_ms <= Date.now());
    if (due < 0) {
      await sleep(RESEND_POLL_MS);
      continue;
    }
    const [item] = later.splice(due, 1);
    await sendCounted(client, log, token, item.body);
  }
}
