// What the database shows the chaos did, for the report (not a verdict): how many webhooks were
// duplicated, held back or received out of order, how often the injected provider faults hit, how
// far the agent pays a kill cut had got, and how long the outbox's jobs waited (a slow provider or
// register can hold up every other job).
import { readFileSync } from 'node:fs';
import { fromDist } from '../../bench/lib/dist.mjs';

const { SANDBOX_WEBHOOK_JOB } = await fromDist('adapters/payments/sandbox/sandbox-provider.js');

/** Pairs (earlier, later) in `sequence` order that arrived the other way round. */
function inversions(sequences) {
  let count = 0;
  for (let i = 0; i < sequences.length; i += 1) {
    for (let j = i + 1; j < sequences.length; j += 1) if (sequences[i] > sequences[j]) count += 1;
  }
  return count;
}

function webhookFigures(data, delay_ms) {
  const deliveries = data.jobs
    .filter((job) => job.kind === SANDBOX_WEBHOOK_JOB)
    .map((job) => ({ job, event: JSON.parse(JSON.parse(job.payload).body) }));
  const events = new Map(deliveries.map(({ event }) => [event.id, event]));
  const received_at = new Map(data.webhook_events.filter((row) => row.provider === 'sandbox').map((row) => [row.event_id, row.received_at_ms]));
  const by_payment = new Map();
  for (const event of events.values()) {
    if (!received_at.has(event.id)) continue;
    by_payment.set(event.data.payment_id, [...(by_payment.get(event.data.payment_id) ?? []), event]);
  }
  const out_of_order = [...by_payment.values()].filter((list) =>
    inversions(list.sort((a, b) => received_at.get(a.id) - received_at.get(b.id)).map((event) => event.sequence)) > 0);
  return {
    queued: deliveries.length,
    distinct_events: events.size,
    duplicated: deliveries.length - events.size,
    held_back: deliveries.filter(({ job }) => job.run_after_ms - job.created_at_ms >= delay_ms).length,
    payments_with_events_out_of_order: out_of_order.length,
    delivery_attempts: deliveries.reduce((sum, { job }) => sum + job.attempts, 0),
    processed: Object.fromEntries([
      ...data.webhook_events.reduce((counts, row) => counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1), new Map()),
    ]),
  };
}

/** Injected provider faults the server met: failed job attempts in its log, and payment starts answered without a next action. */
function faultFigures(log_file, log) {
  const text = readFileSync(log_file, 'utf8');
  return {
    job_attempts_failed_by_injected_faults: (text.match(/injected fault/g) ?? []).length,
    payment_starts_left_pending_by_the_provider: log.pending_starts,
  };
}

/**
 * Per job kind, how long a job done at its first attempt waited from due to done: a slow kind (a
 * register holding its answers) must not slow the others. Slowest kinds first.
 */
function outboxWaitFigures(data) {
  const waits = new Map();
  for (const job of data.jobs.filter((row) => row.status === 'done' && row.attempts === 1)) {
    waits.set(job.kind, [...(waits.get(job.kind) ?? []), Math.max(Number(job.updated_at_ms) - Number(job.run_after_ms), 0)]);
  }
  return [...waits].map(([kind, list]) => ({
    kind, jobs: list.length, mean_ms: Math.round(list.reduce((sum, wait_ms) => sum + wait_ms, 0) / list.length), max_ms: Math.max(...list),
  })).sort((a, b) => b.mean_ms - a.mean_ms);
}

/**
 * The OSMP pays a kill cut in flight, as the database shows them: whether the cut request had
 * already written its row — its repeat then answered from it, or finished it (completed after the
 * cut: a pack pay resumed) — or left nothing, so the repeat paid afresh.
 */
function cutPayFigures(data, log) {
  const rows = new Map(data.partner_payments.map((row) => [row.txn_id, row]));
  const cut = [...log.pays.values()].filter((pay) => pay.cut_at_ms !== null).map((pay) => ({ pay, row: rows.get(pay.txn_id) }));
  const written = cut.filter(({ pay, row }) => row && Number(row.created_at_ms) < pay.cut_at_ms);
  return {
    cut: cut.length,
    row_written_before: written.length,
    finished_after: written.filter(({ pay, row }) => row.completed_at_ms === null || Number(row.completed_at_ms) >= pay.cut_at_ms).length,
    nothing_written_before: cut.length - written.length,
  };
}

export function observedFigures(data, { log, log_file, webhook_delay_ms }) {
  return {
    webhooks: webhookFigures(data, webhook_delay_ms), provider_faults: faultFigures(log_file, log), outbox_waits: outboxWaitFigures(data),
    cut_pays: cutPayFigures(data, log),
  };
}
