import type { BlockReason } from '../network-blocks.js';
import type { UsageKind } from '../units.js';

/**
 * "Why is my service off?" in words (services/lines/service-state.ts decides; these say it).
 * Two forms of each state: `short`, one line for a USSD screen beside the balance (GSM-7 only in
 * English: no dashes or curly quotes), and `long`, sentences for the website and the app.
 * Every state reads as "<what>" then "<what to do>", joined by `sentence_gap`.
 */

/** What the customer can do about a state. */
export type ServiceAction = 'wait' | 'renew' | 'call_centre' | 'service_hall';

/** `kinds` is already a phrase made by `kind_list` ("Data and SMS"). */
export interface ServiceStateForms {
  readonly line_not_active: string;
  /** 303-FZ: pending (until the deadline), rejected, or expired (blocked since the deadline). */
  readonly identity_unverified: (p: { state: 'pending' | 'rejected' | 'expired'; until: string }) => string;
  readonly blocked: (p: { kinds: string; count: number; until: string; reason: BlockReason }) => string;
  readonly pack_used_up: (p: { kinds: string; count: number; pack: string }) => string;
  readonly pack_expired: (p: { kinds: string; count: number; pack: string; at: string }) => string;
  /** `pay_as_you_go`: the balance could pay for this kind, had it enough money. */
  readonly no_pack_no_balance: (p: { kinds: string; count: number; pay_as_you_go: boolean }) => string;
  readonly actions: Readonly<Record<ServiceAction, string>>;
}

export interface ServiceStateMessages {
  /** "Data and SMS", "Data, calls and SMS": the kinds a state applies to, as the subject of a sentence. */
  readonly kind_list: (kinds: readonly UsageKind[]) => string;
  /** Between "what" and "what to do": a space, or nothing after a Chinese full stop. */
  readonly sentence_gap: string;
  readonly short: ServiceStateForms;
  readonly long: ServiceStateForms;
}
