import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { tariffRate } from '../../core/charging-plan.js';
import { costMinor } from '../../core/money.js';
import { BYTES_PER_MB, type UsageKind } from '../../core/units.js';
import type { Database } from '../../db/database.js';
import { ManualClock } from '../../ports/clock.js';
import { chargingViolations, usageRowCounts } from '../../testing/charging-invariants.js';
import {
  defineTestPack,
  ensureTestAccounts,
  openTestLine,
  SANDBOX_CLEARING_ACCOUNT_ID,
  TEST_EPOCH_MS,
  TEST_TARIFF,
  testTariffFor,
  walletBalance,
} from '../../testing/charging-fixtures.js';
import { createTestDatabase, POSTGRES_SKIP_REASON, TEST_DATABASE_URL } from '../../testing/databases.js';
import { createServices, type Services } from '../index.js';
import type { UsageInput, UsageResult } from './usage.js';

/**
 * PostgreSQL under real concurrency: a pool of 16 connections and thousands of concurrent calls on
 * ONE line, so every call queues on the same row lock. Exact totals afterwards, no timed assertions;
 * the measured rate is printed as a first throughput figure.
 */

const POOL_SIZE = 16;
const UNIQUE_EVENTS = 3_200;
const DUPLICATE_CALLS = 800;
const WALLET_START_MINOR = 200_000;
const SEED = 20_240_601;

const COMBO = { code: 'conc-combo', data_mb: 256, voice_minutes: 30, sms_count: 20, validity_hours: 720, price_minor: 50_000 };
const SMALL = { code: 'conc-sms', sms_count: 1, validity_hours: 720, price_minor: 1_500 };

/** mulberry32: a tiny seeded generator, so a failing run can be repeated exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('concurrent charging on one line [postgres]', { skip: TEST_DATABASE_URL ? false : POSTGRES_SKIP_REASON }, () => {
  let database: Database;
  let dispose: () => Promise<void>;
  let services: Services;
  const clock = new ManualClock(TEST_EPOCH_MS);

  before(async () => {
    ({ database, dispose } = await createTestDatabase('postgres', { pool_size_max: POOL_SIZE }));
    services = createServices({ database, clock, tariffFor: testTariffFor() });
    await ensureTestAccounts(database, clock.now_ms());
    await defineTestPack(database, COMBO, clock.now_ms());
    await defineTestPack(database, SMALL, clock.now_ms());
  });
  after(async () => {
    await dispose?.();
  });

  it(`${UNIQUE_EVENTS + DUPLICATE_CALLS} concurrent chargeUsage calls (${DUPLICATE_CALLS} duplicates) on one line: exact totals`, async () => {
    const line = await openTestLine(database, clock.now_ms());
    await services.creditWallet({ line: { line_id: line.id }, amount_minor: WALLET_START_MINOR, source_account_id: SANDBOX_CLEARING_ACCOUNT_ID, idempotency_key: `start:${line.id}` });
    const { bundle } = await services.activatePaidPackage({
      line: { line_id: line.id }, package_code: COMBO.code, paid_from_account_id: SANDBOX_CLEARING_ACCOUNT_ID, amount_minor: COMBO.price_minor, package_price_id: null, idempotency_key: `combo:${line.id}`,
    });

    const next = random(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const national = line.msisdn.slice(2);
    const refs = [{ line_id: line.id }, { msisdn: line.msisdn }, { msisdn: `8${national}` }, { msisdn: `+7 ${national.slice(0, 3)} ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}` }];
    const unique: UsageInput[] = Array.from({ length: UNIQUE_EVENTS }, (_, index) => {
      const roll = next();
      const kind: UsageKind = roll < 0.7 ? 'data' : roll < 0.9 ? 'voice' : 'sms';
      const quantity = kind === 'data' ? 1 + Math.floor(next() * 400_000) : kind === 'voice' ? 1 + Math.floor(next() * 120) : 1 + Math.floor(next() * 3);
      return { event_id: `cdr-${index}`, ...pick(refs), kind, quantity, at_ms: clock.now_ms() };
    });
    const calls = [...unique, ...Array.from({ length: DUPLICATE_CALLS }, () => ({ ...pick(unique), ...pick(refs) }))];
    for (let index = calls.length - 1; index > 0; index -= 1) {
      const other = Math.floor(next() * (index + 1));
      [calls[index], calls[other]] = [calls[other]!, calls[index]!];
    }

    const started_ms = performance.now();
    const results = await Promise.all(calls.map((input) => services.chargeUsage(input)));
    const elapsed_ms = performance.now() - started_ms;
    console.log(`[postgres] ${calls.length} concurrent charges on one line, pool ${POOL_SIZE}: ${elapsed_ms.toFixed(0)} ms, ${(calls.length / (elapsed_ms / 1000)).toFixed(0)} charges/s`);

    // Each event id: exactly one first charge; every duplicate returned the identical result as a replay.
    const byEvent = new Map<string, UsageResult[]>();
    for (const result of results) byEvent.set(result.event_id, [...(byEvent.get(result.event_id) ?? []), result]);
    assert.equal(byEvent.size, UNIQUE_EVENTS);
    let replays = 0;
    const firsts: UsageResult[] = [];
    for (const [event_id, outcomes] of byEvent) {
      const first = outcomes.filter((result) => !result.replayed);
      assert.equal(first.length, 1, `event ${event_id} charged ${first.length} times`);
      firsts.push(first[0]!);
      for (const replay of outcomes.filter((result) => result.replayed)) {
        assert.deepEqual(replay, { ...first[0]!, replayed: true });
        replays += 1;
      }
    }
    assert.equal(replays, DUPLICATE_CALLS);
    const rows = await usageRowCounts(database.db, [line.id]);
    assert.equal(rows.size, UNIQUE_EVENTS);
    assert.ok([...rows.values()].every((n) => n === 1));

    // Exact totals: bundle = total − what was granted from it; wallet = start − what was charged.
    const stored = await database.db.selectFrom('bundles').selectAll().where('id', '=', bundle.id).executeTakeFirstOrThrow();
    const from_bundles = { data: 0, voice: 0, sms: 0 };
    let charged_minor = 0;
    let denied_for_money = false;
    for (const result of firsts) {
      assert.equal(result.from_bundles + result.from_wallet + result.denied, result.quantity);
      from_bundles[result.kind] += result.from_bundles;
      charged_minor += result.wallet_charge_minor;
      const { rate_minor, unit_size } = tariffRate(TEST_TARIFF, result.kind);
      assert.equal(result.wallet_charge_minor, costMinor(result.from_wallet, rate_minor, unit_size));
      if (result.denial_reason === 'insufficient_balance' || result.denial_reason === 'no_allowance_or_balance') denied_for_money = true;
    }
    assert.equal(Number(stored.data_bytes_remaining), Number(stored.data_bytes_total) - from_bundles.data);
    assert.equal(Number(stored.voice_seconds_remaining), Number(stored.voice_seconds_total) - from_bundles.voice);
    assert.equal(Number(stored.sms_remaining), Number(stored.sms_total) - from_bundles.sms);
    const demand = { data: 0, voice: 0, sms: 0 };
    for (const input of unique) demand[input.kind as UsageKind] += input.quantity;
    assert.deepEqual(
      [Number(stored.data_bytes_remaining), Number(stored.voice_seconds_remaining), Number(stored.sms_remaining)],
      [
        Math.max(0, COMBO.data_mb * BYTES_PER_MB - demand.data),
        Math.max(0, COMBO.voice_minutes * 60 - demand.voice),
        Math.max(0, COMBO.sms_count - demand.sms),
      ],
      'the bundle is used to the full before anything else',
    );
    const wallet = await walletBalance(database, line);
    assert.equal(wallet, WALLET_START_MINOR - charged_minor);
    assert.ok(wallet >= 0);
    // The scenario is built to run the wallet dry; once dry, what is left cannot pay for one SMS.
    assert.ok(denied_for_money, 'the wallet ran dry during the run');
    assert.ok(wallet < TEST_TARIFF.sms_minor_per_message, `wallet ${wallet}`);
    const usage_entries = await database.db.selectFrom('journal_entries').select(sql<string>`count(*)`.as('n')).where('line_id', '=', line.id).where('kind', '=', 'usage_charge').executeTakeFirstOrThrow();
    assert.equal(Number(usage_entries.n), firsts.filter((result) => result.wallet_charge_minor > 0).length);
    assert.deepEqual(await chargingViolations(database.db), []);
  });

  it('concurrent creditWallet with one idempotency key from every connection: exactly one entry', async () => {
    const line = await openTestLine(database, clock.now_ms());
    const key = `same-key:${line.id}`;
    const started_ms = performance.now();
    const results = await Promise.all(Array.from({ length: 64 }, () =>
      services.creditWallet({
        line: { line_id: line.id }, amount_minor: 12_345, source_account_id: SANDBOX_CLEARING_ACCOUNT_ID, idempotency_key: key,
      })));
    console.log(`[postgres] 64 concurrent top-ups with one key: ${(performance.now() - started_ms).toFixed(0)} ms`);
    assert.equal(new Set(results.map((result) => result.entry_id)).size, 1);
    assert.equal(results.filter((result) => !result.replayed).length, 1);
    const entries = await database.db.selectFrom('journal_entries').select('id').where('idempotency_key', '=', key).execute();
    assert.deepEqual(entries.map((entry) => entry.id), [results[0]!.entry_id]);
    assert.equal(await walletBalance(database, line), 12_345);
    assert.deepEqual(await chargingViolations(database.db), []);
  });

  it('concurrent top-ups and purchases on one line: every kopeck accounted for', async () => {
    const line = await openTestLine(database, clock.now_ms());
    const top_ups = Array.from({ length: 150 }, (_, index) => () =>
      services.creditWallet({ line: { line_id: line.id }, amount_minor: 1_000, source_account_id: SANDBOX_CLEARING_ACCOUNT_ID, idempotency_key: `t${index}:${line.id}` }).then(() => 'top_up'));
    const purchases = Array.from({ length: 120 }, (_, index) => () =>
      services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: SMALL.code, channel: 'app', idempotency_key: `b${index}:${line.id}` })
        .then(() => 'bought', (error: { code?: string }) => {
          assert.equal(error.code, 'ROAM_ERR_INSUFFICIENT_FUNDS');
          return 'refused';
        }));
    const next = random(SEED + 1);
    const work = [...top_ups, ...purchases].sort(() => next() - 0.5);
    const outcomes = await Promise.all(work.map((call) => call()));
    const bought = outcomes.filter((outcome) => outcome === 'bought').length;
    assert.ok(bought > 0 && bought <= 100);
    assert.equal(await walletBalance(database, line), 150 * 1_000 - bought * SMALL.price_minor);
    const bundles = await database.db.selectFrom('bundles').select(sql<string>`count(*)`.as('n')).where('line_id', '=', line.id).executeTakeFirstOrThrow();
    assert.equal(Number(bundles.n), bought);
    assert.deepEqual(await chargingViolations(database.db), []);
  });

  it('concurrent reversals of one entry: exactly one succeeds, the others are refused as already reversed', async () => {
    const line = await openTestLine(database, clock.now_ms());
    const { entry_id } = await services.creditWallet({ line: { line_id: line.id }, amount_minor: 5_000, source_account_id: SANDBOX_CLEARING_ACCOUNT_ID, idempotency_key: `rev:${line.id}` });
    const outcomes = await Promise.all(Array.from({ length: 32 }, () =>
      services.reverseEntry(entry_id, 'concurrent correction').then(() => 'reversed', (error: { code?: string; message?: string }) => error.code ?? `unexpected: ${error.message}`)));
    assert.deepEqual(
      outcomes.reduce<Record<string, number>>((tally, outcome) => ({ ...tally, [outcome]: (tally[outcome] ?? 0) + 1 }), {}),
      { reversed: 1, ROAM_ERR_ENTRY_ALREADY_REVERSED: 31 },
    );
    assert.equal(await walletBalance(database, line), 0);
    assert.deepEqual(await chargingViolations(database.db), []);
  });

  it('reversing a top-up while the line is being charged never fails a charge (the wallet never drops under a charge)', async () => {
    // Each round: the wallet holds exactly one top-up, and its reversal races the first charges. A
    // charge plans against the wallet it read under the line lock; if a reversal could take that
    // money away before the charge writes, the charge would fail with ROAM_ERR_INSUFFICIENT_FUNDS.
    const ROUNDS = 30;
    for (let round = 0; round < ROUNDS; round += 1) {
      const line = await openTestLine(database, clock.now_ms());
      const top_up = await services.creditWallet({ line: { line_id: line.id }, amount_minor: 50_000, source_account_id: SANDBOX_CLEARING_ACCOUNT_ID, idempotency_key: `race:${line.id}` });
      const charge = (index: number) => services.chargeUsage({ event_id: `v${index}`, line_id: line.id, kind: 'voice', quantity: 10, at_ms: clock.now_ms() }).then((result) => result.wallet_charge_minor);
      const reversal = services.reverseEntry(top_up.entry_id, 'chargeback').then(() => 'reversed', (error: { code?: string; message?: string }) => error.code ?? `unexpected: ${error.message}`);
      const [first, second, reversed, third, fourth] = await Promise.all([charge(0), charge(1), reversal, charge(2), charge(3)]);
      const charged_minor = [first, second, third, fourth].reduce((sum, value) => sum + value, 0);
      assert.ok(reversed === 'reversed' || reversed === 'ROAM_ERR_INSUFFICIENT_FUNDS', reversed);
      assert.equal(await walletBalance(database, line), (reversed === 'reversed' ? 0 : 50_000) - charged_minor);
    }
    assert.deepEqual(await chargingViolations(database.db), []);
  });
});
