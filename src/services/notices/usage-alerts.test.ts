import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Language } from '../../core/i18n/languages.js';
import { inTransaction } from '../../db/transaction.js';
import type { Line } from '../lines/lines.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { DEMO_START_MS, openDemoLikeLine, seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { saveAlertSettings, type AlertSettings } from './alert-settings.js';
import { EXPIRY_ALERT_LEAD_MS } from './expiry-alerts.js';
import { NOTICE_TEST_AUTH_SECRET, noticesOf } from '../../testing/sent-notices.js';

/** openDemoLikeLine: the 5 GB / 7 days pack with 700 MB used (13.7 %). */
const PACK_BYTES = 5 * 1024 * 1_048_576;
const USED_BYTES = 734_003_200;
const LEFT_BYTES = PACK_BYTES - USED_BYTES;
/** Equal slices of what is left: every threshold is crossed by one event, never two at once. */
const SLICES = 40;
const SLICE_BYTES = LEFT_BYTES / SLICES;

describeEachDatabase('usage and expiry alerts', (t) => {
  let seeded: SeededContext;
  before(async () => {
    seeded = await seededContext(t.database, { AUTH_SECRET: NOTICE_TEST_AUTH_SECRET, SMS_NOTICES_PER_NUMBER_DAY_MAX: '20' });
  });

  async function newLine(language: Language = 'en'): Promise<{ line: Line; bundle_id: string }> {
    seeded.clock.set(DEMO_START_MS);
    const line = await openDemoLikeLine(seeded, language, 'Europe/Moscow');
    const bundle = await t.database.db.selectFrom('bundles').select('id').where('line_id', '=', line.id).executeTakeFirstOrThrow();
    return { line, bundle_id: bundle.id };
  }

  function settle(line: Line, settings: AlertSettings) {
    return inTransaction(t.database, (trx) => saveAlertSettings(trx, line.id, settings, seeded.clock.now_ms()));
  }

  /** Uses up the pack in equal slices, all at once (the group commit makes batches of them). */
  async function useUpConcurrently(line: Line, prefix: string): Promise<void> {
    const { services } = seeded.context;
    const results = await Promise.all(Array.from({ length: SLICES }, (_, index) => services.chargeUsage({
      event_id: `${prefix}-${index}`, line_id: line.id, kind: 'data', quantity: SLICE_BYTES, at_ms: seeded.clock.now_ms(),
    })));
    assert.ok(results.every((result) => result.from_bundles === SLICE_BYTES), 'every slice came from the pack');
  }

  it(`fires 80 % and 100 % exactly once each under ${SLICES} concurrent charges, in the line's language, ending with how to renew`, async () => {
    assert.ok(Number.isInteger(SLICE_BYTES));
    const { line, bundle_id } = await newLine('en');
    await useUpConcurrently(line, 'concurrent');
    // Replays of the same events change nothing.
    await useUpConcurrently(line, 'concurrent');
    const sent = await noticesOf(t.database, line.id);
    assert.deepEqual(sent.map((notice) => [notice.cause, notice.dedupe_key, notice.status]), [
      ['usage_threshold', `${bundle_id}:data:80`, 'queued'],
      ['usage_threshold', `${bundle_id}:data:100`, 'queued'],
    ]);
    assert.match(sent[0]!.text!, /^You have used 80% of the data in 5 GB data, 7 days: \d{3} MB left\. Renew: dial #102# or http:\/\/localhost:3000\/renew$/);
    assert.equal(sent[1]!.text, 'The data in 5 GB data, 7 days is used up. Renew: dial #102# or http://localhost:3000/renew');
  });

  it('fires once per threshold through the batch path (usage files) as through single charges', async () => {
    const { line, bundle_id } = await newLine('ru');
    const events = Array.from({ length: SLICES }, (_, index) => ({
      event_id: `batch-${index}`, line_id: line.id, kind: 'data', quantity: SLICE_BYTES, at_ms: seeded.clock.now_ms(),
    }));
    const first = await seeded.context.services.chargeUsageBatch(events.slice(0, 30));
    assert.ok(first.every((outcome) => outcome.ok));
    assert.deepEqual((await noticesOf(t.database, line.id)).length, 0, '30 slices stay below 80 %');
    await seeded.context.services.chargeUsageBatch(events); // the first 30 again (replays) and the last 10
    const sent = await noticesOf(t.database, line.id);
    assert.deepEqual(sent.map((notice) => notice.dedupe_key), [`${bundle_id}:data:80`, `${bundle_id}:data:100`]);
    assert.match(sent[0]!.text!, /^Израсходовано 80% интернета, осталось \d{3} МБ\. Продлить: #102#$/);
    assert.equal(sent[1]!.text, 'Интернет по пакету закончились. Продлить: #102#');
  });

  it('follows the customer\'s thresholds, and sends nothing with alerts off', async () => {
    const custom = await newLine('zh-Hant');
    await settle(custom.line, { alerts_enabled: true, usage_thresholds_percent: [50, 90], expiry_alert: true });
    await useUpConcurrently(custom.line, 'custom');
    const sent = await noticesOf(t.database, custom.line.id);
    assert.deepEqual(sent.map((notice) => notice.dedupe_key), [`${custom.bundle_id}:data:50`, `${custom.bundle_id}:data:90`]);
    assert.match(sent[0]!.text!, /^「5GB 流量 7天」的流量已用50%，剩餘\d\.\d GB。續費請撥#102#或前往http:\/\/localhost:3000\/renew$/);

    const off = await newLine('en');
    await settle(off.line, { alerts_enabled: false, usage_thresholds_percent: [80, 100], expiry_alert: true });
    await useUpConcurrently(off.line, 'off');
    assert.deepEqual(await noticesOf(t.database, off.line.id), []);
  });

  it('announces a pack ending within 24 hours once, only with something left, not with the expiry alert off', async () => {
    const announced = await newLine('en');
    const used_up = await newLine('en');
    await seeded.context.services.chargeUsage({ event_id: 'all', line_id: used_up.line.id, kind: 'data', quantity: LEFT_BYTES, at_ms: seeded.clock.now_ms() });
    const quiet = await newLine('en');
    await settle(quiet.line, { alerts_enabled: true, usage_thresholds_percent: [], expiry_alert: false });
    const { notices } = seeded.context;

    const expires_at_ms = DEMO_START_MS + 7 * 24 * 3_600_000;
    seeded.clock.set(expires_at_ms - EXPIRY_ALERT_LEAD_MS - 1);
    await notices.sweepExpiringPacks();
    assert.deepEqual(await noticesOf(t.database, announced.line.id), [], 'not yet: more than 24 hours left');

    seeded.clock.set(expires_at_ms - EXPIRY_ALERT_LEAD_MS + 60_000);
    const counts = [await notices.sweepExpiringPacks(), await notices.sweepExpiringPacks()];
    assert.ok(counts[0]! >= 1 && counts[1] === 0, `the second sweep finds nothing new: ${counts.join(', ')}`);
    const sent = await noticesOf(t.database, announced.line.id);
    assert.deepEqual(sent.map((notice) => [notice.cause, notice.dedupe_key]), [['expiry_soon', announced.bundle_id]]);
    assert.equal(sent[0]!.text, '5 GB data, 7 days ends 3 Dec 12:00. Renew: dial #102# or http://localhost:3000/renew');
    assert.equal(sent[0]!.send_before_ms, expires_at_ms, 'not sent once the pack has ended');
    assert.deepEqual((await noticesOf(t.database, used_up.line.id)).map((notice) => notice.cause), ['usage_threshold'], 'used up: no expiry alert');
    assert.deepEqual(await noticesOf(t.database, quiet.line.id), []);
    seeded.clock.set(DEMO_START_MS);
  });
});
