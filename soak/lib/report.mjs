// The soak's report: a readable summary per database (figures, then each check PASS or FAIL with
// its counts and first problems), and the same as JSON in soak/results/latest.json.
import { writeFileSync } from 'node:fs';
import { describeMachine } from '../../bench/lib/machine.mjs';

const seconds = (ms) => (ms / 1000).toFixed(1);
const sum = (values) => values.reduce((total, value) => total + value, 0);

function httpLine(http) {
  const rows = Object.values(http);
  const answered = sum(rows.map((row) => sum(Object.values(row.answered))));
  return `${answered} HTTP answers; absorbed by retrying: ${sum(rows.map((row) => row.network_errors))} connection errors, `
    + `${sum(rows.map((row) => row.server_errors))} 5xx; ${sum(rows.map((row) => row.gave_up))} requests left unanswered`;
}

function fiscalLine(fiscal) {
  const aimed = fiscal.kills.filter((kill) => kill.aimed);
  return `  fiscal register (ATOL fake; a repeat answered ${fiscal.duplicate_answer}): ${fiscal.documents_made} documents from ${fiscal.register_calls} register calls `
    + `(${fiscal.register_calls_again} sent again), ${fiscal.report_calls} report calls, ${fiscal.token_calls} tokens; answers held back ${fiscal.answers_held_back}, `
    + `failed ${fiscal.answers_failed} (500/503), dropped ${fiscal.answers_dropped}; cut by a kill: ${fiscal.register_calls_cut} register calls `
    + `(${fiscal.documents_cut} documents) and ${fiscal.report_calls_cut} report calls, then ${fiscal.resends_after_cut} resends after the kill; `
    + `${fiscal.kills_with_register_in_flight} of ${fiscal.kills.length} kills hit a register call in flight (${fiscal.kills_with_fiscal_call_in_flight} any fiscal call; `
    + `${aimed.filter((kill) => kill.aimed_hit).length} of ${aimed.length} aimed kills found one)`;
}

function tillLine(agent, cut) {
  const aimed = agent.kills.filter((kill) => kill.aimed);
  return `  tills: ${agent.pays} OSMP pays (${agent.top_ups} top-ups, ${agent.pack_pays} at a pack's price), ${agent.answered_ok} answered 0; `
    + `${agent.answers} answers (${agent.temporary_answers} "temporary, repeat"); sent again on purpose: ${agent.repeated_in_turn} in turn, ${agent.repeated_at_once} twice at once, `
    + `${agent.conflicting_repeats} with another number or sum; ${agent.checks} checks; ${agent.cut_in_flight} pays cut in flight by a kill and repeated `
    + `(${cut.row_written_before} with their row written before the kill, ${cut.finished_after} of them finished after it; ${cut.nothing_written_before} had written nothing), `
    + `${agent.sent_while_down} met the server down; ${agent.kills_with_pay_in_flight} of ${agent.kills.length} kills hit a pay in flight `
    + `(${agent.kills_with_pack_pay_in_flight} a pack pay; ${aimed.filter((kill) => kill.aimed_hit).length} of ${aimed.length} kills aimed at a pack pay found one)`;
}

export function renderRun(run) {
  const { requests, server, chaos, drain, webhooks, provider_faults, fiscal, outbox_waits } = run.figures;
  const lines = [
    `  requests: ${requests.orders_accepted} orders, ${requests.payments_accepted} payment attempts, ${requests.page_submissions_accepted} sandbox page submissions, `
      + `${requests.staff_refunds_accepted} staff refunds, ${requests.usage_events_accepted} usage events (${requests.usage_sends} answers, ${requests.usage_events_sent_again} ids sent more than once), ${requests.ussd_answered} USSD reads`,
    `  flows: ${Object.entries(requests.flows).map(([flow, count]) => `${flow} ${count}`).join(', ')}`,
    tillLine(requests.agent, run.figures.cut_pays),
    `  ${httpLine(run.figures.http)}`,
    `  server: ${server.kills} SIGKILLs, ${server.starts} starts (${server.failed_starts} failed while the database was away), ${server.unplanned_exits.length} exits on its own, `
      + `restart to healthy median ${server.start_ms_median} ms / max ${server.start_ms_max} ms; stopped with ${server.stopped_with}`,
    `  chaos: ${chaos.map((event) => `${(event.at_ms / 1000).toFixed(1)} s ${event.kind} (${event.detail})`).join('; ')}`,
    `  webhooks: ${webhooks.distinct_events} events in ${webhooks.queued} deliveries (${webhooks.duplicated} duplicates, ${webhooks.held_back} held back), `
      + `${webhooks.payments_with_events_out_of_order} payments got their events out of order; processed: ${Object.entries(webhooks.processed).map(([outcome, count]) => `${count} ${outcome}`).join(', ')}`,
    `  provider faults met: ${provider_faults.payment_starts_left_pending_by_the_provider} payment starts left pending (asked again with the same key), `
      + `${provider_faults.job_attempts_failed_by_injected_faults} outbox job attempts failed and retried`,
    fiscalLine(fiscal),
    `  outbox, due to done at the first attempt (mean / max): ${outbox_waits.map((row) => `${row.kind} ${seconds(row.mean_ms)} / ${seconds(row.max_ms)} s`).join(', ')}`,
    `  drain: ${drain.drained ? 'outbox empty, no fiscal document pending' : `TIMED OUT (left: ${drain.left.map((row) => `${row.count} ${row.kind} ${row.status}`).join(', ')})`} `
      + `after ${(drain.waited_ms / 1000).toFixed(1)} s`,
    '',
  ];
  for (const check of run.checks) {
    lines.push(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.summary}`);
    for (const problem of check.problems) lines.push(`          - ${problem}`);
    if (check.problem_count > check.problems.length) lines.push(`          … and ${check.problem_count - check.problems.length} more`);
  }
  return lines.join('\n');
}

export function writeReport(file, { options, runs, started_at, errors }) {
  const report = {
    seed: options.seed,
    options: { ...options, database_url: options.database_url ? 'set' : null },
    started_at,
    finished_at: new Date().toISOString(),
    machine: describeMachine(),
    pass: errors.length === 0 && runs.every((run) => run.pass),
    errors,
    runs,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
