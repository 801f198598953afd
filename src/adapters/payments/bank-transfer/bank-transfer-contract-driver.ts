import assert from 'node:assert/strict';
import type { Database } from '../../../db/database.js';
import { ManualClock } from '../../../ports/clock.js';
import type { ProviderDriver } from '../kit/provider-contract.js';
import { webhookRejection } from '../kit/provider-testing.js';
import { BankTransferProvider } from './bank-transfer-provider.js';

const START_MS = Date.UTC(2026, 10, 25, 9, 0);

/**
 * The in-house bank transfer on a test database (`database` is read at start). It has no outside
 * party and no webhooks: a transfer is paid when a bank statement line with its reference and the
 * exact amount is imported, which is what `pay` does.
 */
export function bankTransferDriver(database: () => Database): ProviderDriver {
  let provider: BankTransferProvider | undefined;
  const started = (): BankTransferProvider => provider ?? assert.fail('the bank transfer provider is not started');

  return {
    label: 'bank transfer (in-house)',
    method: 'bank_transfer',
    next_action: 'bank_transfer',
    async start() {
      provider = new BankTransferProvider({ database: database(), clock: new ManualClock(START_MS) });
      return provider;
    },
    stop: async () => undefined,
    async paymentCount() {
      const { count } = await database().db.selectFrom('bank_transfers').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return Number(count);
    },
    async pay(id) {
      const invoice = await started().getPaymentStatus(id);
      assert.ok(invoice.next_action?.type === 'bank_transfer');
      assert.equal((await started().recordStatementLine(invoice.next_action.reference, invoice.amount_minor)).outcome, 'settled');
      return [];
    },
    decline: { does_not_apply: 'nobody declines a bank transfer: the money arrives with the invoice\'s reference, or the invoice is canceled when its order closes (the cancel case)' },
    time_out: { does_not_apply: 'there is no network between us and this provider: it keeps its books in our own database, where a call commits or throws, so no outcome is ever half-known' },
    webhooks: {
      does_not_apply: 'no outside party calls us about a bank transfer: it is settled by importing a bank statement',
      instead: {
        what: 'every delivery is refused as from an unknown source',
        check: async (subject) => {
          await webhookRejection(subject.parseWebhook({ headers: {}, raw_body: Buffer.from('{"reference":"RC-AAAAAAAAAA","status":"paid"}'), remote_address: '127.0.0.1' }), 'unknown_source');
        },
      },
    },
    refund: { refused_because: 'money that came by bank transfer goes back by a payment order a person makes at the seller\'s bank (the refund job goes dead, for staff to see)' },
    cancel: { cancels: true },
  };
}
