// What the soak's clients were told: every request the server accepted (2xx), by id, so the
// checks can find each one in the database afterwards; and every answer that contradicts an
// earlier one (an idempotent replay with another result, an unexpected refusal).

export class ClientLog {
  /** order id → {id, key, flow, msisdn, package_code, amount_minor, replays} */
  orders = new Map();
  /** payment id → {id, order_id, method, key, flow, next_action} */
  payments = new Map();
  /** Sandbox page submissions the sandbox accepted: {payment_id, action, expected_status (null: no expectation)} */
  submissions = [];
  /** event id → {event_id, body, first (the first 2xx outcome), fresh_charges (answers with replayed=false), sends} */
  usage = new Map();
  /** Staff refunds of unused packs the server accepted: order id → {order_id, flow, refunds (as answered)} */
  staff_refunds = new Map();
  /**
   * Agent pays over OSMP, by txn_id: {txn_id, till, method, msisdn, line_id, sum_minor, purchase (pack|top_up),
   * package_code, repeat (none|in_turn|at_once|conflict), answers [{result, prv_txn, sum}] (every answer to the
   * unchanged request, temporary ones included), conflicts [{result, prv_txn, changed}] (the same txn_id with
   * another number or sum), sends_cut (sends lost after they may have reached the server), cut_at_ms (when the
   * first was lost), sends_refused}
   */
  pays = new Map();
  till_checks = { answered: 0 };
  /** Kills with what the tills had on the wire: {aimed, aimed_hit, pack, top_up}. */
  pay_kills = [];
  /** Bank transfers waiting for the statement: {reference, amount_minor} */
  bank_transfers = [];
  /** Requests whose outcome stayed unknown (no answer in the retry window), by kind. */
  unknown = { orders: 0, payments: 0, usage: 0, pages: 0, pays: 0 };
  /** Payment starts answered "pending, no next action": the provider call failed (injected timeout or 500). */
  pending_starts = 0;
  flows = {};
  refusals = {};
  ussd = { answered: 0, unreadable: 0 };
  anomalies = [];

  countFlow(name) {
    this.flows[name] = (this.flows[name] ?? 0) + 1;
  }

  /** An expected 4xx (paying a closed order, a decline): counted by code, not an anomaly. */
  countRefusal(label, status, code) {
    const key = `${label} ${status} ${code ?? ''}`.trim();
    this.refusals[key] = (this.refusals[key] ?? 0) + 1;
  }

  anomaly(kind, detail) {
    this.anomalies.push({ kind, detail });
  }

  #agentFigures() {
    const pays = [...this.pays.values()];
    const count = (test) => pays.filter(test).length;
    return {
      pays: pays.length,
      top_ups: count((pay) => pay.purchase === 'top_up'),
      pack_pays: count((pay) => pay.purchase === 'pack'),
      answered_ok: count((pay) => pay.answers.some((answer) => answer.result === 0)),
      answers: pays.reduce((sum, pay) => sum + pay.answers.length, 0),
      temporary_answers: pays.reduce((sum, pay) => sum + pay.answers.filter((answer) => answer.result === 1).length, 0),
      repeated_in_turn: count((pay) => pay.repeat === 'in_turn'),
      repeated_at_once: count((pay) => pay.repeat === 'at_once'),
      conflicting_repeats: pays.reduce((sum, pay) => sum + pay.conflicts.length, 0),
      cut_in_flight: count((pay) => pay.sends_cut > 0),
      sent_while_down: count((pay) => pay.sends_refused > 0),
      checks: this.till_checks.answered,
      kills_with_pay_in_flight: this.pay_kills.filter((kill) => kill.pack + kill.top_up > 0).length,
      kills_with_pack_pay_in_flight: this.pay_kills.filter((kill) => kill.pack > 0).length,
      kills: this.pay_kills,
    };
  }

  figures() {
    const usage = [...this.usage.values()];
    return {
      orders_accepted: this.orders.size,
      payments_accepted: this.payments.size,
      page_submissions_accepted: this.submissions.length,
      staff_refunds_accepted: this.staff_refunds.size,
      usage_events_accepted: usage.length,
      usage_sends: usage.reduce((sum, event) => sum + event.sends, 0),
      usage_events_sent_again: usage.filter((event) => event.sends > 1).length,
      ussd_answered: this.ussd.answered,
      agent: this.#agentFigures(),
      unknown_outcomes: this.unknown,
      flows: this.flows,
      expected_refusals: this.refusals,
    };
  }
}
