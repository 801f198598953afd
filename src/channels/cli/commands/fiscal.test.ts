import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DEMO_PARTNER } from '../../../services/demo/seed.js';
import { cashDrawerAccountId } from '../../../services/ledger/accounts.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { processSuite, runRoamcard } from '../../../testing/roamcard-process.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { drainUntilIdle } from '../../../testing/waiting.js';
import { payFromWallet } from '../../../testing/wallet-payers.js';
import { FISCAL_EXIT_CODES } from './fiscal.js';

/**
 * `roamcard fiscal pending|correct` as an operator runs it: the compiled binary on the suite's
 * database, whose documents were made through the real services beforehand (demo data of November
 * 2025: by the process's own clock they are long past the alert's 15 minutes).
 */

const LINE = '+79001234567';

describeEachDatabase('roamcard fiscal (CLI)', (test_db) => {
  const suite = processSuite(test_db, 'roamcard-fiscal-', () => ({ LOG_LEVEL: 'silent', ROAMCARD_LANG: '', LANG: 'C' }));
  let seeded: SeededContext;

  before(async () => {
    const migrated = await runRoamcard(['migrate'], suite.env());
    assert.equal(migrated.code, 0, migrated.stderr);
    seeded = await seededContext(suite.database(), { FISCAL_SANDBOX_DELAY_MS: '5000' });
    const line = await suite.database().db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
    await seeded.context.services.creditWallet({
      line: { line_id: line.id }, amount_minor: 100_000, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'fiscal-cli-topup', memo: 'test',
    });
  });

  after(async () => {
    await seeded?.context.close();
  });

  async function paidSale(key: string): Promise<{ receipt: string; document_id: string }> {
    const { order } = await seeded.context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: key });
    await payFromWallet(seeded.context, order.id, `${key}-pay`);
    await drainUntilIdle(seeded.context.createWorker());
    const document = (await seeded.context.fiscal.saleOfOrder(order.id))!;
    return { receipt: document.receipt_number!, document_id: document.id };
  }

  it('pending: nothing to look at, exit 0; then the documents not registered, exit 3, in the chosen language', async () => {
    const none = await runRoamcard(['fiscal', 'pending'], suite.env());
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /none pending over 15 min, none failed/);

    const waiting = await paidSale('fiscal-cli-1');
    // A payment agent's top-up: no receipt of ours, so the list names the top-up's entry.
    const partner = await seeded.context.partners.getPartner(DEMO_PARTNER.code);
    const top_up = await seeded.context.partners.pay(partner, 'osmp', { account: LINE.slice(2), sum: '321.00', txn_id: 'cli-1', txn_date: '20251126120000' });
    assert.equal(top_up.reason, 'paid_top_up');
    await drainUntilIdle(seeded.context.createWorker());
    const entry_id = (await suite.database().db.selectFrom('partner_payments').select('entry_id').where('id', '=', top_up.prv_txn!)
      .executeTakeFirstOrThrow()).entry_id!;
    const listed = await runRoamcard(['fiscal', 'pending'], suite.env());
    assert.equal(listed.code, FISCAL_EXIT_CODES.attention, listed.stderr);
    assert.match(listed.stdout, /^2 fiscal document\(s\) not registered \(pending over 15 min, or failed\):$/m);
    assert.match(listed.stdout, /^document +for +operation +status +queued +waiting +calls +register's error$/m);
    assert.match(listed.stdout, new RegExp(`^${waiting.document_id} +${waiting.receipt} +sale +pending +2025-11-26 09:00 UTC +\\d+ min +1$`, 'm'));
    assert.match(listed.stdout, new RegExp(`^fsc_\\w+ +top-up ${entry_id} +sale +pending +2025-11-26 09:00 UTC +\\d+ min +1$`, 'm'));

    const russian = await runRoamcard(['fiscal', 'pending', '--lang', 'ru'], suite.env());
    assert.equal(russian.code, FISCAL_EXIT_CODES.attention);
    assert.match(russian.stdout, /Не зарегистрировано фискальных документов: 2/);
    assert.match(russian.stdout, /приход +ожидает/);
    assert.match(russian.stdout, new RegExp(`пополнение ${entry_id} +приход +ожидает`));

    // Longer than the documents have waited: none listed.
    const years = await runRoamcard(['fiscal', 'pending', '--older-than-minutes', '9999999'], suite.env());
    assert.equal(years.code, 0, years.stderr);
    const bad = await runRoamcard(['fiscal', 'pending', '--older-than-minutes', 'soon'], suite.env());
    assert.equal(bad.code, FISCAL_EXIT_CODES.bad_input);
    assert.match(bad.stderr, /--older-than-minutes/);
  });

  it('correct: queues a correction of a registered sale once per reason; refuses what cannot be corrected', async () => {
    const sale = await paidSale('fiscal-cli-2');
    const early = await runRoamcard(['fiscal', 'correct', sale.receipt, '--reason', 'VAT was wrong'], suite.env());
    assert.equal(early.code, FISCAL_EXIT_CODES.not_registered, early.stdout);
    assert.match(early.stderr, /is pending, not registered/);
    seeded.clock.advance(60_000);
    await drainUntilIdle(seeded.context.createWorker());

    const queued = await runRoamcard(['fiscal', 'correct', sale.receipt, '--reason', 'VAT was wrong'], suite.env());
    assert.equal(queued.code, 0, queued.stderr);
    const id = new RegExp(`^Correction (fsc_\\w+) of receipt ${sale.receipt} queued for the sandbox register`, 'm').exec(queued.stdout)?.[1];
    assert.ok(id, queued.stdout);
    const again = await runRoamcard(['fiscal', 'correct', sale.receipt, '--reason', 'VAT was wrong', '--lang', 'zh-Hans'], suite.env());
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.includes(`已有相同原因的更正：${id}`), again.stdout);
    const corrections = await suite.database().db.selectFrom('fiscal_documents').select(['id', 'status', 'corrects_id'])
      .where('operation', '=', 'sell_correction').execute();
    assert.deepEqual(corrections, [{ id, status: 'pending', corrects_id: sale.document_id }]);
    const job = await suite.database().db.selectFrom('jobs').select('status').where('dedupe_key', '=', `fiscal:${id}:0`).executeTakeFirstOrThrow();
    assert.equal(job.status, 'pending', 'the server\'s worker sends it');

    const unknown = await runRoamcard(['fiscal', 'correct', 'RC-2099-000001', '--reason', 'x'], suite.env());
    assert.equal(unknown.code, FISCAL_EXIT_CODES.not_found);
    const no_reason = await runRoamcard(['fiscal', 'correct', sale.receipt, '--reason', ' '], suite.env());
    assert.equal(no_reason.code, FISCAL_EXIT_CODES.bad_input);
  });
});
