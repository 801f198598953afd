import { sql } from 'kysely';
import { formatShortDateTime } from '../../core/i18n/format.js';
import type { Database } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import { findPackage } from '../catalog/catalog.js';
import { expiryAlertText } from './notice-texts.js';
import { queueNotice, renewalLink, type Notices } from './notices.js';

/**
 * The expiry alert: a pack that ends within the next 24 hours and still has something left is
 * announced once (notice key: the bundle). Nothing in charging happens at that moment, so a
 * periodic sweep (the server's background tick) finds such packs: by `bundles_expiry`
 * (status, expires_at_ms) for the window, and the notices' unique (cause, dedupe_key) index for
 * "not announced yet". Lines whose expiry alert is off are left out by the query itself, so they
 * never fill a batch. A pack valid 24 hours or less gets no expiry alert: it would arrive with its
 * activation notice, which already says when it ends.
 */

export const EXPIRY_ALERT_LEAD_MS = 24 * 3_600_000;
/** Packs announced per sweep at most; the next tick takes the rest (each is one short transaction). */
export const EXPIRY_SWEEP_BATCH_SIZE_MAX = 200;

export async function sweepExpiringPacks(
  database: Database,
  notices: Notices,
  now_ms: number,
  batch_size = EXPIRY_SWEEP_BATCH_SIZE_MAX,
): Promise<number> {
  const due = await database.db.selectFrom('bundles')
    .leftJoin('notices', (join) => join.on('notices.cause', '=', 'expiry_soon').onRef('notices.dedupe_key', '=', 'bundles.id'))
    .leftJoin('notice_settings', 'notice_settings.line_id', 'bundles.line_id')
    .select(['bundles.id', 'bundles.line_id', 'bundles.package_code', 'bundles.expires_at_ms'])
    .where('bundles.status', '=', 'active')
    .where('bundles.expires_at_ms', '>', now_ms)
    .where('bundles.expires_at_ms', '<=', now_ms + EXPIRY_ALERT_LEAD_MS)
    .where(sql<boolean>`bundles.expires_at_ms - bundles.activated_at_ms > ${EXPIRY_ALERT_LEAD_MS}`)
    .where((eb) => eb.or([eb('bundles.data_bytes_remaining', '>', 0), eb('bundles.voice_seconds_remaining', '>', 0), eb('bundles.sms_remaining', '>', 0)]))
    .where('notices.id', 'is', null)
    .where((eb) => eb.or([
      eb('notice_settings.line_id', 'is', null),
      eb.and([eb('notice_settings.alerts_enabled', '=', 1), eb('notice_settings.expiry_alert', '=', 1)]),
    ]))
    .orderBy('bundles.expires_at_ms')
    .limit(Math.max(1, Math.min(batch_size, EXPIRY_SWEEP_BATCH_SIZE_MAX)))
    .execute();
  for (const bundle of due) {
    await inTransaction(database, (trx) => queueNotice(trx, notices, {
      line_id: bundle.line_id, cause: 'expiry_soon', dedupe_key: bundle.id, send_before_ms: bundle.expires_at_ms,
      text: async (line) => expiryAlertText(line.language, {
        pack: (await findPackage(trx, bundle.package_code)).names[line.language],
        until: formatShortDateTime(bundle.expires_at_ms, line.language, line.time_zone),
      }, renewalLink(notices)),
    }, now_ms));
  }
  return due.length;
}
