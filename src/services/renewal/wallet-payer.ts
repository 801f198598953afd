import type { Executor } from '../../db/transaction.js';

/**
 * Paying from a line's money balance needs its owner (see services/customers/wallet-authority.ts):
 * the channel says who the payer is, and a WalletPayerCheck decides. Without a payer the wallet
 * is never touched.
 */
export type WalletPayer =
  /** A signed-in customer (session checked by the channel); must hold the line with its ICCID proven. */
  | { readonly kind: 'customer'; readonly customer_id: string }
  /** The payer typed the code sent by SMS to the line for this order. */
  | { readonly kind: 'payment_code'; readonly code: string }
  /**
   * The line itself asks, over USSD: the mobile network identified the caller and the gateway that
   * told us is authenticated, so the caller is the SIM. Valid only for an order of that same line.
   * Only the USSD channel builds it (channels/ussd/): no HTTP body, form or header can name it.
   */
  | { readonly kind: 'line_itself'; readonly line_id: string };

export interface WalletPayerCheck {
  /**
   * May `payer` spend the wallet of `line_id` on `order_id`? Runs in the payment's transaction: a
   * code is spent with the payment it allows; a wrong guess is counted there (the caller commits
   * before refusing).
   */
  mayPayFromWallet(
    trx: Executor,
    input: { readonly order_id: string; readonly line_id: string; readonly payer: WalletPayer },
  ): Promise<boolean>;
}

/** Refuses every wallet payment: for processes that take no customer payments (commands, tests of other things). */
export const NO_WALLET_PAYERS: WalletPayerCheck = { mayPayFromWallet: async () => false };
