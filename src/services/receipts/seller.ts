import type { VatSchedule } from './vat.js';

/** Who sells the packs: printed on every receipt and invoice, frozen into each receipt when issued. */
export interface SellerBank {
  readonly name: string;
  readonly bic: string;
  readonly correspondent_account: string;
  /** The seller's settlement account (расчётный счёт): GOST's PersonalAcc. */
  readonly account: string;
}

export interface SellerDetails {
  readonly name: string;
  readonly inn: string;
  readonly kpp: string | null;
  readonly address: string;
  readonly bank: SellerBank;
  /** VAT contained in our prices by date (vat.ts); one null rate when the seller is not a VAT payer ("Без НДС"). */
  readonly vat_rates: VatSchedule;
  /** The zone of the seller's books: the receipt series restarts when the year turns there. */
  readonly time_zone: string;
}
