import { RoamError } from '../../core/errors.js';
import type { Executor } from '../../db/transaction.js';

/**
 * A line's alert settings: the usage thresholds (whole percents of a pack's allowance, per kind it
 * has), the expiry alert, and a switch for all of them. A line without a row has the defaults.
 * Activation, receipt and refund notices are not alerts: they report what the customer did.
 */

export interface AlertSettings {
  readonly alerts_enabled: boolean;
  /** Ascending, distinct, each 1–100; empty: no usage alerts. */
  readonly usage_thresholds_percent: readonly number[];
  readonly expiry_alert: boolean;
}

export const ALERT_SETTINGS_DEFAULT: AlertSettings = Object.freeze({
  alerts_enabled: true, usage_thresholds_percent: Object.freeze([80, 100]), expiry_alert: true,
});
/** A few thresholds are useful; more would be a stream of SMS (and every one counts against the cap). */
export const USAGE_THRESHOLDS_COUNT_MAX = 5;
export const USAGE_THRESHOLD_PERCENT_MIN = 1;
export const USAGE_THRESHOLD_PERCENT_MAX = 100;
const THRESHOLDS_FIELD = 'usage_thresholds_percent';

/** Checks thresholds; the error names the field and the problem. Returns them ascending. */
export function checkThresholds(thresholds: readonly number[]): number[] {
  if (thresholds.length > USAGE_THRESHOLDS_COUNT_MAX) throw new RoamError('ROAM_ERR_VALIDATION', { field: THRESHOLDS_FIELD, reason: 'too_many_thresholds' });
  for (const percent of thresholds) {
    if (!Number.isSafeInteger(percent) || percent < USAGE_THRESHOLD_PERCENT_MIN || percent > USAGE_THRESHOLD_PERCENT_MAX) {
      throw new RoamError('ROAM_ERR_VALIDATION', { field: THRESHOLDS_FIELD, reason: 'percent_range', value: String(percent) });
    }
  }
  if (new Set(thresholds).size !== thresholds.length) throw new RoamError('ROAM_ERR_VALIDATION', { field: THRESHOLDS_FIELD, reason: 'repeated' });
  return [...thresholds].sort((a, b) => a - b);
}

/** "50, 80,100 %" as a person types it (a form field); anything but numbers is an error naming the field. */
export function parseThresholdList(text: string): number[] {
  const parts = text.replace(/%/g, ' ').split(/[\s,;]+/).filter((part) => part.length > 0);
  if (parts.length > USAGE_THRESHOLDS_COUNT_MAX) throw new RoamError('ROAM_ERR_VALIDATION', { field: THRESHOLDS_FIELD, reason: 'too_many_thresholds' });
  return checkThresholds(parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN)));
}

export async function readAlertSettings(db: Executor, line_id: string): Promise<AlertSettings> {
  const row = await db.selectFrom('notice_settings').selectAll().where('line_id', '=', line_id).executeTakeFirst();
  if (!row) return ALERT_SETTINGS_DEFAULT;
  return {
    alerts_enabled: row.alerts_enabled === 1,
    usage_thresholds_percent: row.usage_thresholds_percent === '' ? [] : row.usage_thresholds_percent.split(',').map(Number),
    expiry_alert: row.expiry_alert === 1,
  };
}

export async function saveAlertSettings(trx: Executor, line_id: string, settings: AlertSettings, now_ms: number): Promise<AlertSettings> {
  const usage_thresholds_percent = checkThresholds(settings.usage_thresholds_percent);
  const values = {
    alerts_enabled: settings.alerts_enabled ? 1 : 0, usage_thresholds_percent: usage_thresholds_percent.join(','),
    expiry_alert: settings.expiry_alert ? 1 : 0, updated_at_ms: now_ms,
  };
  await trx.insertInto('notice_settings').values({ line_id, ...values })
    .onConflict((conflict) => conflict.column('line_id').doUpdateSet(values)).execute();
  return { alerts_enabled: settings.alerts_enabled, usage_thresholds_percent, expiry_alert: settings.expiry_alert };
}

/** The usage thresholds that apply to the line now: none while its alerts are off. */
export function activeThresholds(settings: AlertSettings): readonly number[] {
  return settings.alerts_enabled ? settings.usage_thresholds_percent : [];
}
