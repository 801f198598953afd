import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { MS_PER_HOUR } from '../../core/units.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';

/**
 * The service state as lineOverview reads it from the database: the demo lines, with pay-as-you-go
 * off for data (so an empty data pack is not rescued by the balance), a network block set and
 * lifted through the service, the data pack used up, then ended, then forgotten; a suspended line.
 */

const LINE_1 = '+79001234567';
const LINE_2 = '+79001234568';

describeEachDatabase('the service state in the line overview', (test_db) => {
  let seeded: SeededContext;
  before(async () => {
    seeded = await seededContext(test_db.database, { PAYG_DATA_KOPECKS_PER_MB: 'off' });
  });

  const overview = (msisdn: string) => seeded.context.services.lineOverview({ msisdn });

  it('a demo line with its data pack and 500 roubles: everything works', async () => {
    const { service } = await overview(LINE_1);
    assert.deepEqual(service.kinds.data, { kind: 'data', available: true, via: 'packs' });
    assert.deepEqual(service.kinds.voice, { kind: 'voice', available: true, via: 'balance' });
    assert.deepEqual(service.off, []);
  });

  it('a network block: the kinds it stops are off until its end; lifted, they work again', async () => {
    const ends_at_ms = seeded.clock.now_ms() + 24 * MS_PER_HOUR;
    const { result: block } = await seeded.context.network_blocks.setBlock(
      { msisdn: LINE_1, reason: 'arrival_cooling_off', kinds: ['data', 'sms'], ends_at_ms }, 'overview-test-block',
    );
    const blocked = (await overview(LINE_1)).service;
    assert.deepEqual(blocked.off.map((off) => off.kind), ['data', 'sms']);
    const data = blocked.kinds.data;
    assert.ok(!data.available && data.reason === 'network_block');
    assert.deepEqual(data.block, { id: block.id, reason: 'arrival_cooling_off', ends_at_ms });
    assert.equal((await overview(LINE_1)).bundles.length, 1, 'the packs are still listed');
    seeded.clock.advance(MS_PER_HOUR);
    await seeded.context.network_blocks.liftBlock(block.id, 'call-centre');
    assert.deepEqual((await overview(LINE_1)).service.off, []);
  });

  it('the data pack used up, then ended, then beyond the look-back', async () => {
    const before_use = await overview(LINE_1);
    const bundle = before_use.bundles[0]!.bundle;
    const at_ms = seeded.clock.now_ms();
    await seeded.context.services.chargeUsage({
      event_id: 'overview-use-it-all', line_id: before_use.line.id, kind: 'data', quantity: bundle.data_bytes_remaining, at_ms,
    });
    const used = await overview(LINE_1);
    assert.deepEqual(used.bundles, [], 'an empty pack is no longer a live pack');
    const data = used.service.kinds.data;
    assert.ok(!data.available && data.reason === 'pack_used_up');
    assert.equal(data.pack.package_code, 'data-5gb-7d');
    assert.equal(data.pack.names.en, '5 GB data, 7 days');

    seeded.clock.set(bundle.expires_at_ms + MS_PER_HOUR);
    await seeded.context.services.expireBundles();
    const ended = (await overview(LINE_1)).service.kinds.data;
    assert.ok(!ended.available && ended.reason === 'pack_expired');
    assert.equal(ended.expired_at_ms, bundle.expires_at_ms);

    seeded.clock.advance(8 * 24 * MS_PER_HOUR);
    const forgotten = (await overview(LINE_1)).service.kinds.data;
    assert.ok(!forgotten.available && forgotten.reason === 'no_pack_no_balance');
    assert.equal(forgotten.pay_as_you_go, false, 'PAYG_DATA is off');
  });

  it('no pack and no money; then a top-up makes calls work from the balance', async () => {
    const { service, line } = await overview(LINE_2);
    const voice = service.kinds.voice;
    assert.ok(!voice.available && voice.reason === 'no_pack_no_balance' && voice.pay_as_you_go);
    await seeded.context.services.creditWallet({
      line: { line_id: line.id }, amount_minor: 1500, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'overview-top-up', memo: 'test',
    });
    assert.deepEqual((await overview(LINE_2)).service.kinds.voice, { kind: 'voice', available: true, via: 'balance' });
  });

  it('a suspended line: nothing works', async () => {
    await test_db.database.db.updateTable('lines').set({ status: 'suspended' }).where('msisdn', '=', LINE_2).execute();
    const { service } = await overview(LINE_2);
    assert.deepEqual(service.off.map((off) => off.reason), ['line_not_active', 'line_not_active', 'line_not_active']);
  });
});
