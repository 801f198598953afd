import type { Executor } from '../../db/transaction.js';
import { RoamError } from '../../core/errors.js';
import { parseMsisdn } from '../../core/phone.js';
import { preparedQuery } from '../../db/prepared.js';
import { toCatalogPackage, type CatalogPackage } from '../catalog/catalog.js';
import type { Bundle } from '../charging/bundles.js';
import type { TariffFor } from '../charging/usage.js';
import type { Line, LineRef } from './lines.js';
import { unverifiedIdentity } from '../identity/unverified.js';
import { ENDED_PACK_LOOKBACK_MS, explainServiceState, type ServiceState } from './service-state.js';

export interface BundleView {
  readonly bundle: Bundle;
  readonly pack: CatalogPackage;
}

/** What a customer asks when they dial #100# or #101#: money, the packs alive right now, and what works. */
export interface LineOverview {
  readonly line: Line;
  readonly wallet_balance_minor: number;
  /** Live bundles with something left, earliest expiry first. */
  readonly bundles: readonly BundleView[];
  /** Per kind of usage: works or not, and why not and what to do (service-state.ts). */
  readonly service: ServiceState;
}

/**
 * The line with its wallet's balance (wallets always keep a cached balance) and, for a line
 * connected at the desk, its identity verification (303-FZ): one row, still one round trip.
 */
const lineWithWallet = (db: Executor) =>
  db.selectFrom('lines').innerJoin('ledger_accounts as wallet', 'wallet.id', 'lines.wallet_account_id')
    .leftJoin('line_identities as identity', 'identity.line_id', 'lines.id')
    .selectAll('lines').select(['wallet.balance_minor', 'identity.verification_state', 'identity.deadline_at_ms as verification_deadline_at_ms']);
const lineByMsisdn = preparedQuery<{ msisdn: string }>(['msisdn'])((db, param) => lineWithWallet(db).where('lines.msisdn', '=', param('msisdn')));
const lineById = preparedQuery<{ line_id: string }>(['line_id'])((db, param) => lineWithWallet(db).where('lines.id', '=', param('line_id')));

/**
 * The line's packs that are live or ended within the explainer's look-back (used up ones too),
 * joined to their packs, earliest expiry first: the live ones with something left are the
 * overview's `bundles`, and all of them tell "pack used up" and "pack expired" apart. The same
 * range of the (line_id, expires_at_ms) index as the live packs alone, a few days longer.
 */
const recentBundles = preparedQuery<{ line_id: string; at_ms: number; ended_after_ms: number }>(['line_id', 'at_ms', 'ended_after_ms'])((db, param) => db
  .selectFrom('bundles')
  .innerJoin('packages', 'packages.code', 'bundles.package_code')
  .selectAll('bundles')
  .select([
    'packages.kind as pack_kind', 'packages.data_mb as pack_data_mb', 'packages.voice_minutes as pack_voice_minutes',
    'packages.sms_count as pack_sms_count', 'packages.validity_hours as pack_validity_hours', 'packages.name_zh_hans as pack_name_zh_hans',
    'packages.name_zh_hant as pack_name_zh_hant', 'packages.name_ru as pack_name_ru', 'packages.name_en as pack_name_en',
    'packages.channels as pack_channels', 'packages.active as pack_active', 'packages.sort_order as pack_sort_order',
    'packages.created_at_ms as pack_created_at_ms', 'packages.updated_at_ms as pack_updated_at_ms',
  ])
  .where('bundles.line_id', '=', param('line_id'))
  .where('bundles.expires_at_ms', '>', param('ended_after_ms'))
  .where('bundles.activated_at_ms', '<=', param('at_ms'))
  .where('bundles.status', '!=', 'revoked')
  .orderBy('bundles.expires_at_ms')
  .orderBy('bundles.id'));

/** The line's blocks that end after now: only these can be in force (the (line_id, ends_at_ms) index). */
const runningBlocks = preparedQuery<{ line_id: string; at_ms: number }>(['line_id', 'at_ms'])((db, param) => db
  .selectFrom('network_blocks')
  .select(['id', 'reason', 'starts_at_ms', 'ends_at_ms', 'lifted_at_ms', 'stops_data', 'stops_voice', 'stops_sms'])
  .where('line_id', '=', param('line_id'))
  .where('ends_at_ms', '>', param('at_ms')));

/**
 * Two round trips, because #100# is the busiest read there is, each made of queries compiled once
 * (db/prepared.ts): the line with its wallet's balance, then — side by side — its recent bundles
 * joined to their packs and its running network blocks. From them the service state (what works,
 * and why not) is worked out in memory, with the pay-as-you-go tariffs.
 */
export async function lineOverview(trx: Executor, ref: LineRef, at_ms: number, tariffFor: TariffFor): Promise<LineOverview> {
  const [row] = 'line_id' in ref ? await lineById(trx, { line_id: ref.line_id }) : await lineByMsisdn(trx, { msisdn: normalizedMsisdn(ref.msisdn) });
  if (!row) throw new RoamError('ROAM_ERR_LINE_NOT_FOUND');
  const { balance_minor: wallet_balance_minor, verification_state, verification_deadline_at_ms, ...line } = row;
  const identity = unverifiedIdentity(verification_state, verification_deadline_at_ms, at_ms);
  const [rows, blocks] = await Promise.all([
    recentBundles(trx, { line_id: line.id, at_ms, ended_after_ms: at_ms - ENDED_PACK_LOOKBACK_MS }),
    runningBlocks(trx, { line_id: line.id, at_ms }),
  ]);
  const recent = rows.map(toBundleView);
  return {
    line,
    wallet_balance_minor,
    bundles: recent.filter(({ bundle }) => bundle.expires_at_ms > at_ms && hasSomethingLeft(bundle)),
    service: explainServiceState({ line_status: line.status, wallet_balance_minor, bundles: recent, blocks, identity, tariffFor, at_ms }),
  };
}

function hasSomethingLeft(bundle: Bundle): boolean {
  return bundle.data_bytes_remaining > 0 || bundle.voice_seconds_remaining > 0 || bundle.sms_remaining > 0;
}

type RecentBundleRow = Awaited<ReturnType<typeof recentBundles>>[number];

function toBundleView(joined: RecentBundleRow): BundleView {
  const {
    pack_kind, pack_data_mb, pack_voice_minutes, pack_sms_count, pack_validity_hours,
    pack_name_zh_hans, pack_name_zh_hant, pack_name_ru, pack_name_en,
    pack_channels, pack_active, pack_sort_order, pack_created_at_ms, pack_updated_at_ms, ...bundle
  } = joined;
  const pack = toCatalogPackage({
    code: bundle.package_code, kind: pack_kind, data_mb: pack_data_mb, voice_minutes: pack_voice_minutes, sms_count: pack_sms_count,
    validity_hours: pack_validity_hours, name_zh_hans: pack_name_zh_hans, name_zh_hant: pack_name_zh_hant, name_ru: pack_name_ru,
    name_en: pack_name_en, channels: pack_channels, active: pack_active, sort_order: pack_sort_order,
    created_at_ms: pack_created_at_ms, updated_at_ms: pack_updated_at_ms,
  });
  return { bundle, pack };
}

function normalizedMsisdn(input: string): string {
  const msisdn = parseMsisdn(input);
  if (!msisdn.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem });
  return msisdn.msisdn;
}
