import type { SalesChannel } from '../../core/catalog.js';
import { RoamError } from '../../core/errors.js';
import { LEDGER_CURRENCY } from '../../core/money.js';
import { lockLines } from '../../db/locks.js';
import type { Executor } from '../../db/transaction.js';
import { findPackage, packageForSale, type CatalogPackage } from '../catalog/catalog.js';
import { idempotentStep, type StoredEffect } from '../idempotency/idempotency.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { accountBalance, postEntry } from '../ledger/ledger.js';
import { findLine, type Line, type LineRef } from '../lines/lines.js';
import { insertBundle, type Bundle } from './bundles.js';

/**
 * Money into a line and packs onto it. Every operation here takes an idempotency key and goes the
 * one idempotency path (services/idempotency): key and request hash stored with the effect, a
 * replay returns it, the same key with another request is refused.
 */

async function lockedLine(trx: Executor, ref: LineRef): Promise<Line> {
  const line = await findLine(trx, ref);
  await lockLines(trx, [line.id]);
  return line;
}

export interface CreditWalletInput {
  readonly line: LineRef;
  readonly amount_minor: number;
  /** The ledger account the money comes from: a provider's clearing account, a cash drawer … */
  readonly source_account_id: string;
  readonly idempotency_key: string;
  readonly memo?: string;
  readonly kind?: 'top_up' | 'promotion';
}

export interface CreditWalletResult {
  readonly entry_id: string;
  readonly line_id: string;
  readonly balance_minor: number;
  readonly replayed: boolean;
}

export async function creditWallet(trx: Executor, input: CreditWalletInput, now_ms: number): Promise<CreditWalletResult> {
  if (!Number.isSafeInteger(input.amount_minor) || input.amount_minor <= 0) {
    throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount_minor', reason: 'not_positive' });
  }
  const line = await lockedLine(trx, input.line);
  const balance = () => accountBalance(trx, line.wallet_account_id);
  const { result, replayed } = await idempotentStep(trx, {
    key: input.idempotency_key,
    request: { op: 'credit', line_id: line.id, amount_minor: input.amount_minor, source: input.source_account_id },
    find: async (db, key) => {
      const entry = await db.selectFrom('journal_entries').select(['id', 'request_hash']).where('idempotency_key', '=', key).executeTakeFirst();
      return entry && { request_hash: entry.request_hash, result: entry.id };
    },
    perform: async (db, request_hash) => {
      if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
      return postEntry(db, {
        kind: input.kind ?? 'top_up', line_id: line.id, memo: input.memo ?? 'Wallet top-up', idempotency_key: input.idempotency_key, request_hash,
        postings: [
          { account_id: input.source_account_id, amount_minor: -input.amount_minor },
          { account_id: line.wallet_account_id, amount_minor: input.amount_minor },
        ],
      }, now_ms);
    },
  });
  return { entry_id: result, line_id: line.id, balance_minor: await balance(), replayed };
}

export interface BundleResult {
  readonly bundle: Bundle;
  readonly replayed: boolean;
}

/** Where bundle-making operations keep their effects: the bundle carries the key and the request hash. */
async function bundleByKey(trx: Executor, key: string): Promise<StoredEffect<Bundle> | undefined> {
  const bundle = await trx.selectFrom('bundles').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  return bundle && { request_hash: bundle.request_hash, result: bundle };
}

export interface WalletPurchase {
  readonly line: Line;
  readonly pack: CatalogPackage;
  /** The price paid: the catalog's now, or an order's frozen one. */
  readonly price: { readonly id: string | null; readonly amount_minor: number; readonly currency: string };
  readonly idempotency_key: string;
  readonly request_hash: string | null;
  readonly memo: string;
}

/**
 * The one wallet purchase: wallet → revenue and the bundle, in the caller's transaction, the line
 * already locked. ROAM_ERR_INSUFFICIENT_FUNDS (from the ledger) when the wallet holds too little.
 * Used by "buy a pack with my balance" below and by paying an order from the wallet (renewal).
 */
export async function purchaseWithWallet(trx: Executor, purchase: WalletPurchase, now_ms: number): Promise<Bundle> {
  const { line, pack, price } = purchase;
  const entry_id = price.amount_minor === 0 ? null : await postEntry(trx, {
    kind: 'package_purchase', line_id: line.id, memo: purchase.memo,
    postings: [
      { account_id: line.wallet_account_id, amount_minor: -price.amount_minor },
      { account_id: SYSTEM_ACCOUNTS.revenue_packages.id, amount_minor: price.amount_minor },
    ],
  }, now_ms);
  return insertBundle(trx, {
    line_id: line.id, pack, package_price_id: price.id, price_minor: price.amount_minor, currency: price.currency,
    source: 'wallet', entry_id, idempotency_key: purchase.idempotency_key, request_hash: purchase.request_hash,
  }, now_ms);
}

export interface BuyFromWalletInput {
  readonly line: LineRef;
  readonly package_code: string;
  readonly channel: SalesChannel;
  readonly idempotency_key: string;
}

/** Buys a pack with the line's own money at today's price. */
export async function buyPackageFromWallet(trx: Executor, input: BuyFromWalletInput, now_ms: number): Promise<BundleResult> {
  const line = await lockedLine(trx, input.line);
  const { result, replayed } = await idempotentStep(trx, {
    key: input.idempotency_key,
    request: { op: 'buy_from_wallet', line_id: line.id, package_code: input.package_code },
    find: bundleByKey,
    perform: async (db, request_hash) => {
      if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
      const pack = await packageForSale(db, input.package_code, input.channel, now_ms);
      return purchaseWithWallet(db, {
        line, pack, price: pack.price, idempotency_key: input.idempotency_key, request_hash, memo: `Pack ${pack.code} paid from the wallet`,
      }, now_ms);
    },
  });
  return { bundle: result, replayed };
}

export interface ActivatePaidPackageInput {
  readonly line: LineRef;
  readonly package_code: string;
  /** Where the money is: the provider's clearing account, a store's cash drawer, a partner account. */
  readonly paid_from_account_id: string;
  /** The price the sale was made at (frozen on the order); the pack's definition is read now. */
  readonly amount_minor: number;
  readonly package_price_id: string | null;
  readonly idempotency_key: string;
  readonly memo?: string;
}

/**
 * Activates a pack paid outside the wallet (card, cash, partner). The money passes through the
 * line's wallet on its way to revenue (payer → wallet → revenue), so the line's statement shows
 * the purchase, and the wallet's balance is unchanged. The pack is activated even if it has been
 * withdrawn from sale since the order was made: the customer has paid for it.
 */
export async function activatePaidPackage(trx: Executor, input: ActivatePaidPackageInput, now_ms: number): Promise<BundleResult> {
  if (!Number.isSafeInteger(input.amount_minor) || input.amount_minor < 0) {
    throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount_minor', reason: 'negative' });
  }
  const line = await lockedLine(trx, input.line);
  const { result, replayed } = await idempotentStep(trx, {
    key: input.idempotency_key,
    request: { op: 'activate_paid', line_id: line.id, package_code: input.package_code, amount_minor: input.amount_minor, paid_from: input.paid_from_account_id },
    find: bundleByKey,
    perform: async (db, request_hash) => {
      const pack = await findPackage(db, input.package_code);
      const entry_id = input.amount_minor === 0 ? null : await postEntry(db, {
        kind: 'package_sale', line_id: line.id, memo: input.memo ?? `Pack ${pack.code} paid via ${input.paid_from_account_id}`,
        postings: [
          { account_id: input.paid_from_account_id, amount_minor: -input.amount_minor },
          { account_id: line.wallet_account_id, amount_minor: input.amount_minor },
          { account_id: line.wallet_account_id, amount_minor: -input.amount_minor },
          { account_id: SYSTEM_ACCOUNTS.revenue_packages.id, amount_minor: input.amount_minor },
        ],
      }, now_ms);
      return insertBundle(db, {
        line_id: line.id, pack, package_price_id: input.package_price_id, price_minor: input.amount_minor, currency: LEDGER_CURRENCY,
        source: 'external', entry_id, idempotency_key: input.idempotency_key, request_hash,
      }, now_ms);
    },
  });
  return { bundle: result, replayed };
}
