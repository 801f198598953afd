import { formatData, formatSms, formatVoice } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import type { UsageKind } from '../../core/units.js';
import type { Executor } from '../../db/transaction.js';
import { findPackage } from '../catalog/catalog.js';
import type { Bundle } from '../charging/bundles.js';
import { activeThresholds, readAlertSettings, type AlertSettings } from './alert-settings.js';
import { usageAlertText } from './notice-texts.js';
import { queueNotice, renewalLink, type Notices } from './notices.js';

/**
 * Usage alerts, decided in the charging transaction under the line's lock: a threshold (a whole
 * percent of a pack's allowance of one kind) fires when a charge moves the pack's use from below
 * it to at or above it. The line lock orders concurrent charges of one line, so exactly one of
 * them sees the crossing; the notice's unique key (`<bundle>:<kind>:<percent>`) is the backstop.
 *
 * The hot path stays as it was: with the remaining counts before and after in hand, nothing is read
 * unless the charge crossed a whole percent of some pack's allowance (the finest threshold a
 * customer can choose); only then are the line's settings read, and the pack and line only when one
 * of its thresholds was crossed. When one charge crosses several thresholds (a big download from
 * 70 % to 100 %), only the highest is sent: "80 % used" and "used up" at once says nothing more.
 */

const TOTAL_COLUMN = { data: 'data_bytes_total', voice: 'voice_seconds_total', sms: 'sms_total' } as const;
const REMAINING_COLUMN = { data: 'data_bytes_remaining', voice: 'voice_seconds_remaining', sms: 'sms_remaining' } as const;
const PERCENT = 100n;
/** A usage alert still undelivered a day later (the SMSC was down) is old news: it is dropped, not sent. */
export const USAGE_ALERT_SEND_WITHIN_MS = 24 * 3_600_000;

/** What one charged event of a batch drew, as usage.ts's Decision has it. */
interface ChargeDraws {
  readonly row: { readonly kind: UsageKind };
  readonly draws_by_bundle: ReadonlyMap<string, number>;
}

/** One pack's remaining units of one kind, before and after a charge (or a batch of them). */
interface RemainingChange {
  readonly bundle: Bundle;
  readonly kind: UsageKind;
  readonly before: number;
  readonly after: number;
}

/** After one charge: `bundles` as read before it, `draws` what it took from each. */
export async function alertAfterCharge(
  trx: Executor,
  notices: Notices | undefined,
  bundles: readonly Bundle[],
  kind: UsageKind,
  draws: ReadonlyMap<string, number>,
  now_ms: number,
): Promise<void> {
  if (!notices || draws.size === 0) return;
  const changes = bundles.flatMap((bundle) => {
    const drawn = draws.get(bundle.id) ?? 0;
    const before = bundle[REMAINING_COLUMN[kind]];
    return drawn > 0 ? [{ bundle, kind, before, after: before - drawn }] : [];
  });
  await alertOnChanges(trx, notices, changes, now_ms);
}

/**
 * After a batch: `bundles` as the batch left them (its in-memory state, by line), `charged` the
 * events it charged in order, with what each drew. Each event is judged on its own, as if charged
 * alone: walking back from the final counts, an event's "after" is the next one's "before".
 */
export async function alertAfterBatch(
  trx: Executor,
  notices: Notices | undefined,
  bundles: ReadonlyMap<string, readonly Bundle[]>,
  charged: ReadonlyArray<{ readonly decision: ChargeDraws }>,
  now_ms: number,
): Promise<void> {
  if (!notices || charged.every(({ decision }) => decision.draws_by_bundle.size === 0)) return;
  const by_id = new Map([...bundles.values()].flat().map((bundle) => [bundle.id, bundle]));
  const remaining = new Map<string, number>();
  const changes: RemainingChange[] = [];
  for (let index = charged.length - 1; index >= 0; index -= 1) {
    const { kind } = charged[index]!.decision.row;
    for (const [bundle_id, quantity] of charged[index]!.decision.draws_by_bundle) {
      const bundle = by_id.get(bundle_id);
      if (!bundle || quantity === 0) continue;
      const key = `${bundle_id}\u0000${kind}`;
      const after = remaining.get(key) ?? bundle[REMAINING_COLUMN[kind]];
      remaining.set(key, after + quantity);
      changes.push({ bundle, kind, before: after + quantity, after });
    }
  }
  await alertOnChanges(trx, notices, changes.reverse(), now_ms);
}

async function alertOnChanges(trx: Executor, notices: Notices, changes: readonly RemainingChange[], now_ms: number): Promise<void> {
  const candidates = changes.filter((change) => crossesWholePercent(change.bundle[TOTAL_COLUMN[change.kind]], change.before, change.after));
  if (candidates.length === 0) return;
  const settings = new Map<string, AlertSettings>();
  for (const change of candidates) {
    const line_id = change.bundle.line_id;
    if (!settings.has(line_id)) settings.set(line_id, await readAlertSettings(trx, line_id));
    const total = change.bundle[TOTAL_COLUMN[change.kind]];
    const crossed = crossedThresholds(total, change.before, change.after, activeThresholds(settings.get(line_id)!));
    const percent = crossed.at(-1);
    if (percent === undefined) continue;
    await queueNotice(trx, notices, {
      line_id, cause: 'usage_threshold', dedupe_key: `${change.bundle.id}:${change.kind}:${percent}`,
      send_before_ms: Math.min(now_ms + USAGE_ALERT_SEND_WITHIN_MS, change.bundle.expires_at_ms),
      text: async (line) => usageAlertText(line.language, {
        kind: change.kind, percent, left: formatLeft(change.kind, change.after, line.language),
        pack: (await findPackage(trx, change.bundle.package_code)).names[line.language],
      }, renewalLink(notices)),
    }, now_ms);
  }
}

/** Did use move across a whole percent of `total` (used = total − remaining)? Exact, in integers. */
export function crossesWholePercent(total: number, before: number, after: number): boolean {
  if (total <= 0 || after >= before) return false;
  const whole = (remaining: number) => ((BigInt(total) - BigInt(remaining)) * PERCENT) / BigInt(total);
  return whole(after) > whole(before);
}

/** The thresholds (ascending) that use crossed: below before, at or above after. */
export function crossedThresholds(total: number, before: number, after: number, thresholds: readonly number[]): number[] {
  if (total <= 0) return [];
  const used_percent_scaled = (remaining: number) => (BigInt(total) - BigInt(remaining)) * PERCENT;
  return thresholds.filter((percent) => {
    const line = BigInt(percent) * BigInt(total);
    return used_percent_scaled(before) < line && used_percent_scaled(after) >= line;
  });
}

function formatLeft(kind: UsageKind, remaining: number, language: Language): string {
  if (kind === 'data') return formatData(remaining, language);
  if (kind === 'voice') return formatVoice(remaining, language);
  return formatSms(remaining, language);
}
