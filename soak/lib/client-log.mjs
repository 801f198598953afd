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
  /** Bank transfers waiting for the statement: {reference, amount_minor} */
  bank_transfers = [];
  /** Requests whose outcome stayed unknown (no answer in the retry window), by kind. */
  unknown = { orders: 0, payments: 0, usage: 0, pages: 0 };
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
      unknown_outcomes: this.unknown,
      flows: this.flows,
      expected_refusals: this.refusals,
    };
  }
}
