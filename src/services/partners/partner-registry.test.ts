import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AppContext } from '../../app/context.js';
import { isRoamError, type ErrorCode } from '../../core/errors.js';
import type { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { DEMO_START_MS, seededContext } from '../../testing/seeded-context.js';
import { DEMO_PARTNER } from '../demo/seed.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { accountBalance, postEntry } from '../ledger/ledger.js';
import { inTransaction } from '../../db/transaction.js';
import type { Partner } from './partner-directory.js';
import type { RegistryDifference, TheirRegistryRow } from './partner-registry.js';

/**
 * The partner's daily registry and its reconciliation, on both engines, over payments made through
 * the real check/pay: packs and top-ups either side of a Moscow midnight, a repeated txn_id and two
 * refusals. The registry lists each paid payment once, on the day its money moved, and its total
 * is the settlement account's movement to the kopeck.
 */

const CODE = DEMO_PARTNER.code;
const HOUR_MS = 3_600_000;
/** 2025-11-27 00:00 in Moscow (UTC+3, no DST): the midnight the payments straddle. */
const MOSCOW_MIDNIGHT_MS = Date.UTC(2025, 10, 26, 21, 0);

async function refusal(work: Promise<unknown>, code: ErrorCode, params: Record<string, unknown> = {}): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    if (!isRoamError(error) || error.code !== code) return false;
    for (const [key, value] of Object.entries(params)) assert.equal((error.params as Record<string, unknown>)[key], value, key);
    return true;
  });
}

describeEachDatabase('partner registry and reconciliation', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let partner: Partner;

  const pay = async (txn_id: string, account: string, sum: string) => {
    const txn_date = new Date(clock.now_ms() + 3 * HOUR_MS).toISOString().replace(/\D/g, '').slice(0, 14);
    return context.partners.pay(partner, 'osmp', { account, sum, txn_id, txn_date });
  };

  before(async () => {
    ({ context, clock } = await seededContext(t.database));
    partner = await context.partners.getPartner(CODE);
    assert.equal(partner.time_zone, 'Europe/Moscow');
    // 26 November, 12:00 Moscow.
    assert.equal(clock.now_ms(), DEMO_START_MS);
    const pack = await pay('1001', '9001234567', '190.00');
    assert.deepEqual([pack.outcome, pack.reason], ['ok', 'paid_pack']);
    clock.advance(60_000);
    const top_up = await pay('1002', '9001234568', '150.00');
    assert.deepEqual([top_up.outcome, top_up.reason], ['ok', 'paid_top_up']);
    const repeat = await pay('1002', '9001234568', '150.00');
    assert.equal(repeat.replayed, true);
    assert.equal(repeat.prv_txn, top_up.prv_txn);
    const unknown = await pay('1003', '9009999999', '150.00');
    assert.equal(unknown.reason, 'account_not_found');
    const small = await pay('1004', '9001234568', '50.00');
    assert.equal(small.reason, 'sum_too_small');
    const unlisted_by_them = await pay('1005', '79001234567', '120.00');
    assert.equal(unlisted_by_them.reason, 'paid_top_up');
    // The last millisecond of 26 November in Moscow, and the first of the 27th.
    clock.set(MOSCOW_MIDNIGHT_MS - 1);
    assert.equal((await pay('1006', '9001234568', '100.45')).reason, 'paid_top_up');
    clock.set(MOSCOW_MIDNIGHT_MS);
    assert.equal((await pay('1007', '9001234568', '200.00')).reason, 'paid_top_up');
    clock.advance(HOUR_MS);
    assert.equal((await pay('1008', '+79001234569', '390.00')).reason, 'paid_pack');
  });

  it('lists the day\'s paid payments once, in the order their money moved, and adds up to the settlement account', async () => {
    const registry = await context.partners.registry(CODE, '2025-11-26');
    assert.deepEqual(registry.rows.map((row) => row.txn_id), ['1001', '1002', '1005', '1006']);
    assert.deepEqual(registry.rows.map((row) => row.purchase), ['pack', 'top_up', 'top_up', 'top_up']);
    assert.equal(registry.count, 4);
    assert.equal(registry.sum_minor, 19_000 + 15_000 + 12_000 + 10_045);
    assert.equal(registry.ledger_movement_minor, registry.sum_minor);
    assert.equal(registry.matches_ledger, true);
    assert.deepEqual([registry.unexplained_entries, registry.unexplained_payments], [[], []]);
    assert.equal(registry.start_ms, Date.UTC(2025, 10, 25, 21, 0));
    assert.equal(registry.end_ms, MOSCOW_MIDNIGHT_MS);
    assert.equal(registry.day_over, true);
    const first = registry.rows[0];
    assert.equal(first?.account, '7900***4567', 'masked, without the "+" a spreadsheet reads as a formula');
    assert.equal(first?.txn_date, '20251126120000');
    assert.match(first?.prv_txn ?? '', /\S/);
    const stored = await t.database.db.selectFrom('partner_payments').select(['id', 'state']).where('txn_id', '=', '1001').executeTakeFirstOrThrow();
    assert.deepEqual([stored.id, stored.state], [first?.prv_txn, 'paid']);
  });

  it('puts a payment at 23:59:59.999 on its day and one at 00:00 on the next', async () => {
    const next = await context.partners.registry(CODE, '2025-11-27');
    assert.deepEqual(next.rows.map((row) => row.txn_id), ['1007', '1008']);
    assert.equal(next.sum_minor, 20_000 + 39_000);
    assert.equal(next.matches_ledger, true);
    assert.equal(next.day_over, false, 'the clock is still in it');
    assert.deepEqual((await context.partners.registry(CODE, '2025-11-25')).rows, []);
  });

  it('is, over all days, every kopeck the settlement account gave out', async () => {
    const days = await Promise.all(['2025-11-26', '2025-11-27'].map((date) => context.partners.registry(CODE, date)));
    const registered_minor = days.reduce((total, day) => total + day.sum_minor, 0);
    assert.equal(await accountBalance(t.database.db, partner.settlement_account_id), -registered_minor);
    const rows = await t.database.db.selectFrom('partner_payments').select(['state']).where('partner_id', '=', partner.id).execute();
    assert.deepEqual(
      rows.map((row) => row.state).sort(),
      ['paid', 'paid', 'paid', 'paid', 'paid', 'paid', 'rejected', 'rejected'],
      'six paid, the repeat not a row of its own, two refusals kept',
    );
  });

  it('puts a payment on the day its money moved, even when its row was marked paid after midnight', async () => {
    // A pay whose money moved at 23:59:59.999 and whose row was marked paid only at the agent's repeat, an hour later.
    clock.set(Date.UTC(2025, 10, 28, 21, 0) - 1);
    const late = await pay('1009', '9001234568', '110.00');
    assert.equal(late.reason, 'paid_top_up');
    await t.database.db.updateTable('partner_payments').set({ completed_at_ms: Date.UTC(2025, 10, 28, 22, 0) }).where('txn_id', '=', '1009').execute();
    const day = await context.partners.registry(CODE, '2025-11-28');
    assert.deepEqual(day.rows.map((row) => [row.txn_id, row.paid_at_ms]), [['1009', Date.UTC(2025, 10, 28, 21, 0) - 1]]);
    assert.equal(day.matches_ledger, true);
    const next = await context.partners.registry(CODE, '2025-11-29');
    assert.deepEqual([next.count, next.matches_ledger], [0, true]);
  });

  it('shows the full number to a partner whose registry is not masked', async () => {
    await t.database.db.updateTable('partners').set({ registry_accounts: 'full' }).where('id', '=', partner.id).execute();
    try {
      const registry = await context.partners.registry(CODE, '2025-11-26');
      assert.equal(registry.rows[0]?.account, '79001234567');
    } finally {
      await t.database.db.updateTable('partners').set({ registry_accounts: 'masked' }).where('id', '=', partner.id).execute();
    }
  });

  it('does not match the ledger when money left the settlement account with no payment behind it, and names the entry', async () => {
    const stray_ms = Date.UTC(2025, 10, 24, 9, 0);
    const entry_id = await inTransaction(t.database, (trx) => postEntry(trx, {
      kind: 'refund', line_id: null, memo: 'stray', postings: [
        { account_id: partner.settlement_account_id, amount_minor: -777 },
        { account_id: SYSTEM_ACCOUNTS.revenue_packages.id, amount_minor: 777 },
      ],
    }, stray_ms));
    const registry = await context.partners.registry(CODE, '2025-11-24');
    assert.equal(registry.count, 0);
    assert.equal(registry.ledger_movement_minor, 777);
    assert.equal(registry.matches_ledger, false);
    assert.deepEqual(registry.unexplained_entries.map((entry) => [entry.entry_id, entry.movement_minor, entry.memo]), [[entry_id, 777, 'stray']]);
  });

  it('reconciles the agent\'s registry: missing on either side, other sums and numbers, another day, refusals, repeats', async () => {
    const rows: TheirRegistryRow[] = [
      { line_number: 2, txn_id: '1001', sum: '190.00', account: '7900***4567', txn_date: '2025-11-26 12:00:00' },
      { line_number: 3, txn_id: '1002', sum: '150,00', account: '+7 (900) 123-45-60' },
      { line_number: 4, txn_id: '1006', sum: '100.40' },
      { line_number: 5, txn_id: '9999', sum: '300' },
      { line_number: 6, txn_id: '1007', sum: '200.00' },
      { line_number: 7, txn_id: '1003', sum: '150.00' },
      { line_number: 8, txn_id: '1001', sum: '190.00' },
    ];
    const result = await context.partners.reconcile(CODE, '2025-11-26', rows);
    assert.equal(result.rows_theirs, 7);
    const prv = (txn_id: string) => result.registry.rows.find((row) => row.txn_id === txn_id)?.prv_txn ?? null;
    const other = await t.database.db.selectFrom('partner_payments').select(['txn_id', 'id']).where('txn_id', 'in', ['1003', '1007']).execute();
    const id_of = (txn_id: string) => other.find((row) => row.txn_id === txn_id)?.id ?? null;
    const expected: RegistryDifference[] = [
      { kind: 'account_differs', txn_id: '1002', line_number: 3, prv_txn: prv('1002'), ours: '7900***4568', theirs: '+7 (900) 123-45-60' },
      { kind: 'sum_differs', txn_id: '1006', line_number: 4, prv_txn: prv('1006'), ours_minor: 10_045, theirs_minor: 10_040 },
      { kind: 'missing_ours', txn_id: '9999', line_number: 5, prv_txn: null, theirs_minor: 30_000 },
      { kind: 'other_day', txn_id: '1007', line_number: 6, prv_txn: id_of('1007'), our_date: '2025-11-27', ours_minor: 20_000, theirs_minor: 20_000 },
      { kind: 'not_paid', txn_id: '1003', line_number: 7, prv_txn: id_of('1003'), state: 'rejected', reason: 'account_not_found', theirs_minor: 15_000 },
      { kind: 'duplicate_theirs', txn_id: '1001', line_number: 8, prv_txn: prv('1001'), first_line_number: 2 },
      { kind: 'missing_theirs', txn_id: '1005', line_number: null, prv_txn: prv('1005'), ours_minor: 12_000 },
    ];
    assert.deepEqual(result.differences, expected);
  });

  it('finds nothing to report when the agent\'s registry is ours', async () => {
    const registry = await context.partners.registry(CODE, '2025-11-27');
    const rows = registry.rows.map((row, index): TheirRegistryRow => ({
      line_number: index + 2, txn_id: row.txn_id, sum: (row.sum_minor / 100).toFixed(2), account: row.account,
      txn_date: row.txn_date ?? undefined,
    }));
    assert.deepEqual((await context.partners.reconcile(CODE, '2025-11-27', rows)).differences, []);
  });

  it('refuses a bad row naming its line, a date that is not one, and an unknown partner', async () => {
    await refusal(context.partners.reconcile(CODE, '2025-11-26', [
      { line_number: 2, txn_id: '1001', sum: '190.00' }, { line_number: 3, txn_id: '1002', sum: '15O.00' },
    ]), 'ROAM_ERR_VALIDATION', { field: 'sum', reason: 'format', line: 3, value: '15O.00' });
    await refusal(context.partners.reconcile(CODE, '2025-11-26', [{ line_number: 2, txn_id: '', sum: '1.00' }]), 'ROAM_ERR_VALIDATION', { field: 'txn_id', line: 2 });
    await refusal(context.partners.reconcile(CODE, '2025-11-26', [{ line_number: 4, txn_id: 'a b', sum: '1.00' }]), 'ROAM_ERR_VALIDATION', { field: 'txn_id', reason: 'format', line: 4 });
    await refusal(context.partners.registry(CODE, '2025-11-31'), 'ROAM_ERR_VALIDATION', { field: 'date', reason: 'not_a_date' });
    await refusal(context.partners.registry(CODE, '26.11.2025'), 'ROAM_ERR_VALIDATION', { field: 'date' });
    await refusal(context.partners.registry('no-such-store', '2025-11-26'), 'ROAM_ERR_PARTNER_NOT_FOUND');
  });
});
