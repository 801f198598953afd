import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction.js';
import {
  accountBalanceOf,
  ensureTestAccounts,
  errorOf,
  openTestLine,
  SANDBOX_CLEARING_ACCOUNT_ID,
  tableCounts,
  TEST_EPOCH_MS,
} from '../../testing/charging-fixtures.js';
import { describeEachDatabase } from '../../testing/databases.js';
import type { Line } from '../lines/lines.js';
import { SYSTEM_ACCOUNTS } from './accounts.js';
import { ledgerViolations } from './invariants.js';
import { entryProblem, postEntry, reverseEntry, type EntryInput, type PostingInput } from './ledger.js';

const NOW_MS = TEST_EPOCH_MS;
const REVENUE = SYSTEM_ACCOUNTS.revenue_usage.id;
const CLEARING = SANDBOX_CLEARING_ACCOUNT_ID;

describeEachDatabase('ledger', (t) => {
  const post = (input: EntryInput) => inTransaction(t.database, (trx) => postEntry(trx, input, NOW_MS));
  const reverse = (entry_id: string) => inTransaction(t.database, (trx) => reverseEntry(trx, entry_id, 'test correction', NOW_MS));
  const balance = (account_id: string) => accountBalanceOf(t.database, account_id);
  const topUp = (line: Line, amount_minor: number) =>
    post({ kind: 'top_up', line_id: line.id, memo: 'top-up', postings: [{ account_id: CLEARING, amount_minor: -amount_minor }, { account_id: line.wallet_account_id, amount_minor }] });
  const spend = (line: Line, amount_minor: number) =>
    post({ kind: 'usage_charge', line_id: line.id, memo: 'spend', postings: [{ account_id: line.wallet_account_id, amount_minor: -amount_minor }, { account_id: REVENUE, amount_minor }] });
  const postingsOf = (entry_id: string) =>
    t.database.db.selectFrom('postings').select(['account_id', 'amount_minor']).where('entry_id', '=', entry_id).orderBy('id').execute()
      .then((rows) => rows.map((row) => ({ account_id: row.account_id, amount_minor: Number(row.amount_minor) })));
  /** Balances of the given accounts and the row counts: equal snapshots mean nothing changed. */
  const snapshot = async (accounts: string[]) => ({
    counts: await tableCounts(t.database),
    balances: Object.fromEntries(await Promise.all(accounts.map(async (id) => [id, await balance(id)] as const))),
  });

  let line: Line;
  before(async () => {
    await ensureTestAccounts(t.database, NOW_MS);
    line = await openTestLine(t.database, NOW_MS);
  });

  it('entryProblem names the first bad posting', () => {
    const wallet = 'wallet:ln_x';
    assert.equal(entryProblem([{ account_id: CLEARING, amount_minor: -100 }, { account_id: wallet, amount_minor: 100 }]), null);
    assert.equal(entryProblem([{ account_id: wallet, amount_minor: 100 }]), 'an entry needs at least two postings');
    assert.equal(entryProblem([{ account_id: CLEARING, amount_minor: -100 }, { account_id: wallet, amount_minor: 90 }]), 'postings sum to -10, not 0');
    assert.match(entryProblem([{ account_id: CLEARING, amount_minor: -100 }, { account_id: wallet, amount_minor: 0 }, { account_id: REVENUE, amount_minor: 100 }]) ?? '', /^posting 1 \(wallet:ln_x\) has amount 0/);
    assert.match(entryProblem([{ account_id: CLEARING, amount_minor: 1.5 }, { account_id: wallet, amount_minor: -1.5 }]) ?? '', /^posting 0 \(clearing:sandbox\) has amount 1\.5/);
    const many: PostingInput[] = Array.from({ length: 17 }, (_, index) => ({ account_id: wallet, amount_minor: index === 16 ? -16 : 1 }));
    assert.match(entryProblem(many) ?? '', /at most 16 postings/);
  });

  it('refuses an entry that does not sum to zero as a programmer error naming the bad posting, and writes nothing', async () => {
    const before_ = await snapshot([CLEARING, line.wallet_account_id]);
    await assert.rejects(
      post({ kind: 'top_up', line_id: line.id, memo: 'bad', postings: [{ account_id: CLEARING, amount_minor: -100 }, { account_id: line.wallet_account_id, amount_minor: 90 }] }),
      (error: Error) => error.name === 'Error' && /journal entry top_up: postings sum to -10, not 0/.test(error.message),
    );
    await assert.rejects(
      post({ kind: 'top_up', line_id: line.id, memo: 'bad', postings: [{ account_id: CLEARING, amount_minor: -100 }, { account_id: line.wallet_account_id, amount_minor: 0 }, { account_id: line.wallet_account_id, amount_minor: 100 }] }),
      (error: Error) => error.name === 'Error' && error.message.includes(`posting 1 (${line.wallet_account_id}) has amount 0`),
    );
    assert.deepEqual(await snapshot([CLEARING, line.wallet_account_id]), before_);
  });

  it('records a balanced entry and moves both balances (the wallet cached, the clearing account summed)', async () => {
    const clearing_before = await balance(CLEARING);
    const wallet_before = await balance(line.wallet_account_id);
    const entry_id = await topUp(line, 10_000);
    assert.deepEqual(await postingsOf(entry_id), [
      { account_id: CLEARING, amount_minor: -10_000 },
      { account_id: line.wallet_account_id, amount_minor: 10_000 },
    ]);
    assert.equal(await balance(CLEARING), clearing_before - 10_000);
    assert.equal(await balance(line.wallet_account_id), wallet_before + 10_000);
    const entry = await t.database.db.selectFrom('journal_entries').selectAll().where('id', '=', entry_id).executeTakeFirstOrThrow();
    assert.equal(entry.kind, 'top_up');
    assert.equal(entry.line_id, line.id);
    assert.equal(entry.reverses_entry_id, null);
  });

  it('never takes a wallet below zero: ROAM_ERR_INSUFFICIENT_FUNDS, and nothing changed (not even accounts moved earlier in the entry)', async () => {
    const poor = await openTestLine(t.database, NOW_MS);
    await topUp(poor, 500);
    const before_ = await snapshot([CLEARING, REVENUE, poor.wallet_account_id]);
    // revenue:… sorts before wallet:…, so the revenue account is moved first and must be rolled back.
    const error = await errorOf(() => spend(poor, 501));
    assert.equal(error.code, 'ROAM_ERR_INSUFFICIENT_FUNDS');
    assert.deepEqual({ needed: error.params.needed_minor, available: error.params.available_minor }, { needed: 501, available: 500 });
    assert.deepEqual(await snapshot([CLEARING, REVENUE, poor.wallet_account_id]), before_);
    // Exactly the balance is fine: a wallet may reach zero.
    await spend(poor, 500);
    assert.equal(await balance(poor.wallet_account_id), 0);
    assert.equal((await errorOf(() => spend(poor, 1))).code, 'ROAM_ERR_INSUFFICIENT_FUNDS');
  });

  it('CHECK constraints back the rules: a wallet row cannot be set below zero, an uncached account cannot hold a cache', async () => {
    await assert.rejects(t.database.db.updateTable('ledger_accounts').set({ balance_minor: -1 }).where('id', '=', line.wallet_account_id).execute());
    await assert.rejects(t.database.db.updateTable('ledger_accounts').set({ balance_minor: 5 }).where('id', '=', CLEARING).execute());
    // Accounts that may go negative (clearing) do: their balance is the sum of their postings.
    assert.ok((await balance(CLEARING)) < 0);
  });

  it('refuses a posting to an account that does not exist, writing nothing', async () => {
    const before_ = await snapshot([CLEARING]);
    const error = await errorOf(() => post({ kind: 'top_up', line_id: null, memo: 'x', postings: [{ account_id: CLEARING, amount_minor: -5 }, { account_id: 'wallet:ln_nobody', amount_minor: 5 }] }));
    assert.equal(error.code, 'ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND');
    assert.deepEqual(await snapshot([CLEARING]), before_);
  });

  it('a reversal mirrors the entry: same accounts, opposite amounts, balances restored', async () => {
    const customer = await openTestLine(t.database, NOW_MS);
    await topUp(customer, 2_000);
    const clearing_before = await balance(CLEARING);
    const revenue_before = await balance(REVENUE);
    const charge_id = await spend(customer, 750);
    const reversal_id = await reverse(charge_id);
    assert.notEqual(reversal_id, charge_id);
    assert.deepEqual(
      await postingsOf(reversal_id),
      (await postingsOf(charge_id)).map((p) => ({ account_id: p.account_id, amount_minor: -p.amount_minor })),
    );
    const reversal = await t.database.db.selectFrom('journal_entries').selectAll().where('id', '=', reversal_id).executeTakeFirstOrThrow();
    assert.equal(reversal.kind, 'reversal');
    assert.equal(reversal.reverses_entry_id, charge_id);
    assert.equal(reversal.line_id, customer.id);
    assert.equal(await balance(customer.wallet_account_id), 2_000);
    assert.equal(await balance(REVENUE), revenue_before);
    assert.equal(await balance(CLEARING), clearing_before);
    // The original is untouched: corrections never edit an entry.
    assert.deepEqual(await postingsOf(charge_id), [
      { account_id: customer.wallet_account_id, amount_minor: -750 },
      { account_id: REVENUE, amount_minor: 750 },
    ]);
  });

  it('refuses a second reversal of the same entry, changing nothing', async () => {
    const customer = await openTestLine(t.database, NOW_MS);
    const top_up_id = await topUp(customer, 1_000);
    await reverse(top_up_id);
    const before_ = await snapshot([CLEARING, customer.wallet_account_id]);
    const error = await errorOf(() => reverse(top_up_id));
    assert.equal(error.code, 'ROAM_ERR_ENTRY_ALREADY_REVERSED');
    assert.equal(error.params.value, top_up_id);
    assert.deepEqual(await snapshot([CLEARING, customer.wallet_account_id]), before_);
    assert.equal(await balance(customer.wallet_account_id), 0);
  });

  it('refuses to reverse a top-up whose money was spent; after the spending is reversed, it can be', async () => {
    const customer = await openTestLine(t.database, NOW_MS);
    const top_up_id = await topUp(customer, 1_000);
    const spend_id = await spend(customer, 600);
    const before_ = await snapshot([CLEARING, REVENUE, customer.wallet_account_id]);
    const error = await errorOf(() => reverse(top_up_id));
    assert.equal(error.code, 'ROAM_ERR_INSUFFICIENT_FUNDS');
    assert.deepEqual({ needed: error.params.needed_minor, available: error.params.available_minor }, { needed: 1_000, available: 400 });
    assert.deepEqual(await snapshot([CLEARING, REVENUE, customer.wallet_account_id]), before_);
    await reverse(spend_id);
    await reverse(top_up_id);
    assert.equal(await balance(customer.wallet_account_id), 0);
  });

  it('refuses to reverse an entry that does not exist', async () => {
    const error = await errorOf(() => reverse('je_missing'));
    assert.equal(error.code, 'ROAM_ERR_ENTRY_NOT_FOUND');
  });

  it('cached balances equal the postings: ledgerViolations finds nothing after all of the above', async () => {
    assert.deepEqual(await ledgerViolations(t.database.db), []);
    // And, computed here independently: every entry sums to 0 and every account's cache equals its postings.
    const entries = await t.database.db.selectFrom('postings').select(['entry_id', sql<string>`sum(amount_minor)`.as('total'), sql<string>`count(*)`.as('n')]).groupBy('entry_id').execute();
    assert.ok(entries.length > 0);
    for (const entry of entries) {
      assert.equal(Number(entry.total), 0, `entry ${entry.entry_id}`);
      assert.ok(Number(entry.n) >= 2);
    }
    const accounts = await t.database.db.selectFrom('ledger_accounts').select(['id', 'balance_minor', 'balance_cached', 'may_go_negative']).execute();
    let cached = 0;
    for (const account of accounts) {
      const posted = await t.database.db.selectFrom('postings').select(sql<string>`coalesce(sum(amount_minor), 0)`.as('total')).where('account_id', '=', account.id).executeTakeFirstOrThrow();
      // Wallets cache their balance; every other account keeps 0 there and is summed when read.
      assert.equal(Number(account.balance_minor), account.balance_cached === 1 ? Number(posted.total) : 0, `account ${account.id}`);
      assert.equal(await balance(account.id), Number(posted.total), `account ${account.id}`);
      if (account.may_go_negative === 0) assert.ok(Number(posted.total) >= 0, `account ${account.id}`);
      cached += account.balance_cached;
    }
    assert.ok(cached >= 5, 'the wallets of the lines above are cached');
  });

  it('ledgerViolations does see a drifted cache and an unbalanced entry (checked in a rolled-back transaction)', async () => {
    const rollback = new Error('roll back the tampering');
    let violations: string[] = [];
    await assert.rejects(
      inTransaction(t.database, async (trx) => {
        await trx.updateTable('ledger_accounts').set((eb) => ({ balance_minor: eb('balance_minor', '+', 7) })).where('id', '=', line.wallet_account_id).execute();
        await trx.insertInto('journal_entries').values({ id: 'je_tampered', kind: 'top_up', line_id: null, idempotency_key: null, request_hash: null, reverses_entry_id: null, memo: 'tampered', created_at_ms: NOW_MS }).execute();
        await trx.insertInto('postings').values([
          { entry_id: 'je_tampered', account_id: CLEARING, line_id: null, amount_minor: -5, currency: 'RUB' },
          { entry_id: 'je_tampered', account_id: REVENUE, line_id: null, amount_minor: 4, currency: 'RUB' },
        ]).execute();
        violations = await ledgerViolations(trx);
        throw rollback;
      }),
      (error) => error === rollback,
    );
    assert.ok(violations.some((v) => v === 'entry je_tampered sums to -1'), violations.join('; '));
    assert.ok(violations.some((v) => v.startsWith(`account ${line.wallet_account_id} caches`)), violations.join('; '));
    assert.equal(violations.length, 2, violations.join('; '));
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });
});
