import { sql } from 'kysely';
import type { LocalizedNames, PackageKind } from '../../core/catalog.js';
import { LEDGER_CURRENCY } from '../../core/money.js';
import type { UsageKind } from '../../core/units.js';
import type { Executor } from '../../db/transaction.js';
import type { Bundle } from '../charging/bundles.js';
import type { TariffFor } from '../charging/usage.js';
import { lineOverview } from '../lines/overview.js';
import type { ServiceState } from '../lines/service-state.js';
import { lastLocalDays, type LocalDay } from '../../core/local-days.js';

/**
 * The home screen of one line: its money, each live pack with what is left and until when,
 * warnings, and usage per day in the line's own time zone. Built from lineOverview (the same view
 * #100# gives) and one aggregate over usage_events, which its (line_id, occurred_at_ms) index serves.
 */

/** A pack is "running low" at or below this share left of any of its allowances. */
export const LOW_REMAINING_PERCENT = 20;
/** A pack is "about to expire" when less than this is left. */
export const EXPIRING_SOON_MS = 24 * 3_600_000;
export const USAGE_DAYS_MAX = 30;
export const USAGE_DAYS_SHORT = 7;

export interface Allowance {
  /** Bytes for data, seconds for voice, messages for SMS. */
  readonly total: number;
  readonly remaining: number;
  /** Rounded down: 19.9 % left shows 19. */
  readonly remaining_percent: number;
}

export type PackWarning =
  | { readonly type: 'running_low'; readonly resource: UsageKind; readonly remaining_percent: number }
  | { readonly type: 'expiring_soon'; readonly expires_in_ms: number };

export interface DashboardPack {
  readonly bundle_id: string;
  readonly package_code: string;
  readonly kind: PackageKind;
  readonly names: LocalizedNames;
  readonly activated_at_ms: number;
  readonly expires_at_ms: number;
  readonly expires_in_ms: number;
  readonly data: Allowance | null;
  readonly voice: Allowance | null;
  readonly sms: Allowance | null;
  readonly warnings: readonly PackWarning[];
}

export interface UsageDay {
  /** "2025-11-26", in the line's time zone. */
  readonly date: string;
  readonly start_ms: number;
  readonly data_bytes: number;
  readonly voice_seconds: number;
  readonly sms_count: number;
}

export interface LineDashboard {
  readonly line: {
    readonly id: string; readonly msisdn: string; readonly status: string; readonly language: string; readonly time_zone: string;
  };
  readonly wallet: { readonly balance_minor: number; readonly currency: string };
  /** Earliest expiry first: the order usage draws them in. */
  readonly packs: readonly DashboardPack[];
  /** The last 30 days, oldest first, today last (so far); the last 7 entries are the 7-day chart. */
  readonly usage_by_day: readonly UsageDay[];
  /** Per kind: works or not, why not and what to do (the overview's explainer, services/lines/service-state.ts). */
  readonly service: ServiceState;
}

export async function lineDashboard(db: Executor, line_id: string, now_ms: number, tariffFor: TariffFor): Promise<LineDashboard> {
  const overview = await lineOverview(db, { line_id }, now_ms, tariffFor);
  const { line } = overview;
  const days = lastLocalDays(now_ms, line.time_zone, USAGE_DAYS_MAX);
  return {
    line: { id: line.id, msisdn: line.msisdn, status: line.status, language: line.language, time_zone: line.time_zone },
    wallet: { balance_minor: overview.wallet_balance_minor, currency: LEDGER_CURRENCY },
    packs: overview.bundles.map(({ bundle, pack }) => dashboardPack(bundle, pack.kind, pack.names, now_ms)),
    usage_by_day: await usageByDay(db, line.id, days),
    service: overview.service,
  };
}

function dashboardPack(bundle: Bundle, kind: PackageKind, names: LocalizedNames, now_ms: number): DashboardPack {
  const allowances = {
    data: allowance(bundle.data_bytes_total, bundle.data_bytes_remaining),
    voice: allowance(bundle.voice_seconds_total, bundle.voice_seconds_remaining),
    sms: allowance(bundle.sms_total, bundle.sms_remaining),
  };
  const expires_in_ms = bundle.expires_at_ms - now_ms;
  const warnings: PackWarning[] = [];
  for (const resource of ['data', 'voice', 'sms'] as const) {
    const held = allowances[resource];
    // Exact integer comparison: remaining / total ≤ 20 %.
    if (held && held.remaining * 100 <= held.total * LOW_REMAINING_PERCENT) warnings.push({ type: 'running_low', resource, remaining_percent: held.remaining_percent });
  }
  if (expires_in_ms < EXPIRING_SOON_MS) warnings.push({ type: 'expiring_soon', expires_in_ms });
  return {
    bundle_id: bundle.id, package_code: bundle.package_code, kind, names,
    activated_at_ms: bundle.activated_at_ms, expires_at_ms: bundle.expires_at_ms, expires_in_ms, ...allowances, warnings,
  };
}

function allowance(total: number, remaining: number): Allowance | null {
  if (total <= 0) return null;
  return { total, remaining, remaining_percent: Math.floor((remaining * 100) / total) };
}

/**
 * Usage granted (bundles and wallet, not what was denied) per local day and kind, in one query:
 * each event is put in its day by a CASE over the day boundaries, which is exact across DST
 * changes, and the result has at most days × kinds rows whatever the number of events. GROUP BY
 * names positions: PostgreSQL would not see two copies of the CASE (with their own parameters) as one expression.
 */
async function usageByDay(db: Executor, line_id: string, days: readonly LocalDay[]): Promise<UsageDay[]> {
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last) return [];
  const day_index = sql.join(days.map((day, index) => sql`when occurred_at_ms < ${day.end_ms} then ${sql.lit(index)}`), sql` `);
  const { rows } = await sql<{ kind: UsageKind; day_index: number | string; used: number | string }>`
    select kind, case ${day_index} end as day_index, cast(sum(quantity - denied) as bigint) as used
    from usage_events
    where line_id = ${line_id} and occurred_at_ms >= ${first.start_ms} and occurred_at_ms < ${last.end_ms}
    group by 1, 2`.execute(db);
  const totals = days.map((day) => ({ date: day.date, start_ms: day.start_ms, data_bytes: 0, voice_seconds: 0, sms_count: 0 }));
  const field = { data: 'data_bytes', voice: 'voice_seconds', sms: 'sms_count' } as const;
  for (const row of rows) {
    const day = totals[Number(row.day_index)];
    if (day) day[field[row.kind]] += Number(row.used);
  }
  return totals;
}
