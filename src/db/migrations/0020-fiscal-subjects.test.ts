import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { describeEachDatabase } from '../../testing/databases.js';
import { settleFiscal } from '../../testing/fiscal-documents.js';
import { seededContext } from '../../testing/seeded-context.js';
import { payFromWallet } from '../../testing/wallet-payers.js';
import { DEMO_PARTNER } from '../../services/demo/seed.js';
import { isUniqueViolation } from '../errors.js';
import { down, up } from './0020-fiscal-subjects.js';

/**
 * 0020 rebuilds fiscal_documents (SQLite keeps NOT NULL for good): the documents of receipts
 * survive it both ways, with every attribute; a top-up's document has no place in 0019's shape
 * and goes on the way down; the rebuilt table keeps its rules (one document per top-up, each
 * subject named by its own link only).
 */
describeEachDatabase('migration 0020: fiscal documents of three subjects', (t) => {
  it('keeps the receipts\' documents down and up again, drops only what 0019 cannot hold, and keeps its rules', async () => {
    const { context, clock } = await seededContext(t.database, { FISCAL_SANDBOX_DELAY_MS: '0' });
    const { order } = await context.renewal.createOrder({ line: { msisdn: '+79001234567' }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: 'm20-order' });
    await payFromWallet(context, order.id, 'm20-pay');
    const partner = await context.partners.getPartner(DEMO_PARTNER.code);
    assert.equal((await context.partners.pay(partner, 'osmp', { account: '9001234567', sum: '321.00', txn_id: '920001', txn_date: '20251126120000' })).reason, 'paid_top_up');
    await settleFiscal(context, clock, 0);
    const before = await t.database.db.selectFrom('fiscal_documents').selectAll().orderBy('id').execute();
    assert.deepEqual(before.map((document) => [document.subject, document.status]).sort(), [['receipt', 'registered'], ['top_up', 'registered']]);

    // As the migrator runs them: each in a transaction.
    await t.database.db.transaction().execute(async (trx) => down(trx as unknown as Kysely<unknown>));
    const in_0019 = await t.database.db.selectFrom('fiscal_documents').select('id').execute();
    assert.deepEqual(in_0019.map((row) => row.id), before.filter((document) => document.subject === 'receipt').map((document) => document.id));
    await t.database.db.transaction().execute(async (trx) => up(trx as unknown as Kysely<unknown>));
    const after = await t.database.db.selectFrom('fiscal_documents').selectAll().orderBy('id').execute();
    assert.deepEqual(after, before.filter((document) => document.subject === 'receipt'));

    // The rules came back with the table: a second document for one top-up's entry, and a top-up naming an order, are refused.
    const top_up = before.find((document) => document.subject === 'top_up')!;
    await t.database.db.insertInto('fiscal_documents').values(top_up).execute();
    await assert.rejects(t.database.db.insertInto('fiscal_documents').values({ ...top_up, id: 'fsc_twice' }).execute(), isUniqueViolation);
    await assert.rejects(t.database.db.insertInto('fiscal_documents').values({ ...top_up, id: 'fsc_linked', entry_id: null, order_id: order.id }).execute(),
      /check|constraint/i);
  });
});
