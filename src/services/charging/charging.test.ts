import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BYTES_PER_MB, MS_PER_HOUR } from '../../core/units.js';
import { inTransaction } from '../../db/transaction.js';
import { ManualClock } from '../../ports/clock.js';
import { chargingViolations } from '../../testing/charging-invariants.js';
import {
  accountBalanceOf,
  defineTestPack,
  ensureTestAccounts,
  errorOf,
  openTestLine,
  SANDBOX_CLEARING_ACCOUNT_ID,
  tableCounts,
  TEST_EPOCH_MS,
  testTariffFor,
  walletBalance,
} from '../../testing/charging-fixtures.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { setPrice } from '../catalog/catalog.js';
import { createServices } from '../index.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import type { Line } from '../lines/lines.js';
import type { UsageResult } from './usage.js';

const T0 = TEST_EPOCH_MS;
const GB = 1024 * BYTES_PER_MB;
const REVENUE_PACKAGES = SYSTEM_ACCOUNTS.revenue_packages.id;
const REVENUE_USAGE = SYSTEM_ACCOUNTS.revenue_usage.id;
const CLEARING = SANDBOX_CLEARING_ACCOUNT_ID;

const PACKS = {
  data_1gb_1d: { code: 'data-1gb-1d', data_mb: 1024, validity_hours: 24, price_minor: 19_000 },
  voice_100min_30d: { code: 'voice-100min-30d', voice_minutes: 100, validity_hours: 720, price_minor: 39_000 },
  sms_10_30d: { code: 'sms-10-30d', sms_count: 10, validity_hours: 720, price_minor: 9_000 },
  desk_only: { code: 'data-desk-only', data_mb: 512, validity_hours: 24, price_minor: 10_000, channels: ['desk'] as const },
  retired: { code: 'data-retired', data_mb: 512, validity_hours: 24, price_minor: 10_000, active: false },
} as const;

/** "+79000000042" → the ways people write it: "+7 900 000-00-42", "89000000042", "8 (900) 000 00 42", "9000000042". */
function spellings(msisdn: string): string[] {
  const national = msisdn.slice(2);
  const [a, b, c, d] = [national.slice(0, 3), national.slice(3, 6), national.slice(6, 8), national.slice(8)];
  return [`+7 ${a} ${b}-${c}-${d}`, `8${national}`, `8 (${a}) ${b} ${c} ${d}`, national];
}

describeEachDatabase('charging', (t) => {
  const newServices = (options: { start_ms?: number; payg_disabled?: Array<'data' | 'voice' | 'sms'> } = {}) => {
    const clock = new ManualClock(options.start_ms ?? T0);
    return { clock, services: createServices({ database: t.database, clock, tariffFor: testTariffFor(options.payg_disabled) }) };
  };
  const balance = (account_id: string) => accountBalanceOf(t.database, account_id);
  const openLine = () => openTestLine(t.database, T0);
  /** A fresh line with `amount_minor` in its wallet (none when 0). */
  const fundedLine = async (amount_minor: number): Promise<Line> => {
    const line = await openLine();
    if (amount_minor > 0) {
      const { services } = newServices();
      await services.creditWallet({ line: { line_id: line.id }, amount_minor, source_account_id: CLEARING, idempotency_key: `fund:${line.id}` });
    }
    return line;
  };
  const bundlesOf = (line: Line) => t.database.db.selectFrom('bundles').selectAll().where('line_id', '=', line.id).orderBy('created_at_ms').orderBy('id').execute();
  const usageRows = (line: Line) => t.database.db.selectFrom('usage_events').selectAll().where('line_id', '=', line.id).execute();
  const entryPostings = (entry_id: string) =>
    t.database.db.selectFrom('postings').select(['account_id', 'amount_minor']).where('entry_id', '=', entry_id).orderBy('id').execute()
      .then((rows) => rows.map((row) => ({ account_id: row.account_id, amount_minor: Number(row.amount_minor) })));

  before(async () => {
    await ensureTestAccounts(t.database, T0);
    for (const pack of Object.values(PACKS)) await defineTestPack(t.database, pack, T0);
  });

  describe('creditWallet', () => {
    it('credits the wallet from the clearing account; a replay returns the same entry and credits nothing', async () => {
      const { services } = newServices();
      const line = await openLine();
      const clearing_before = await balance(CLEARING);
      const first = await services.creditWallet({ line: { line_id: line.id }, amount_minor: 50_000, source_account_id: CLEARING, idempotency_key: `topup-1:${line.id}` });
      assert.deepEqual({ ...first, entry_id: typeof first.entry_id }, { entry_id: 'string', line_id: line.id, balance_minor: 50_000, replayed: false });
      assert.deepEqual(await entryPostings(first.entry_id), [
        { account_id: CLEARING, amount_minor: -50_000 },
        { account_id: line.wallet_account_id, amount_minor: 50_000 },
      ]);
      const counts = await tableCounts(t.database);
      const replay = await services.creditWallet({ line: { msisdn: spellings(line.msisdn)[0] ?? '' }, amount_minor: 50_000, source_account_id: CLEARING, idempotency_key: `topup-1:${line.id}` });
      assert.deepEqual(replay, { entry_id: first.entry_id, line_id: line.id, balance_minor: 50_000, replayed: true });
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 50_000);
      assert.equal(await balance(CLEARING), clearing_before - 50_000);
    });

    it('refuses the same key with a different amount or line (ROAM_ERR_IDEMPOTENCY_CONFLICT), changing nothing', async () => {
      const { services } = newServices();
      const line = await openLine();
      const other = await openLine();
      const key = `topup-conflict:${line.id}`;
      await services.creditWallet({ line: { line_id: line.id }, amount_minor: 10_000, source_account_id: CLEARING, idempotency_key: key });
      const counts = await tableCounts(t.database);
      assert.equal((await errorOf(() => services.creditWallet({ line: { line_id: line.id }, amount_minor: 10_001, source_account_id: CLEARING, idempotency_key: key }))).code, 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
      assert.equal((await errorOf(() => services.creditWallet({ line: { line_id: other.id }, amount_minor: 10_000, source_account_id: CLEARING, idempotency_key: key }))).code, 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 10_000);
      assert.equal(await walletBalance(t.database, other), 0);
    });

    it('refuses amounts that are not positive whole kopecks, an empty key and an unknown line, naming the field', async () => {
      const { services } = newServices();
      const line = await openLine();
      const counts = await tableCounts(t.database);
      for (const amount_minor of [0, -500, 1.5, Number.NaN]) {
        const error = await errorOf(() => services.creditWallet({ line: { line_id: line.id }, amount_minor, source_account_id: CLEARING, idempotency_key: `bad:${amount_minor}` }));
        assert.equal(error.code, 'ROAM_ERR_AMOUNT_INVALID');
        assert.equal(error.params.field, 'amount_minor');
      }
      const empty_key = await errorOf(() => services.creditWallet({ line: { line_id: line.id }, amount_minor: 100, source_account_id: CLEARING, idempotency_key: '' }));
      assert.deepEqual([empty_key.code, empty_key.params.field], ['ROAM_ERR_VALIDATION', 'idempotency_key']);
      assert.equal((await errorOf(() => services.creditWallet({ line: { line_id: 'ln_nobody' }, amount_minor: 100, source_account_id: CLEARING, idempotency_key: 'nobody' }))).code, 'ROAM_ERR_LINE_NOT_FOUND');
      assert.equal((await errorOf(() => services.creditWallet({ line: { msisdn: '+7 999 999-99-98' }, amount_minor: 100, source_account_id: CLEARING, idempotency_key: 'nobody' }))).code, 'ROAM_ERR_LINE_NOT_FOUND');
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 0);
    });
  });

  describe('buyPackageFromWallet', () => {
    it('moves the price from the wallet to revenue and activates the pack with its full allowance now; a replay buys nothing', async () => {
      const { clock, services } = newServices();
      const line = await fundedLine(50_000);
      const revenue_before = await balance(REVENUE_PACKAGES);
      const { bundle, replayed } = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, channel: 'app', idempotency_key: `buy:${line.id}` });
      assert.equal(replayed, false);
      assert.equal(bundle.line_id, line.id);
      assert.equal(bundle.price_minor, 19_000);
      assert.equal(bundle.source, 'wallet');
      assert.deepEqual(
        [bundle.data_bytes_total, bundle.data_bytes_remaining, bundle.voice_seconds_total, bundle.sms_total],
        [GB, GB, 0, 0],
      );
      assert.deepEqual([bundle.activated_at_ms, bundle.expires_at_ms], [clock.now_ms(), clock.now_ms() + 24 * MS_PER_HOUR]);
      assert.equal(await walletBalance(t.database, line), 31_000);
      assert.equal(await balance(REVENUE_PACKAGES), revenue_before + 19_000);
      assert.ok(bundle.entry_id);
      assert.deepEqual(await entryPostings(bundle.entry_id), [
        { account_id: line.wallet_account_id, amount_minor: -19_000 },
        { account_id: REVENUE_PACKAGES, amount_minor: 19_000 },
      ]);

      const again = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, channel: 'app', idempotency_key: `buy:${line.id}` });
      assert.equal(again.replayed, true);
      assert.equal(again.bundle.id, bundle.id);
      assert.equal(await walletBalance(t.database, line), 31_000);
      assert.equal((await bundlesOf(line)).length, 1);
      assert.equal((await errorOf(() => services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.voice_100min_30d.code, channel: 'app', idempotency_key: `buy:${line.id}` }))).code, 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
    });

    it('freezes the price at the sale: a later price version changes neither the sold bundle nor sales before it takes effect', async () => {
      const { clock, services } = newServices();
      const code = 'data-price-versions';
      const first_price = await defineTestPack(t.database, { code, data_mb: 2048, validity_hours: 168, price_minor: 30_000 }, T0);
      const line = await fundedLine(200_000);
      const sold = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: code, channel: 'web', idempotency_key: `v1:${line.id}` });
      assert.equal(sold.bundle.price_minor, 30_000);
      assert.equal(sold.bundle.package_price_id, first_price.id);

      const second_price = await inTransaction(t.database, (trx) => setPrice(trx, code, 45_000, T0 + MS_PER_HOUR, T0));
      clock.advance(30 * 60_000); // the new price is announced but not yet in effect
      const before_effect = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: code, channel: 'web', idempotency_key: `v1b:${line.id}` });
      assert.equal(before_effect.bundle.price_minor, 30_000);

      clock.advance(MS_PER_HOUR);
      const later = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: code, channel: 'web', idempotency_key: `v2:${line.id}` });
      assert.equal(later.bundle.price_minor, 45_000);
      assert.equal(later.bundle.package_price_id, second_price.id);

      const stored = await t.database.db.selectFrom('bundles').select(['price_minor', 'package_price_id']).where('id', '=', sold.bundle.id).executeTakeFirstOrThrow();
      assert.deepEqual(
        { price_minor: Number(stored.price_minor), package_price_id: stored.package_price_id },
        { price_minor: 30_000, package_price_id: first_price.id },
      );
      assert.equal(await walletBalance(t.database, line), 200_000 - 30_000 - 30_000 - 45_000);
    });

    it('refuses a pack the wallet cannot pay for (ROAM_ERR_INSUFFICIENT_FUNDS) and changes nothing; the key stays free', async () => {
      const { services } = newServices();
      const line = await fundedLine(18_999);
      const counts = await tableCounts(t.database);
      const revenue_before = await balance(REVENUE_PACKAGES);
      const error = await errorOf(() => services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, channel: 'app', idempotency_key: `poor:${line.id}` }));
      assert.equal(error.code, 'ROAM_ERR_INSUFFICIENT_FUNDS');
      assert.deepEqual([error.params.needed_minor, error.params.available_minor], [19_000, 18_999]);
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 18_999);
      assert.equal(await balance(REVENUE_PACKAGES), revenue_before);
      assert.deepEqual(await bundlesOf(line), []);

      await services.creditWallet({ line: { line_id: line.id }, amount_minor: 1, source_account_id: CLEARING, idempotency_key: `poor-topup:${line.id}` });
      const bought = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, channel: 'app', idempotency_key: `poor:${line.id}` });
      assert.equal(bought.replayed, false);
      assert.equal(await walletBalance(t.database, line), 0);
    });

    it('refuses a pack that is not on sale, not sold on the channel, or unknown; changes nothing', async () => {
      const { services } = newServices();
      const line = await fundedLine(100_000);
      const counts = await tableCounts(t.database);
      const buy = (package_code: string, channel: 'app' | 'desk') =>
        services.buyPackageFromWallet({ line: { line_id: line.id }, package_code, channel, idempotency_key: `${package_code}:${channel}:${line.id}` });
      assert.equal((await errorOf(() => buy(PACKS.retired.code, 'app'))).code, 'ROAM_ERR_PACKAGE_INACTIVE');
      const channel_error = await errorOf(() => buy(PACKS.desk_only.code, 'app'));
      assert.deepEqual([channel_error.code, channel_error.params.channel], ['ROAM_ERR_PACKAGE_NOT_ON_CHANNEL', 'app']);
      assert.equal((await errorOf(() => buy('no-such-pack', 'app'))).code, 'ROAM_ERR_PACKAGE_NOT_FOUND');
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 100_000);
      // The same pack is sold at the desk.
      assert.equal((await buy(PACKS.desk_only.code, 'desk')).bundle.price_minor, 10_000);
    });
  });

  describe('activatePaidPackage', () => {
    it('activates a pack paid elsewhere: wallet unchanged, revenue up and clearing down by the price; replay activates nothing', async () => {
      const { services } = newServices();
      const line = await fundedLine(5_000);
      const revenue_before = await balance(REVENUE_PACKAGES);
      const clearing_before = await balance(CLEARING);
      const input = {
        line: { msisdn: spellings(line.msisdn)[1] ?? '' }, package_code: PACKS.voice_100min_30d.code, paid_from_account_id: CLEARING,
        amount_minor: 39_000, package_price_id: null, idempotency_key: `order-1:${line.id}`,
      };
      const { bundle, replayed } = await services.activatePaidPackage(input);
      assert.equal(replayed, false);
      assert.deepEqual([bundle.source, bundle.price_minor, bundle.voice_seconds_remaining, bundle.line_id], ['external', 39_000, 6_000, line.id]);
      assert.equal(await walletBalance(t.database, line), 5_000);
      assert.equal(await balance(REVENUE_PACKAGES), revenue_before + 39_000);
      assert.equal(await balance(CLEARING), clearing_before - 39_000);
      assert.ok(bundle.entry_id);
      const entry = await t.database.db.selectFrom('journal_entries').select(['kind', 'line_id']).where('id', '=', bundle.entry_id).executeTakeFirstOrThrow();
      assert.deepEqual(entry, { kind: 'package_sale', line_id: line.id });

      const again = await services.activatePaidPackage(input);
      assert.deepEqual([again.replayed, again.bundle.id], [true, bundle.id]);
      assert.equal(await balance(REVENUE_PACKAGES), revenue_before + 39_000);
      assert.equal((await errorOf(() => services.activatePaidPackage({ ...input, amount_minor: 1 }))).code, 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
      assert.equal((await errorOf(() => services.activatePaidPackage({ ...input, amount_minor: -1, idempotency_key: 'negative' }))).code, 'ROAM_ERR_AMOUNT_INVALID');
      // A pack withdrawn from sale after the order was paid is still activated.
      const retired = await services.activatePaidPackage({ ...input, package_code: PACKS.retired.code, amount_minor: 10_000, idempotency_key: `order-2:${line.id}` });
      assert.equal(retired.bundle.package_code, PACKS.retired.code);
    });

    it('renewing the same kind adds a second bundle, drawn after the one that expires earlier', async () => {
      const { clock, services } = newServices();
      const line = await fundedLine(0);
      const refused = await errorOf(() => services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, channel: 'app', idempotency_key: `r0:${line.id}` }));
      assert.equal(refused.code, 'ROAM_ERR_INSUFFICIENT_FUNDS', 'an empty wallet buys nothing');
      const older = await services.activatePaidPackage({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, paid_from_account_id: CLEARING, amount_minor: 19_000, package_price_id: null, idempotency_key: `r1:${line.id}` });
      clock.advance(MS_PER_HOUR);
      const newer = await services.activatePaidPackage({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, paid_from_account_id: CLEARING, amount_minor: 19_000, package_price_id: null, idempotency_key: `r2:${line.id}` });
      assert.equal(newer.bundle.expires_at_ms, older.bundle.expires_at_ms + MS_PER_HOUR);
      assert.equal((await bundlesOf(line)).length, 2);

      const result = await services.chargeUsage({ event_id: 'e1', line_id: line.id, kind: 'data', quantity: GB + GB / 2, at_ms: clock.now_ms() });
      assert.deepEqual(result.draws, [{ bundle_id: older.bundle.id, quantity: GB }, { bundle_id: newer.bundle.id, quantity: GB / 2 }]);
      const overview = await services.lineOverview({ line_id: line.id });
      assert.deepEqual(overview.bundles.map((view) => [view.bundle.id, view.bundle.data_bytes_remaining]), [[newer.bundle.id, GB / 2]]);
    });
  });

  describe('expiry', () => {
    it('a bundle is not drawn from its expiry on, and expireBundles marks it; usage stamped before expiry still draws', async () => {
      const { clock, services } = newServices();
      const line = await fundedLine(10_000);
      const { bundle } = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.sms_10_30d.code, channel: 'app', idempotency_key: `x:${line.id}` });
      const data = await services.activatePaidPackage({ line: { line_id: line.id }, package_code: PACKS.data_1gb_1d.code, paid_from_account_id: CLEARING, amount_minor: 19_000, package_price_id: null, idempotency_key: `d:${line.id}` });
      assert.equal(bundle.sms_total, 10);

      clock.advance(24 * MS_PER_HOUR - 1);
      const last_moment = await services.chargeUsage({ event_id: 'last-moment', line_id: line.id, kind: 'data', quantity: 1000, at_ms: clock.now_ms() });
      assert.equal(last_moment.from_bundles, 1000);
      await services.expireBundles();
      assert.deepEqual((await bundlesOf(line)).map((row) => row.status), ['active', 'active'], 'nothing of this line is due yet');

      clock.advance(1); // exactly 24 h after activation
      const wallet_before = await walletBalance(t.database, line);
      const after = await services.chargeUsage({ event_id: 'after-expiry', line_id: line.id, kind: 'data', quantity: BYTES_PER_MB, at_ms: clock.now_ms() });
      assert.deepEqual([after.from_bundles, after.from_wallet, after.wallet_charge_minor, after.draws], [0, BYTES_PER_MB, 500, []]);
      assert.equal(await walletBalance(t.database, line), wallet_before - 500);

      const late = await services.chargeUsage({ event_id: 'late-record', line_id: line.id, kind: 'data', quantity: 2000, at_ms: clock.now_ms() - 10 });
      assert.deepEqual(late.draws, [{ bundle_id: data.bundle.id, quantity: 2000 }]);

      assert.ok((await services.expireBundles()) >= 1);
      const statuses = new Map((await bundlesOf(line)).map((row) => [row.id, row.status]));
      assert.equal(statuses.get(data.bundle.id), 'expired');
      assert.equal(statuses.get(bundle.id), 'active', 'the 30-day SMS pack is still live');
      assert.equal(await services.expireBundles(), 0, 'running it again finds nothing new');
      const overview = await services.lineOverview({ line_id: line.id });
      assert.deepEqual(overview.bundles.map((view) => view.bundle.id), [bundle.id]);
    });
  });

  describe('chargeUsage', () => {
    it('finds the line by id or by its number in any common spelling', async () => {
      const { services } = newServices();
      const line = await fundedLine(0);
      await services.activatePaidPackage({ line: { line_id: line.id }, package_code: PACKS.sms_10_30d.code, paid_from_account_id: CLEARING, amount_minor: 9_000, package_price_id: null, idempotency_key: `s:${line.id}` });
      const refs = [{ line_id: line.id }, { msisdn: line.msisdn }, ...spellings(line.msisdn).map((msisdn) => ({ msisdn }))];
      for (const [index, ref] of refs.entries()) {
        const result = await services.chargeUsage({ event_id: `by-ref-${index}`, ...ref, kind: 'sms', quantity: 1, at_ms: T0 });
        assert.equal(result.line_id, line.id, JSON.stringify(ref));
        assert.equal(result.from_bundles, 1);
      }
      assert.equal((await bundlesOf(line))[0]?.sms_remaining, 10 - refs.length);
    });

    it('charges an event once: a replay returns the stored result with replayed: true and changes nothing', async () => {
      const { clock, services } = newServices();
      const line = await fundedLine(10_000);
      const first = await services.chargeUsage({ event_id: ' cdr-1 ', line_id: line.id, kind: 'voice', quantity: 61, at_ms: T0 });
      assert.equal(first.replayed, false);
      assert.equal(first.event_id, 'cdr-1', 'the event id is trimmed');
      assert.equal(first.wallet_charge_minor, 1525);
      const counts = await tableCounts(t.database);
      clock.advance(MS_PER_HOUR); // a replay later on, and through the phone number
      const replay = await services.chargeUsage({ event_id: 'cdr-1', msisdn: spellings(line.msisdn)[2], kind: 'voice', quantity: 61, at_ms: T0 });
      assert.deepEqual(replay, { ...first, replayed: true });
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 10_000 - 1525);

      for (const changed of [{ quantity: 62 }, { at_ms: T0 + 1 }, { kind: 'data' }]) {
        const error = await errorOf(() => services.chargeUsage({ event_id: 'cdr-1', line_id: line.id, kind: 'voice', quantity: 61, at_ms: T0, ...changed }));
        assert.equal(error.code, 'ROAM_ERR_USAGE_EVENT_CONFLICT', JSON.stringify(changed));
      }
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal((await usageRows(line)).length, 1);

      // Event ids are the line's own: another line may use the same id for its own event.
      const other = await fundedLine(10_000);
      const theirs = await services.chargeUsage({ event_id: 'cdr-1', line_id: other.id, kind: 'voice', quantity: 61, at_ms: T0 });
      assert.equal(theirs.replayed, false);
      assert.equal(await walletBalance(t.database, other), 10_000 - 1525);
    });

    it('charges the wallet at pay-as-you-go tariffs in exact kopecks, rounded up per event', async () => {
      const { services } = newServices();
      const line = await fundedLine(10_000);
      const revenue_before = await balance(REVENUE_USAGE);
      const data = await services.chargeUsage({ event_id: 'd', line_id: line.id, kind: 'data', quantity: 3 * BYTES_PER_MB + 1, at_ms: T0 });
      const voice = await services.chargeUsage({ event_id: 'v', line_id: line.id, kind: 'voice', quantity: 61, at_ms: T0 });
      const sms = await services.chargeUsage({ event_id: 's', line_id: line.id, kind: 'sms', quantity: 3, at_ms: T0 });
      const one_byte = await services.chargeUsage({ event_id: 'b', line_id: line.id, kind: 'data', quantity: 1, at_ms: T0 });
      const nothing = await services.chargeUsage({ event_id: 'z', line_id: line.id, kind: 'data', quantity: 0, at_ms: T0 });
      assert.deepEqual(
        [
          data.wallet_charge_minor, voice.wallet_charge_minor, sms.wallet_charge_minor,
          one_byte.wallet_charge_minor, nothing.wallet_charge_minor,
        ],
        [1501, 1525, 1500, 1, 0],
      );
      for (const result of [data, voice, sms, one_byte]) {
        assert.deepEqual(
          [result.granted, result.from_wallet, result.denied, result.denial_reason],
          [result.quantity, result.quantity, 0, null],
        );
      }
      assert.equal(await walletBalance(t.database, line), 10_000 - 4527);
      assert.equal(await balance(REVENUE_USAGE), revenue_before + 4527);
      const rows = new Map((await usageRows(line)).map((row) => [row.event_id, row]));
      const voice_entry = rows.get('v')?.entry_id;
      assert.ok(voice_entry);
      assert.deepEqual(await entryPostings(voice_entry), [
        { account_id: line.wallet_account_id, amount_minor: -1525 },
        { account_id: REVENUE_USAGE, amount_minor: 1525 },
      ]);
      assert.equal(rows.get('z')?.entry_id, null);
    });

    it('draws bundles first and charges only the rest to the wallet', async () => {
      const { services } = newServices();
      const line = await fundedLine(10_000);
      const { bundle } = await services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: PACKS.sms_10_30d.code, channel: 'ussd', idempotency_key: `b:${line.id}` });
      const result = await services.chargeUsage({ event_id: 'burst', line_id: line.id, kind: 'sms', quantity: 12, at_ms: T0 });
      assert.deepEqual(
        {
          draws: result.draws, from_bundles: result.from_bundles, from_wallet: result.from_wallet,
          wallet_charge_minor: result.wallet_charge_minor, denied: result.denied,
        },
        { draws: [{ bundle_id: bundle.id, quantity: 10 }], from_bundles: 10, from_wallet: 2, wallet_charge_minor: 1000, denied: 0 },
      );
      assert.equal(await walletBalance(t.database, line), 10_000 - 9_000 - 1000);
    });

    it('grants what the wallet pays for and denies the rest (insufficient_balance), never overdrawing', async () => {
      const { services } = newServices();
      const line = await fundedLine(1000);
      const result = await services.chargeUsage({ event_id: 'long-call', line_id: line.id, kind: 'voice', quantity: 100, at_ms: T0 });
      assert.deepEqual([result.granted, result.wallet_charge_minor, result.denied, result.denial_reason], [40, 1000, 60, 'insufficient_balance']);
      assert.equal(await walletBalance(t.database, line), 0);
      const next = await services.chargeUsage({ event_id: 'next-call', line_id: line.id, kind: 'voice', quantity: 5, at_ms: T0 });
      assert.deepEqual([next.granted, next.denied, next.denial_reason], [0, 5, 'no_allowance_or_balance']);
    });

    it('gives the denial reasons: no allowance or balance, pay-as-you-go disabled, line not active', async () => {
      const { services: sms_off } = newServices({ payg_disabled: ['sms'] });
      const empty = await fundedLine(0);
      const none = await sms_off.chargeUsage({ event_id: 'n', line_id: empty.id, kind: 'data', quantity: 10, at_ms: T0 });
      assert.deepEqual([none.granted, none.denied, none.denial_reason], [0, 10, 'no_allowance_or_balance']);

      const rich = await fundedLine(100_000);
      const disabled = await sms_off.chargeUsage({ event_id: 'p', line_id: rich.id, kind: 'sms', quantity: 2, at_ms: T0 });
      assert.deepEqual([disabled.granted, disabled.denied, disabled.denial_reason, disabled.wallet_charge_minor], [0, 2, 'pay_as_you_go_disabled', 0]);
      assert.equal(await walletBalance(t.database, rich), 100_000);

      const { services } = newServices();
      const suspended = await fundedLine(100_000);
      await services.activatePaidPackage({ line: { line_id: suspended.id }, package_code: PACKS.data_1gb_1d.code, paid_from_account_id: CLEARING, amount_minor: 19_000, package_price_id: null, idempotency_key: `sus:${suspended.id}` });
      await t.database.db.updateTable('lines').set({ status: 'suspended' }).where('id', '=', suspended.id).execute();
      const refused = await services.chargeUsage({ event_id: 'q', line_id: suspended.id, kind: 'data', quantity: 5000, at_ms: T0 });
      assert.deepEqual([refused.granted, refused.denied, refused.denial_reason, refused.draws], [0, 5000, 'line_not_active', []]);
      assert.equal(await walletBalance(t.database, suspended), 100_000);
      assert.equal((await bundlesOf(suspended))[0]?.data_bytes_remaining, GB);
      assert.equal((await errorOf(() => services.creditWallet({ line: { line_id: suspended.id }, amount_minor: 1, source_account_id: CLEARING, idempotency_key: `sus-topup:${suspended.id}` }))).code, 'ROAM_ERR_LINE_NOT_ACTIVE');
    });

    it('refuses an unknown line and invalid events, naming the field, and writes nothing', async () => {
      const { services } = newServices();
      const line = await fundedLine(10_000);
      const counts = await tableCounts(t.database);
      assert.equal((await errorOf(() => services.chargeUsage({ event_id: 'u', line_id: 'ln_nobody', kind: 'sms', quantity: 1, at_ms: T0 }))).code, 'ROAM_ERR_LINE_NOT_FOUND');
      assert.equal((await errorOf(() => services.chargeUsage({ event_id: 'u', msisdn: '+7 999 999-99-97', kind: 'sms', quantity: 1, at_ms: T0 }))).code, 'ROAM_ERR_LINE_NOT_FOUND');
      const valid = { event_id: 'ok', line_id: line.id, kind: 'sms', quantity: 1, at_ms: T0 };
      const cases: Array<[Partial<typeof valid> & { msisdn?: string }, string, string]> = [
        [{ event_id: '' }, 'ROAM_ERR_VALIDATION', 'event_id'],
        [{ event_id: '   ' }, 'ROAM_ERR_VALIDATION', 'event_id'],
        [{ event_id: 'x'.repeat(129) }, 'ROAM_ERR_VALIDATION', 'event_id'],
        [{ kind: 'mms' }, 'ROAM_ERR_VALIDATION', 'kind'],
        [{ quantity: 1.5 }, 'ROAM_ERR_VALIDATION', 'quantity'],
        [{ quantity: -1 }, 'ROAM_ERR_VALIDATION', 'quantity'],
        [{ quantity: Number.NaN }, 'ROAM_ERR_VALIDATION', 'quantity'],
        [{ quantity: 100_001 }, 'ROAM_ERR_VALIDATION', 'quantity'],
        [{ at_ms: -1 }, 'ROAM_ERR_VALIDATION', 'at'],
        [{ at_ms: Number.NaN }, 'ROAM_ERR_VALIDATION', 'at'],
        [{ line_id: '' }, 'ROAM_ERR_VALIDATION', 'line_id'],
        [{ line_id: undefined, msisdn: 'not a phone' }, 'ROAM_ERR_MSISDN_INVALID', 'msisdn'],
      ];
      for (const [change, code, field] of cases) {
        const error = await errorOf(() => services.chargeUsage({ ...valid, ...change }));
        assert.deepEqual([error.code, error.params.field], [code, field], JSON.stringify(change));
      }
      assert.deepEqual(await tableCounts(t.database), counts);
      assert.equal(await walletBalance(t.database, line), 10_000);
    });

    it('charges concurrent callers together (group commit) with each caller getting its own outcome', async () => {
      const { services } = newServices();
      const lines = [await fundedLine(1_000), await fundedLine(0), await fundedLine(0)];
      const at_ms = T0 + 1000;
      const calls = [
        ...Array.from({ length: 12 }, (_, index) => ({ event_id: `gc-${index}`, line_id: lines[index % 3]!.id, kind: 'data', quantity: 1_000_000, at_ms })),
        { event_id: 'gc-0', line_id: lines[0]!.id, kind: 'data', quantity: 1_000_000, at_ms },
        { event_id: 'gc-1', line_id: lines[1]!.id, kind: 'data', quantity: 7, at_ms },
        { event_id: 'gc-bad', line_id: lines[2]!.id, kind: 'fax', quantity: 1, at_ms },
        { event_id: 'gc-nobody', line_id: 'no-such-line', kind: 'sms', quantity: 1, at_ms },
      ];
      const settled = await Promise.allSettled(calls.map((input) => services.chargeUsage(input)));
      const outcomeOf = (index: number) => {
        const outcome = settled[index]!;
        return outcome.status === 'fulfilled' ? 'charged' : (outcome.reason as { code?: string }).code;
      };
      const distinct = [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
      assert.deepEqual(distinct.map(outcomeOf), distinct.map(() => 'charged'));
      // An event id sent twice at once: on PostgreSQL several transactions run in parallel, so which
      // of the two reaches the line first is not fixed — only that one is charged and the other is
      // answered from it (the same usage: a replay) or refused (other usage: a conflict).
      const [first, again] = [settled[0] as PromiseFulfilledResult<UsageResult>, settled[12]!];
      assert.equal(again.status, 'fulfilled');
      assert.deepEqual([first.value.replayed, again.value.replayed].sort(), [false, true]);
      assert.deepEqual({ ...again.value, replayed: first.value.replayed }, first.value);
      assert.deepEqual([outcomeOf(1), outcomeOf(13)].sort(), ['ROAM_ERR_USAGE_EVENT_CONFLICT', 'charged']);
      assert.deepEqual([outcomeOf(14), outcomeOf(15)], ['ROAM_ERR_VALIDATION', 'ROAM_ERR_LINE_NOT_FOUND']);
      const rows = (await Promise.all(lines.map(usageRows))).flat();
      assert.equal(rows.length, 12, 'each distinct event charged once');
      assert.deepEqual(await chargingViolations(t.database.db, lines.map((line) => line.id)), []);
    });
  });

  describe('chargeUsageBatch', () => {
    it('charges the good events and reports each bad one in its slot; duplicates inside the batch are replays or conflicts', async () => {
      const { services } = newServices();
      const line = await fundedLine(10_000);
      const other = await fundedLine(0);
      await services.chargeUsage({ event_id: 'before-batch', line_id: line.id, kind: 'sms', quantity: 1, at_ms: T0 });
      const counts = await tableCounts(t.database);
      const outcomes = await services.chargeUsageBatch([
        /* 0 */ { event_id: 'a', line_id: line.id, kind: 'sms', quantity: 2, at_ms: T0 },
        /* 1 */ { event_id: 'b', line_id: line.id, kind: 'fax', quantity: 2, at_ms: T0 },
        /* 2 */ { event_id: 'c', line_id: 'ln_nobody', kind: 'sms', quantity: 2, at_ms: T0 },
        /* 3 */ { event_id: 'a', msisdn: spellings(line.msisdn)[1], kind: 'sms', quantity: 2, at_ms: T0 },
        /* 4 */ { event_id: 'a', line_id: line.id, kind: 'sms', quantity: 3, at_ms: T0 },
        /* 5 */ { event_id: 'd', msisdn: spellings(line.msisdn)[0], kind: 'voice', quantity: 60, at_ms: T0 },
        /* 6 */ { event_id: 'e', msisdn: '12', kind: 'sms', quantity: 1, at_ms: T0 },
        /* 7 */ { event_id: 'before-batch', line_id: line.id, kind: 'sms', quantity: 1, at_ms: T0 },
        /* 8 */ { event_id: 'a', line_id: other.id, kind: 'sms', quantity: 1, at_ms: T0 },
        /* 9 */ { event_id: 'f', line_id: line.id, kind: 'sms', quantity: -4, at_ms: T0 },
      ]);
      const summary = outcomes.map((outcome) => (outcome.ok
        ? { ok: true, replayed: outcome.result.replayed, charge: outcome.result.wallet_charge_minor, denied: outcome.result.denied }
        : { ok: false, code: outcome.error.code, field: outcome.error.params.field }));
      assert.deepEqual(summary, [
        { ok: true, replayed: false, charge: 1000, denied: 0 },
        { ok: false, code: 'ROAM_ERR_VALIDATION', field: 'kind' },
        { ok: false, code: 'ROAM_ERR_LINE_NOT_FOUND', field: undefined },
        { ok: true, replayed: true, charge: 1000, denied: 0 },
        { ok: false, code: 'ROAM_ERR_USAGE_EVENT_CONFLICT', field: undefined },
        { ok: true, replayed: false, charge: 1500, denied: 0 },
        { ok: false, code: 'ROAM_ERR_MSISDN_INVALID', field: 'msisdn' },
        { ok: true, replayed: true, charge: 500, denied: 0 },
        { ok: true, replayed: false, charge: 0, denied: 1 },
        { ok: false, code: 'ROAM_ERR_VALIDATION', field: 'quantity' },
      ]);
      const first = outcomes[0];
      const duplicate = outcomes[3];
      assert.ok(first?.ok && duplicate?.ok);
      assert.deepEqual(duplicate.result, { ...first.result, replayed: true } satisfies UsageResult);
      assert.equal(await walletBalance(t.database, line), 10_000 - 500 - 1000 - 1500);
      const after = await tableCounts(t.database);
      assert.equal(after.usage_events, counts.usage_events + 3);
      assert.equal(after.journal_entries, counts.journal_entries + 2);
    });

    it('events of one batch see each other: the wallet runs dry part-way through', async () => {
      const { services } = newServices();
      const line = await fundedLine(1_200);
      const outcomes = await services.chargeUsageBatch([1, 2, 3].map((n) => ({ event_id: `sms-${n}`, line_id: line.id, kind: 'sms', quantity: 1, at_ms: T0 })));
      assert.deepEqual(outcomes.map((o) => (o.ok ? [o.result.granted, o.result.wallet_charge_minor, o.result.denial_reason] : o.error.code)), [[1, 500, null], [1, 500, null], [0, 0, 'insufficient_balance']]);
      assert.equal(await walletBalance(t.database, line), 200);
    });

    it('an empty batch is fine', async () => {
      const { services } = newServices();
      assert.deepEqual(await services.chargeUsageBatch([]), []);
    });
  });

  it('after everything above: the ledger and charging invariants hold', async () => {
    assert.deepEqual(await chargingViolations(t.database.db), []);
  });
});
