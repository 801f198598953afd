import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { paygTariff, loadConfig } from '../../config.js';
import { newId } from '../../core/ids.js';
import { inTransaction } from '../../db/transaction.js';
import { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seedDemo } from '../demo/seed.js';
import { cashDrawerAccountId, ensureLedgerAccount, partnerSettlementAccountId } from '../ledger/accounts.js';
import { NEAREST_STORES_MAX, StoreFinder } from './store-finder.js';

/** Wednesday 26 November 2025, 12:00 in Moscow: 19:00 in Vladivostok. */
const NOON_MOSCOW_MS = Date.UTC(2025, 10, 26, 9, 0);
/** A few steps from Perekrestok on Tverskaya 7. */
const NEAR_TVERSKAYA = { latitude: 55.758, longitude: 37.613 };

describeEachDatabase('store finder', (test_db) => {
  const clock = new ManualClock(NOON_MOSCOW_MS);
  let finder: StoreFinder;

  before(async () => {
    await seedDemo(test_db.database, paygTariff(loadConfig({ LOG_LEVEL: 'silent' })), NOON_MOSCOW_MS);
    finder = new StoreFinder({ database: test_db.database, clock });
  });

  it('lists the cities that have stores, by name', async () => {
    assert.deepEqual(await finder.cities(), ['Kazan', 'Moscow', 'Saint Petersburg', 'Vladivostok']);
  });

  it('lists a city\'s stores, service halls first, with their hours read and open now in their own zone', async () => {
    const moscow = await finder.findStores({ city: 'Moscow' });
    assert.deepEqual(moscow.map((store) => store.code), ['svo-hall', 'perekrestok-arbat', 'perekrestok-tverskaya']);
    const tverskaya = moscow.find((store) => store.code === 'perekrestok-tverskaya');
    assert.deepEqual(
      { ...tverskaya, opening_hours: undefined },
      {
        code: 'perekrestok-tverskaya', kind: 'partner_store', chain: 'Perekrestok', name: 'Perekrestok, Tverskaya 7', city: 'Moscow',
        address: 'Tverskaya St 7', address_ru: 'Тверская улица, 7', time_zone: 'Europe/Moscow',
        location: { latitude: tverskaya?.location.latitude, longitude: tverskaya?.location.longitude },
        opening_hours_text: '24/7', opening_hours: undefined, open_now: true, at_ms: NOON_MOSCOW_MS, renews: true, distance_m: null,
      },
    );
    assert.ok(Math.abs((tverskaya?.location.latitude ?? 0) - 55.7578) < 1e-4, 'PostgreSQL keeps the coordinate as a real');
    assert.equal(tverskaya?.opening_hours?.week.length, 7);
    assert.deepEqual(await finder.findStores({ city: 'Atlantis' }), []);
    assert.equal((await finder.findStores()).length, 7, 'no city: every store');
  });

  it('tells open from closed at the clock\'s instant, in each store\'s zone', async () => {
    const open = async () => Object.fromEntries((await finder.findStores()).map((store) => [store.code, store.open_now]));
    // 12:00 in Moscow, 19:00 in Vladivostok (Magnit there is open 08:00–23:00).
    assert.equal((await open())['magnit-vladivostok'], true);
    clock.set(Date.UTC(2025, 10, 26, 13, 30)); // 16:30 Moscow, 23:30 Vladivostok
    const evening = await open();
    assert.deepEqual([evening['magnit-vladivostok'], evening['svo-hall'], evening['perekrestok-tverskaya']], [false, true, true]);
    clock.set(Date.UTC(2025, 10, 29, 7, 30)); // Saturday 10:30 Moscow: the Nevsky hall opens at 11:00 on weekends
    const saturday = await open();
    assert.deepEqual([saturday['led-hall'], saturday['magnit-kazan']], [false, true]);
    clock.set(NOON_MOSCOW_MS);
  });

  it('lists every store nearest first with its distance in metres', async () => {
    const near = await finder.findStores({ near: NEAR_TVERSKAYA });
    assert.deepEqual(near.map((store) => store.code), [
      'perekrestok-tverskaya', 'perekrestok-arbat', 'svo-hall', 'perekrestok-nevsky', 'led-hall', 'magnit-kazan', 'magnit-vladivostok',
    ]);
    const [first, second] = near;
    assert.ok((first?.distance_m ?? Infinity) < 100, `${first?.distance_m} m`);
    assert.ok(Math.abs((second?.distance_m ?? 0) - 1_500) < 300, `Arbat 24 is about 1.5 km away: ${second?.distance_m} m`);
    const in_city = await finder.findStores({ city: 'Saint Petersburg', near: NEAR_TVERSKAYA });
    assert.deepEqual(in_city.map((store) => store.code), ['perekrestok-nevsky', 'led-hall'], 'a city and a point: that city, nearest first');
  });

  it('shows a store whose hours it cannot read without "open now", says no renewal where the agent is switched off, and stops at the limit', async () => {
    const { database } = test_db;
    await inTransaction(database, async (trx) => {
      const settlement = partnerSettlementAccountId('test-chain');
      await ensureLedgerAccount(trx, { id: settlement, kind: 'partner_settlement', name: 'Test chain' }, NOON_MOSCOW_MS);
      const partner_id = 'prt_test_chain';
      await trx.insertInto('partners').values({
        id: partner_id, code: 'test-chain', name: 'Test chain', chain: 'Test', agent_name: 'OOO Test', agent_inn: '7707083893',
        time_zone: 'Europe/Moscow', settlement_account_id: settlement, sells_packs: 1, sum_min_minor: 100, sum_max_minor: 1_500_000,
        allowed_addresses: '10.0.0.1', registry_accounts: 'masked', enabled: 0, created_at_ms: NOON_MOSCOW_MS, updated_at_ms: NOON_MOSCOW_MS,
      }).execute();
      for (let index = 0; index < NEAREST_STORES_MAX + 3; index += 1) {
        await trx.insertInto('stores').values({
          id: newId('store'), code: `test-${index}`, kind: 'partner_store', chain: 'Test', name: `Test ${String(index).padStart(2, '0')}`,
          city: 'Testgrad', address: `Test St ${index}`, address_ru: null, time_zone: index === 1 ? 'Mars/Olympus_Mons' : 'Europe/Moscow',
          latitude: 10 + index / 100, longitude: 10, opening_hours: index === 0 ? 'Mo-Fr 10:00-21:00; PH off' : '24/7', renews: 1,
          cash_account_id: cashDrawerAccountId('svo-hall'), created_at_ms: NOON_MOSCOW_MS, partner_id,
        }).execute();
      }
    });
    const testgrad = await finder.findStores({ city: 'Testgrad' });
    const [unreadable, unknown_zone, plain] = testgrad;
    assert.deepEqual([unreadable?.opening_hours, unreadable?.open_now, unreadable?.opening_hours_text], [null, null, 'Mo-Fr 10:00-21:00; PH off']);
    assert.deepEqual([unknown_zone?.opening_hours?.week.length, unknown_zone?.open_now], [7, null]);
    assert.equal(plain?.open_now, true);
    assert.ok(testgrad.every((store) => !store.renews), 'the agent is switched off');
    const near = await finder.findStores({ near: { latitude: 10, longitude: 10 } });
    assert.equal(near.length, NEAREST_STORES_MAX);
    assert.equal(near[0]?.code, 'test-0');
  });
});
