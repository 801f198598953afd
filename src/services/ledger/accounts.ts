import type { LedgerAccountKind } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { LEDGER_CURRENCY } from '../../core/money.js';

/**
 * The chart of accounts. Ids are readable ("wallet:ln_…", "clearing:sandbox") so a journal reads
 * like a sentence. Postings follow the money: the account money leaves goes down, the account it
 * reaches goes up. So the accounts money enters the system through (a provider's clearing account,
 * a store's cash drawer, a partner's settlement account) go negative by exactly what they hold for
 * us until it is settled; wallets hold the customers' money and never go below zero; revenue grows
 * as packs and usage are sold.
 */
export const SYSTEM_ACCOUNTS = {
  revenue_packages: { id: 'revenue:packages', kind: 'revenue', name: 'Revenue from packs' },
  revenue_usage: { id: 'revenue:usage', kind: 'revenue', name: 'Revenue from pay-as-you-go usage' },
  refunds: { id: 'refunds', kind: 'refunds', name: 'Refunds paid out' },
  promotions: { id: 'promotions', kind: 'promotions', name: 'Promotional credit granted' },
  /**
   * What the desks' cash counts found against their drawers' ledger balances: a shortage is posted
   * here as money that left (negative), an overage as money that came (positive). Its balance is
   * the net over and short of every shift closed.
   */
  cash_over_short: { id: 'cash:over-short', kind: 'cash_over_short', name: 'Cash over and short at shift close' },
} as const satisfies Record<string, { id: string; kind: LedgerAccountKind; name: string }>;

export const walletAccountId = (line_id: string) => `wallet:${line_id}`;
export const providerClearingAccountId = (provider: string) => `clearing:${provider}`;
export const cashDrawerAccountId = (store_code: string) => `cash:${store_code}`;
/** A cash shift's own drawer: the float, its cash sales, and nothing else (services/desk/shifts.ts). */
export const shiftDrawerAccountId = (shift_id: string) => `drawer:${shift_id}`;
/** A store's card terminal money, on its way from the acquiring bank. */
export const storeAcquiringAccountId = (store_code: string) => `acquiring:${store_code}`;
export const partnerSettlementAccountId = (partner_code: string) => `partner:${partner_code}`;

export interface NewLedgerAccount {
  readonly id: string;
  readonly kind: LedgerAccountKind;
  readonly name: string;
  readonly line_id?: string | null;
}

/** Creates the account when it does not exist yet; existing accounts are left as they are. */
export async function ensureLedgerAccount(trx: Executor, account: NewLedgerAccount, now_ms: number): Promise<void> {
  await trx
    .insertInto('ledger_accounts')
    .values({
      id: account.id,
      kind: account.kind,
      currency: LEDGER_CURRENCY,
      balance_minor: 0,
      may_go_negative: account.kind === 'wallet' ? 0 : 1,
      // Only wallets need a cached balance (to refuse overdrafts in the same statement). Caching
      // revenue or a provider's clearing account would make one row the lock that every sale in
      // the country queues on — the bottleneck Formance's ledger names for itself.
      balance_cached: account.kind === 'wallet' ? 1 : 0,
      line_id: account.line_id ?? null,
      name: account.name,
      created_at_ms: now_ms,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

export async function ensureSystemAccounts(trx: Executor, now_ms: number): Promise<void> {
  for (const account of Object.values(SYSTEM_ACCOUNTS)) await ensureLedgerAccount(trx, account, now_ms);
}
