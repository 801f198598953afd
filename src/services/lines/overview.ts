import type { Executor } from '../../db/transaction.js';
import { toCatalogPackage, type CatalogPackage } from '../catalog/catalog.js';
import { liveBundles, type Bundle } from '../charging/bundles.js';
import { accountBalance } from '../ledger/ledger.js';
import { findLine, type Line, type LineRef } from './lines.js';

export interface BundleView {
  readonly bundle: Bundle;
  readonly pack: CatalogPackage;
}

/** What a customer asks when they dial #100# or #101#: money, and the packs alive right now. */
export interface LineOverview {
  readonly line: Line;
  readonly wallet_balance_minor: number;
  /** Live bundles with something left, earliest expiry first. */
  readonly bundles: readonly BundleView[];
}

export async function lineOverview(trx: Executor, ref: LineRef, at_ms: number): Promise<LineOverview> {
  const line = await findLine(trx, ref);
  const wallet_balance_minor = await accountBalance(trx, line.wallet_account_id);
  const bundles = (await liveBundles(trx, line.id, at_ms)).filter(
    (bundle) => bundle.data_bytes_remaining > 0 || bundle.voice_seconds_remaining > 0 || bundle.sms_remaining > 0,
  );
  const codes = [...new Set(bundles.map((bundle) => bundle.package_code))];
  const packs = codes.length === 0 ? [] : await trx.selectFrom('packages').selectAll().where('code', 'in', codes).execute();
  const byCode = new Map(packs.map((row) => [row.code, toCatalogPackage(row)]));
  return {
    line,
    wallet_balance_minor,
    bundles: bundles.map((bundle) => {
      const pack = byCode.get(bundle.package_code);
      if (!pack) throw new Error(`bundle ${bundle.id} refers to missing package ${bundle.package_code}`);
      return { bundle, pack };
    }),
  };
}
