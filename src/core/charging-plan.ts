import { affordableQuantity, costMinor } from './money.js';
import { BYTES_PER_MB, SECONDS_PER_MINUTE, type UsageKind } from './units.js';

/**
 * The pure heart of usage charging: given what a line holds, decide what one usage event draws.
 * Order (as CGRateS and Formance Wallets do it): bundles that expire first are drawn first,
 * the money wallet last, at pay-as-you-go tariffs; whatever is left is denied.
 * The service layer loads the inputs under a line lock and writes the plan back in one transaction.
 */

export interface PayAsYouGoTariff {
  /** Minor units per MB of data (1 MB = 1,048,576 bytes). */
  readonly data_minor_per_mb: number;
  readonly voice_minor_per_minute: number;
  readonly sms_minor_per_message: number;
}

export interface BundleBalance {
  readonly id: string;
  readonly expires_at_ms: number;
  readonly activated_at_ms: number;
  /** Units left for the event's kind: bytes, seconds or messages. */
  readonly remaining: number;
}

export type DenialReason = 'no_allowance_or_balance' | 'insufficient_balance' | 'line_not_active' | 'pay_as_you_go_disabled';

export interface ChargingPlan {
  readonly draws: ReadonlyArray<{ bundle_id: string; quantity: number }>;
  readonly from_bundles: number;
  readonly from_wallet: number;
  readonly wallet_charge_minor: number;
  readonly denied: number;
  readonly denial_reason: DenialReason | null;
}

export function tariffRate(tariff: PayAsYouGoTariff, kind: UsageKind): { rate_minor: number; unit_size: number } {
  switch (kind) {
    case 'data': return { rate_minor: tariff.data_minor_per_mb, unit_size: BYTES_PER_MB };
    case 'voice': return { rate_minor: tariff.voice_minor_per_minute, unit_size: SECONDS_PER_MINUTE };
    case 'sms': return { rate_minor: tariff.sms_minor_per_message, unit_size: 1 };
  }
}

/** Bundles usable at `at_ms`, in drawing order: earliest expiry first, then id for a stable order. */
export function drawingOrder(bundles: readonly BundleBalance[], at_ms: number): BundleBalance[] {
  return bundles
    .filter((bundle) => bundle.remaining > 0 && bundle.activated_at_ms <= at_ms && at_ms < bundle.expires_at_ms)
    .sort((a, b) => a.expires_at_ms - b.expires_at_ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface PlanInput {
  readonly kind: UsageKind;
  readonly quantity: number;
  readonly at_ms: number;
  readonly line_active: boolean;
  readonly bundles: readonly BundleBalance[];
  readonly wallet_balance_minor: number;
  /** null disables pay-as-you-go for this kind: beyond bundles, usage is denied. */
  readonly tariff: PayAsYouGoTariff | null;
}

export function planCharge(input: PlanInput): ChargingPlan {
  if (!input.line_active) {
    return { draws: [], from_bundles: 0, from_wallet: 0, wallet_charge_minor: 0, denied: input.quantity, denial_reason: 'line_not_active' };
  }
  let left = input.quantity;
  const draws: Array<{ bundle_id: string; quantity: number }> = [];
  for (const bundle of drawingOrder(input.bundles, input.at_ms)) {
    if (left === 0) break;
    const quantity = Math.min(left, bundle.remaining);
    draws.push({ bundle_id: bundle.id, quantity });
    left -= quantity;
  }
  const from_bundles = input.quantity - left;
  if (left === 0) return { draws, from_bundles, from_wallet: 0, wallet_charge_minor: 0, denied: 0, denial_reason: null };

  if (input.tariff === null) {
    return { draws, from_bundles, from_wallet: 0, wallet_charge_minor: 0, denied: left, denial_reason: 'pay_as_you_go_disabled' };
  }
  const { rate_minor, unit_size } = tariffRate(input.tariff, input.kind);
  const from_wallet = Math.min(left, affordableQuantity(input.wallet_balance_minor, rate_minor, unit_size));
  const wallet_charge_minor = costMinor(from_wallet, rate_minor, unit_size);
  const denied = left - from_wallet;
  const denial_reason: DenialReason | null =
    denied === 0 ? null : from_bundles === 0 && from_wallet === 0 && input.wallet_balance_minor <= 0 ? 'no_allowance_or_balance' : 'insufficient_balance';
  return { draws, from_bundles, from_wallet, wallet_charge_minor, denied, denial_reason };
}
