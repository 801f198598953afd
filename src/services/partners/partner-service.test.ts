import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AppContext } from '../../app/context.js';
import { isRoamError } from '../../core/errors.js';
import type { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext } from '../../testing/seeded-context.js';
import { DEMO_PARTNER, DEMO_PARTNER_SECRETS } from '../demo/seed.js';
import { ledgerViolations } from '../ledger/invariants.js';
import type { Partner } from './partner-directory.js';
import { partnerSignature } from './partner-service.js';

/**
 * Payment agents on both engines, through the real renewal service and ledger: what a sum buys,
 * every refusal, a pay repeated (in turn, twenty at once, with another sum), and how a partner
 * proves itself (basic password, rotation, HMAC signature and its window).
 */

const LINE = '+79001234568';
const PACK_SUM = '690.00'; // data-5gb-7d's demo price
const LOCAL = '127.0.0.1';

describeEachDatabase('partners: check and pay, idempotent by txn_id, credentials', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let partner: Partner;
  let txn_serial = 1_000;
  const txn = () => String((txn_serial += 1));
  const TXN_DATE = '20251126120000';

  before(async () => {
    ({ context, clock } = await seededContext(t.database));
    partner = await context.partners.getPartner(DEMO_PARTNER.code);
  });

  async function settlementMovement(): Promise<number> {
    const row = await t.database.db.selectFrom('postings').select((eb) => eb.fn.sum<number | string>('amount_minor').as('total'))
      .where('account_id', '=', partner.settlement_account_id).executeTakeFirst();
    return -Number(row?.total ?? 0);
  }

  async function walletMinor(msisdn: string): Promise<number> {
    const row = await t.database.db.selectFrom('lines').innerJoin('ledger_accounts', 'ledger_accounts.id', 'lines.wallet_account_id')
      .select('ledger_accounts.balance_minor').where('lines.msisdn', '=', msisdn).executeTakeFirstOrThrow();
    return Number(row.balance_minor);
  }

  async function paymentRows(txn_id: string) {
    return t.database.db.selectFrom('partner_payments').selectAll().where('partner_id', '=', partner.id).where('txn_id', '=', txn_id).execute();
  }

  it('checks a number in every accepted notation, and says what a sum buys', async () => {
    for (const account of ['9001234568', '79001234568', '89001234568', '+79001234568', ' 79001234568']) {
      const answer = await context.partners.check(partner, { account, sum: PACK_SUM });
      assert.equal(answer.outcome, 'ok', account);
      assert.deepEqual(answer.purchase?.kind === 'pack' && answer.purchase.package_code, 'data-5gb-7d');
      assert.equal(answer.msisdn_masked?.includes('1234568'), false, 'the answer masks the number');
    }
    const top_up = await context.partners.check(partner, { account: '9001234568', sum: '250.00' });
    assert.equal(top_up.reason, 'pays_top_up');
    assert.equal((await context.partners.check(partner, { account: '9001234568' })).reason, 'account_payable');
  });

  it('refuses malformed and unknown accounts, bad sums and sums outside the limits, writing nothing', async () => {
    const cases: Array<[string, string, string]> = [
      ['900123456', '250.00', 'account_format'], ['99001234568', '250.00', 'account_format'], ['+7 900 123-45-68', '250.00', 'account_format'],
      ['abc', '250.00', 'account_format'], ['9009999999', '250.00', 'account_not_found'],
      ['9001234568', '99.99', 'sum_too_small'], ['9001234568', '15000.01', 'sum_too_large'],
      ['9001234568', '10,45', 'sum_format'], ['9001234568', '1.234', 'sum_format'], ['9001234568', '-5', 'sum_format'],
    ];
    for (const [account, sum, reason] of cases) {
      assert.equal((await context.partners.check(partner, { account, sum })).reason, reason, `${account} ${sum}`);
    }
    const before_rows = await t.database.db.selectFrom('partner_payments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    for (const [account, sum, reason] of cases.filter(([, , reason]) => reason === 'account_format' || reason === 'sum_format')) {
      const answer = await context.partners.pay(partner, 'osmp', { account, sum, txn_id: txn(), txn_date: TXN_DATE });
      assert.equal(answer.reason, reason);
      assert.equal(answer.prv_txn, null);
    }
    const after_rows = await t.database.db.selectFrom('partner_payments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after_rows.n), Number(before_rows.n), 'an unreadable pay is not kept');
    assert.equal((await context.partners.pay(partner, 'osmp', { account: '9001234568', sum: '250.00', txn_id: 'a b', txn_date: TXN_DATE })).reason, 'txn_id_format');
    assert.equal((await context.partners.pay(partner, 'osmp', { account: '9001234568', sum: '250.00', txn_id: txn(), txn_date: '20251131120000' })).reason, 'txn_date_format');
  });

  it('pays a pack when the sum is its price: active when answered, paid from the settlement account', async () => {
    const moved_before = await settlementMovement();
    const answer = await context.partners.pay(partner, 'osmp', { account: '9001234568', sum: PACK_SUM, txn_id: txn(), txn_date: TXN_DATE });
    assert.equal(answer.reason, 'paid_pack');
    assert.equal(answer.outcome, 'ok');
    assert.match(answer.prv_txn ?? '', /^ptx_/);
    const [row] = await paymentRows(String(txn_serial));
    assert.equal(row?.state, 'paid');
    const order = await t.database.db.selectFrom('orders').selectAll().where('id', '=', row?.order_id ?? '').executeTakeFirstOrThrow();
    assert.equal(order.state, 'active');
    assert.equal(order.channel, 'partner');
    const payment = await t.database.db.selectFrom('payments').selectAll().where('id', '=', row?.payment_id ?? '').executeTakeFirstOrThrow();
    assert.equal(payment.method, 'agent');
    assert.equal(payment.receiving_account_id, partner.settlement_account_id);
    assert.equal(await settlementMovement() - moved_before, 69_000);
  });

  it('tops the wallet up by any other sum', async () => {
    const wallet_before = await walletMinor(LINE);
    const answer = await context.partners.pay(partner, 'json', { account: '+79001234568', sum: '250.50', txn_id: `json-${txn()}` });
    assert.equal(answer.reason, 'paid_top_up');
    assert.equal(await walletMinor(LINE) - wallet_before, 25_050);
  });

  it('answers a repeated txn_id with its first result and pays once; another sum or number is refused', async () => {
    const txn_id = txn();
    const moved_before = await settlementMovement();
    const first = await context.partners.pay(partner, 'osmp', { account: '9001234568', sum: '300.00', txn_id, txn_date: TXN_DATE });
    const again = await context.partners.pay(partner, 'osmp', { account: '89001234568', sum: '300', txn_id, txn_date: TXN_DATE });
    assert.equal(again.prv_txn, first.prv_txn);
    assert.equal(again.reason, 'paid_top_up');
    assert.equal(again.replayed, true);
    for (const other of [{ account: '9001234568', sum: '301.00' }, { account: '9001234567', sum: '300.00' }]) {
      const conflict = await context.partners.pay(partner, 'osmp', { ...other, txn_id, txn_date: TXN_DATE });
      assert.equal(conflict.reason, 'txn_conflict');
      assert.equal(conflict.outcome, 'other');
    }
    assert.equal(await settlementMovement() - moved_before, 30_000, 'paid once');
    assert.equal((await paymentRows(txn_id)).length, 1);
  });

  it('pays once when twenty tills send the same pay at once', async () => {
    const txn_id = txn();
    const moved_before = await settlementMovement();
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      context.partners.pay(partner, 'osmp', { account: '9001234568', sum: PACK_SUM, txn_id, txn_date: TXN_DATE })));
    const prv_txns = new Set(answers.map((answer) => answer.prv_txn));
    assert.equal(prv_txns.size, 1, 'one prv_txn for all');
    assert.deepEqual(answers.map((answer) => answer.reason), Array.from({ length: 20 }, () => 'paid_pack'), 'every till gets the result');
    assert.equal(answers.filter((answer) => !answer.replayed).length, 1, 'one of them paid, the others are its repeats');
    assert.equal(await settlementMovement() - moved_before, 69_000, 'paid once');
    const [row] = await paymentRows(txn_id);
    const payments = await t.database.db.selectFrom('payments').select('id').where('order_id', '=', row?.order_id ?? '').execute();
    assert.equal(payments.length, 1);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('tops up once when twenty tills send the same top-up at once', async () => {
    const txn_id = txn();
    const wallet_before = await walletMinor(LINE);
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      context.partners.pay(partner, 'osmp', { account: '9001234568', sum: '123.45', txn_id, txn_date: TXN_DATE })));
    assert.deepEqual(new Set(answers.map((answer) => `${answer.reason} ${answer.prv_txn}`)).size, 1, 'one answer for all');
    assert.equal(answers[0]?.reason, 'paid_top_up');
    assert.equal(await walletMinor(LINE) - wallet_before, 12_345, 'credited once');
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('pays thirty different txns for one line at once, packs and top-ups, each once (no deadlock between them)', async () => {
    const wallet_before = await walletMinor(LINE);
    const moved_before = await settlementMovement();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, index) =>
      context.partners.pay(partner, 'osmp', { account: '9001234568', sum: index % 2 === 0 ? PACK_SUM : '100.00', txn_id: txn(), txn_date: TXN_DATE })));
    assert.deepEqual(new Set(answers.map((answer) => answer.reason)), new Set(['paid_pack', 'paid_top_up']));
    assert.equal(await walletMinor(LINE) - wallet_before, 15 * 10_000);
    assert.equal(await settlementMovement() - moved_before, 15 * 69_000 + 15 * 10_000);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('keeps a refusal of a readable pay, so its repeat answers the same even after the line changes', async () => {
    const txn_id = txn();
    await t.database.db.updateTable('lines').set({ status: 'suspended' }).where('msisdn', '=', '+79001234569').execute();
    const refused = await context.partners.pay(partner, 'osmp', { account: '9001234569', sum: '250.00', txn_id, txn_date: TXN_DATE });
    assert.equal(refused.reason, 'account_not_active');
    assert.equal(refused.outcome, 'account_not_active');
    await t.database.db.updateTable('lines').set({ status: 'active' }).where('msisdn', '=', '+79001234569').execute();
    const repeated = await context.partners.pay(partner, 'osmp', { account: '9001234569', sum: '250.00', txn_id, txn_date: TXN_DATE });
    assert.equal(repeated.reason, 'account_not_active');
    assert.equal(repeated.prv_txn, refused.prv_txn);
    assert.equal((await paymentRows(txn_id))[0]?.state, 'rejected');
  });

  it('refuses every pay of a suspended partner', async () => {
    await context.partners.setEnabled(partner.code, false);
    try {
      const suspended = await context.partners.getPartner(partner.code);
      assert.equal((await context.partners.check(suspended, { account: '9001234568', sum: '250.00' })).outcome, 'forbidden');
      assert.equal((await context.partners.pay(suspended, 'osmp', { account: '9001234568', sum: '250.00', txn_id: txn(), txn_date: TXN_DATE })).outcome, 'forbidden');
    } finally {
      await context.partners.setEnabled(partner.code, true);
    }
  });

  it('authenticates basic credentials from allowed addresses, and rotation revokes the old password', async () => {
    const good = { user: DEMO_PARTNER.code, password: DEMO_PARTNER_SECRETS.basic_password };
    assert.equal((await context.partners.authenticateBasic(DEMO_PARTNER.code, good, LOCAL)).ok, true);
    assert.equal((await context.partners.authenticateBasic(DEMO_PARTNER.code, good, '::1')).ok, true);
    assert.deepEqual(await context.partners.authenticateBasic(DEMO_PARTNER.code, good, '203.0.113.9'), { ok: false, status: 403, problem: 'address_not_allowed' });
    assert.deepEqual(await context.partners.authenticateBasic(DEMO_PARTNER.code, { ...good, password: 'demo-secreT' }, LOCAL), { ok: false, status: 401, problem: 'bad_credentials' });
    assert.deepEqual(await context.partners.authenticateBasic(DEMO_PARTNER.code, { ...good, user: 'other' }, LOCAL), { ok: false, status: 401, problem: 'bad_credentials' });
    assert.deepEqual(await context.partners.authenticateBasic('nobody', good, LOCAL), { ok: false, status: 401, problem: 'unknown_partner' });

    const { secrets } = await context.partners.createPartner({
      code: 'rotating', name: 'Rotating', agent_name: 'ООО «Ромашка»', agent_inn: '7707083893', allowed_addresses: '10.0.0.0/8',
    });
    assert.match(secrets.basic_password, /^[A-Za-z0-9_-]{43}$/);
    const rotated = await context.partners.rotateSecret('rotating', 'basic', 60_000);
    const creds = (password: string) => ({ user: 'rotating', password });
    assert.equal((await context.partners.authenticateBasic('rotating', creds(secrets.basic_password), '10.1.2.3')).ok, true, 'within the grace period');
    assert.equal((await context.partners.authenticateBasic('rotating', creds(rotated), '10.1.2.3')).ok, true);
    clock.advance(60_001);
    assert.equal((await context.partners.authenticateBasic('rotating', creds(secrets.basic_password), '10.1.2.3')).ok, false, 'revoked after it');
    assert.equal((await context.partners.authenticateBasic('rotating', creds(rotated), '10.1.2.3')).ok, true);
    const stored = await t.database.db.selectFrom('partner_credentials').select(['secret_hash', 'secret_sealed']).execute();
    for (const row of stored) {
      assert.ok(!JSON.stringify(row).includes(rotated) && !JSON.stringify(row).includes(secrets.hmac_key), 'secrets are never stored in clear');
    }
  });

  it('verifies JSON signatures over timestamp and body, within the window only', async () => {
    const body = JSON.stringify({ account: '9001234568', sum: '250.00', txn_id: 'sig-1' });
    const timestamp = String(clock.now_ms());
    const signature = partnerSignature(DEMO_PARTNER_SECRETS.hmac_key, timestamp, body);
    const verify = (signed: { timestamp: string; signature: string; body: string }, address = LOCAL) =>
      context.partners.authenticateSignature(DEMO_PARTNER.code, signed, address);
    assert.equal((await verify({ timestamp, signature, body })).ok, true);
    assert.deepEqual(await verify({ timestamp, signature, body: body.replace('250.00', '2500.00') }), { ok: false, status: 401, problem: 'bad_signature' });
    assert.deepEqual(await verify({ timestamp, signature: partnerSignature('wrong-key', timestamp, body), body }), { ok: false, status: 401, problem: 'bad_signature' });
    assert.deepEqual(await verify({ timestamp, signature: 'zz', body }), { ok: false, status: 401, problem: 'bad_signature' });
    assert.deepEqual(await verify({ timestamp, signature, body }, '203.0.113.9'), { ok: false, status: 403, problem: 'address_not_allowed' });
    clock.advance(5 * 60_000 + 1);
    assert.deepEqual(await verify({ timestamp, signature, body }), { ok: false, status: 401, problem: 'stale_timestamp' }, 'a replay after the window');
  });

  it('refuses a partner with a bad code, INN, zone, limits or address list, creating nothing', async () => {
    const good = { code: 'new-chain', name: 'New chain', agent_name: 'ООО «Ромашка»', agent_inn: '7707083893', allowed_addresses: '192.0.2.0/24' };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ code: 'New Chain' }, 'ROAM_ERR_VALIDATION'], [{ agent_inn: '7707083894' }, 'ROAM_ERR_INN_INVALID'],
      [{ time_zone: 'Mars/Olympus' }, 'ROAM_ERR_VALIDATION'], [{ sum_min_minor: 500, sum_max_minor: 100 }, 'ROAM_ERR_VALIDATION'],
      [{ allowed_addresses: 'everyone' }, 'ROAM_ERR_VALIDATION'], [{ code: DEMO_PARTNER.code }, 'ROAM_ERR_PARTNER_EXISTS'],
    ];
    for (const [change, code] of bad) {
      const creating = context.partners.createPartner({ ...good, ...change } as typeof good);
      await assert.rejects(creating, (error: unknown) => isRoamError(error) && error.code === code, JSON.stringify(change));
    }
    assert.equal((await context.partners.listPartners()).some((row) => row.code === good.code), false);
  });
});
