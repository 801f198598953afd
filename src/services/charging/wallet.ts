import type { SalesChannel } from '../../core/catalog.js';
import { RoamError } from '../../core/errors.js';
import { requestHash } from '../../core/ids.js';
import { LEDGER_CURRENCY } from '../../core/money.js';
import { lockLines } from '../../db/locks.js';
import type { Executor } from '../../db/transaction.js';
import { findPackage, packageForSale } from '../catalog/catalog.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { accountBalance, postEntry } from '../ledger/ledger.js';
import { findLine, type Line, type LineRef } from '../lines/lines.js';
import { insertBundle, type Bundle } from './bundles.js';

/**
 * Money into a line and packs onto it. Every operation here takes an idempotency key: the key and
 * a hash of the request are stored with the effect, in the same transaction; a replay returns the
 * stored result, the same key with another request is refused (Formance, Stripe).
 */

export const IDEMPOTENCY_KEY_LENGTH_MAX = 255;

function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_LENGTH_MAX) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'idempotency_key', reason: key.length === 0 ? 'empty' : 'too_large' });
  }
}

async function lockedActiveLine(trx: Executor, ref: LineRef): Promise<Line> {
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
  checkIdempotencyKey(input.idempotency_key);
  if (!Number.isSafeInteger(input.amount_minor) || input.amount_minor <= 0) {
    throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount_minor', reason: 'not_positive' });
  }
  const line = await lockedActiveLine(trx, input.line);
  const hash = requestHash({ op: 'credit', line_id: line.id, amount_minor: input.amount_minor, source: input.source_account_id });
  const previous = await trx.selectFrom('journal_entries').select(['id', 'request_hash']).where('idempotency_key', '=', input.idempotency_key).executeTakeFirst();
  if (previous) {
    if (previous.request_hash !== hash) throw new RoamError('ROAM_ERR_IDEMPOTENCY_CONFLICT');
    return { entry_id: previous.id, line_id: line.id, balance_minor: await accountBalance(trx, line.wallet_account_id), replayed: true };
  }
  if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
  const entry_id = await postEntry(
    trx,
    {
      kind: input.kind ?? 'top_up',
      line_id: line.id,
      memo: input.memo ?? 'Wallet top-up',
      idempotency_key: input.idempotency_key,
      request_hash: hash,
      postings: [
        { account_id: input.source_account_id, amount_minor: -input.amount_minor },
        { account_id: line.wallet_account_id, amount_minor: input.amount_minor },
      ],
    },
    now_ms,
  );
  return { entry_id, line_id: line.id, balance_minor: await accountBalance(trx, line.wallet_account_id), replayed: false };
}

export interface BundleResult {
  readonly bundle: Bundle;
  readonly replayed: boolean;
}

async function replayedBundle(trx: Executor, idempotency_key: string, hash: string): Promise<Bundle | undefined> {
  const previous = await trx.selectFrom('bundles').selectAll().where('idempotency_key', '=', idempotency_key).executeTakeFirst();
  if (previous && previous.request_hash !== hash) throw new RoamError('ROAM_ERR_IDEMPOTENCY_CONFLICT');
  return previous;
}

export interface BuyFromWalletInput {
  readonly line: LineRef;
  readonly package_code: string;
  readonly channel: SalesChannel;
  readonly idempotency_key: string;
}

/** Buys a pack with the line's own money: wallet → revenue, and the bundle, in one transaction. */
export async function buyPackageFromWallet(trx: Executor, input: BuyFromWalletInput, now_ms: number): Promise<BundleResult> {
  checkIdempotencyKey(input.idempotency_key);
  const line = await lockedActiveLine(trx, input.line);
  const hash = requestHash({ op: 'buy_from_wallet', line_id: line.id, package_code: input.package_code });
  const previous = await replayedBundle(trx, input.idempotency_key, hash);
  if (previous) return { bundle: previous, replayed: true };
  if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');

  const pack = await packageForSale(trx, input.package_code, input.channel, now_ms);
  const entry_id = pack.price.amount_minor === 0 ? null : await postEntry(
    trx,
    {
      kind: 'package_purchase',
      line_id: line.id,
      memo: `Pack ${pack.code} paid from the wallet`,
      postings: [
        { account_id: line.wallet_account_id, amount_minor: -pack.price.amount_minor },
        { account_id: SYSTEM_ACCOUNTS.revenue_packages.id, amount_minor: pack.price.amount_minor },
      ],
    },
    now_ms,
  );
  const bundle = await insertBundle(
    trx,
    {
      line_id: line.id, pack, package_price_id: pack.price.id, price_minor: pack.price.amount_minor, currency: pack.price.currency,
      source: 'wallet', entry_id, idempotency_key: input.idempotency_key, request_hash: hash,
    },
    now_ms,
  );
  return { bundle, replayed: false };
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
  checkIdempotencyKey(input.idempotency_key);
  if (!Number.isSafeInteger(input.amount_minor) || input.amount_minor < 0) {
    throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount_minor', reason: 'negative' });
  }
  const line = await lockedActiveLine(trx, input.line);
  const hash = requestHash({
    op: 'activate_paid', line_id: line.id, package_code: input.package_code, amount_minor: input.amount_minor, paid_from: input.paid_from_account_id,
  });
  const previous = await replayedBundle(trx, input.idempotency_key, hash);
  if (previous) return { bundle: previous, replayed: true };

  const pack = await findPackage(trx, input.package_code);
  const entry_id = input.amount_minor === 0 ? null : await postEntry(
    trx,
    {
      kind: 'package_sale',
      line_id: line.id,
      memo: input.memo ?? `Pack ${pack.code} paid via ${input.paid_from_account_id}`,
      postings: [
        { account_id: input.paid_from_account_id, amount_minor: -input.amount_minor },
        { account_id: line.wallet_account_id, amount_minor: input.amount_minor },
        { account_id: line.wallet_account_id, amount_minor: -input.amount_minor },
        { account_id: SYSTEM_ACCOUNTS.revenue_packages.id, amount_minor: input.amount_minor },
      ],
    },
    now_ms,
  );
  const bundle = await insertBundle(
    trx,
    {
      line_id: line.id, pack, package_price_id: input.package_price_id, price_minor: input.amount_minor, currency: LEDGER_CURRENCY,
      source: 'external', entry_id, idempotency_key: input.idempotency_key, request_hash: hash,
    },
    now_ms,
  );
  return { bundle, replayed: false };
}
