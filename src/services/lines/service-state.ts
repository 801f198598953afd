import { formatShortDateTime } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { ServiceAction, ServiceStateForms } from '../../core/i18n/service-state-messages.js';
import { blockEndMs, longestBlockFor, type BlockedKinds, type BlockReason, type BlockWindow } from '../../core/network-blocks.js';
import { tariffRate, type PayAsYouGoTariff } from '../../core/charging-plan.js';
import { USAGE_KINDS, type UsageKind } from '../../core/units.js';
import { fitsOneScreen } from '../../core/ussd-text.js';
import { formatMoney } from '../../core/i18n/format.js';
import type { LinesTable } from '../../db/schema.js';
import type { BundleView } from './overview.js';
import { REMAINING, TOTAL } from './pack-summary.js';

/**
 * "Why is my service off?" — one answer for every channel (#100#, the website, the app, later the
 * desk). A pure function of the line's facts decides, kind by kind, whether usage works now and, if
 * not, why and what to do; lineOverview (overview.ts) reads the facts with the overview it already
 * makes, so every channel reading the overview has the answer. The first cause that applies wins:
 *   1. the line is not active (suspended, closed)           → call the call centre
 *   1a. the owner's identity is not confirmed (303-FZ)     → wait (pending) / service hall
 *   2. a network block stops the kind (the longest one)     → wait / service hall / call centre
 *   3. a live pack holds some of it                         → works (packs)
 *   4. pay-as-you-go is on and the balance pays one unit    → works (balance)
 *   5. a live pack of the kind is used up                   → renew
 *   6. a pack of the kind ended within the look-back        → renew
 *   7. otherwise: no pack, and no (or not enough) money     → renew
 */

/** How far back an ended pack still explains an empty kind ("your pack ended on 3 Dec"); older is "no pack". */
export const ENDED_PACK_LOOKBACK_MS = 7 * 24 * 3_600_000;

export type ServiceOffReason = 'line_not_active' | 'identity_unverified' | 'network_block' | 'pack_used_up' | 'pack_expired' | 'no_pack_no_balance';

export interface PackRef {
  readonly bundle_id: string;
  readonly package_code: string;
  readonly names: BundleView['pack']['names'];
}

export type KindService =
  | { readonly kind: UsageKind; readonly available: true; readonly via: 'packs' | 'balance' }
  | { readonly kind: UsageKind; readonly available: false; readonly reason: 'line_not_active'; readonly action: ServiceAction }
  | {
    readonly kind: UsageKind; readonly available: false; readonly reason: 'identity_unverified'; readonly action: ServiceAction;
    readonly verification: UnverifiedIdentity;
  }
  | {
    readonly kind: UsageKind; readonly available: false; readonly reason: 'network_block'; readonly action: ServiceAction;
    readonly block: { readonly id: string; readonly reason: BlockReason; readonly ends_at_ms: number };
  }
  | { readonly kind: UsageKind; readonly available: false; readonly reason: 'pack_used_up'; readonly action: ServiceAction; readonly pack: PackRef }
  | {
    readonly kind: UsageKind; readonly available: false; readonly reason: 'pack_expired'; readonly action: ServiceAction;
    readonly pack: PackRef; readonly expired_at_ms: number;
  }
  | {
    readonly kind: UsageKind; readonly available: false; readonly reason: 'no_pack_no_balance'; readonly action: ServiceAction;
    /** True when the balance would pay for this kind had it enough money (pay-as-you-go is on for it). */
    readonly pay_as_you_go: boolean;
  };

export type KindServiceOff = Extract<KindService, { available: false }>;

export interface ServiceState {
  readonly at_ms: number;
  readonly kinds: Readonly<Record<UsageKind, KindService>>;
  /** The kinds that do not work, in USAGE_KINDS order. */
  readonly off: readonly KindServiceOff[];
}

/**
 * A line connected at the desk whose owner's identity is not confirmed (303-FZ, line_identities):
 * pending until the deadline, then expired (blocked: identity_unconfirmed); or rejected.
 */
export interface UnverifiedIdentity {
  readonly state: 'pending' | 'rejected' | 'expired';
  readonly deadline_at_ms: number;
}

/** A block as the explainer needs it (NetworkBlocksTable rows fit). */
export type ExplainedBlock = BlockWindow & BlockedKinds & { readonly id: string; readonly reason: BlockReason };

export interface ServiceFacts {
  readonly line_status: LinesTable['status'];
  readonly wallet_balance_minor: number;
  /** The line's packs not revoked that ended after at_ms − ENDED_PACK_LOOKBACK_MS: live, used up, or ended. */
  readonly bundles: readonly BundleView[];
  /** Blocks that may be in force at at_ms (the others are ignored). */
  readonly blocks: readonly ExplainedBlock[];
  /** Set when the line waits for (or failed) identity verification; absent or null otherwise. */
  readonly identity?: UnverifiedIdentity | null;
  /** Pay-as-you-go tariff per kind, null where it is off (config: PAYG_*). */
  readonly tariffFor: (kind: UsageKind) => PayAsYouGoTariff | null;
  readonly at_ms: number;
}

const BLOCK_ACTIONS: Readonly<Record<BlockReason, ServiceAction>> = {
  arrival_cooling_off: 'wait', roaming_return: 'wait', idle: 'wait', identity_unconfirmed: 'service_hall', operator: 'call_centre',
};

export function explainServiceState(facts: ServiceFacts): ServiceState {
  const entries = USAGE_KINDS.map((kind) => [kind, explainKind(facts, kind)] as const);
  const kinds = Object.fromEntries(entries) as Record<UsageKind, KindService>;
  return { at_ms: facts.at_ms, kinds, off: entries.flatMap(([, state]) => (state.available ? [] : [state])) };
}

function explainKind(facts: ServiceFacts, kind: UsageKind): KindService {
  if (facts.line_status !== 'active') return { kind, available: false, reason: 'line_not_active', action: 'call_centre' };
  if (facts.identity) {
    const action: ServiceAction = facts.identity.state === 'pending' ? 'wait' : 'service_hall';
    return { kind, available: false, reason: 'identity_unverified', action, verification: facts.identity };
  }
  const block = longestBlockFor(facts.blocks, kind, facts.at_ms);
  if (block) {
    return {
      kind, available: false, reason: 'network_block', action: BLOCK_ACTIONS[block.reason],
      block: { id: block.id, reason: block.reason, ends_at_ms: blockEndMs(block) },
    };
  }
  const usable = (view: BundleView) => view.bundle.status !== 'revoked' && view.bundle.activated_at_ms <= facts.at_ms;
  const live = facts.bundles.filter((view) => usable(view) && facts.at_ms < view.bundle.expires_at_ms && TOTAL[kind](view.bundle) > 0);
  if (live.some((view) => REMAINING[kind](view.bundle) > 0)) return { kind, available: true, via: 'packs' };
  const tariff = facts.tariffFor(kind);
  // One unit (a MB, a minute, an SMS) costs rate_minor: a balance that cannot pay one unit is no balance.
  if (tariff !== null && facts.wallet_balance_minor >= tariffRate(tariff, kind).rate_minor) return { kind, available: true, via: 'balance' };
  const used_up = latest(live);
  if (used_up) return { kind, available: false, reason: 'pack_used_up', action: 'renew', pack: packRef(used_up) };
  const endedRecently = (view: BundleView) =>
    view.bundle.expires_at_ms <= facts.at_ms && view.bundle.expires_at_ms > facts.at_ms - ENDED_PACK_LOOKBACK_MS;
  const ended = latest(facts.bundles.filter((view) => usable(view) && endedRecently(view) && TOTAL[kind](view.bundle) > 0));
  if (ended) {
    return { kind, available: false, reason: 'pack_expired', action: 'renew', pack: packRef(ended), expired_at_ms: ended.bundle.expires_at_ms };
  }
  return { kind, available: false, reason: 'no_pack_no_balance', action: 'renew', pay_as_you_go: tariff !== null };
}

/** The pack that ends last: the one the customer remembers buying. */
function latest(views: readonly BundleView[]): BundleView | undefined {
  let found: BundleView | undefined;
  for (const view of views) {
    if (found === undefined || view.bundle.expires_at_ms > found.bundle.expires_at_ms
      || (view.bundle.expires_at_ms === found.bundle.expires_at_ms && view.bundle.id > found.bundle.id)) found = view;
  }
  return found;
}

function packRef(view: BundleView): PackRef {
  return { bundle_id: view.bundle.id, package_code: view.bundle.package_code, names: view.pack.names };
}

/** When an off state ends by itself (a block's end), or null when something must be done. */
export function offUntilMs(state: KindService): number | null {
  return !state.available && state.reason === 'network_block' ? state.block.ends_at_ms : null;
}

/** Off kinds that share one cause (same reason, same block or pack), so one sentence covers them. */
export interface OffGroup {
  readonly kinds: readonly UsageKind[];
  readonly state: KindServiceOff;
}

export function offGroups(state: ServiceState): OffGroup[] {
  const groups: Array<{ kinds: UsageKind[]; state: KindServiceOff; key: string }> = [];
  for (const off of state.off) {
    const key = causeKey(off);
    const group = groups.find((candidate) => candidate.key === key);
    if (group) group.kinds.push(off.kind);
    else groups.push({ kinds: [off.kind], state: off, key });
  }
  return groups
    .sort((a, b) => CAUSE_ORDER.indexOf(a.state.reason) - CAUSE_ORDER.indexOf(b.state.reason))
    .map(({ kinds, state: off }) => ({ kinds, state: off }));
}

/** The order causes are told in: the one that hides the others first. */
const CAUSE_ORDER: readonly ServiceOffReason[] = ['line_not_active', 'identity_unverified', 'network_block', 'pack_used_up', 'pack_expired', 'no_pack_no_balance'];

function causeKey(off: KindServiceOff): string {
  switch (off.reason) {
    case 'line_not_active': return off.reason;
    case 'identity_unverified': return `${off.reason}:${off.verification.state}`;
    case 'network_block': return `${off.reason}:${off.block.reason}:${off.block.ends_at_ms}`;
    case 'pack_used_up': return `${off.reason}:${off.pack.bundle_id}`;
    case 'pack_expired': return `${off.reason}:${off.pack.bundle_id}`;
    case 'no_pack_no_balance': return `${off.reason}:${off.pay_as_you_go}`;
  }
}

/** One sentence per cause, with what to do, in the given form (short for USSD, long for pages). */
export function offSentence(group: OffGroup, form: 'short' | 'long', language: Language, time_zone: string): string {
  const texts = messagesFor(language).service_state;
  return `${offWhat(group, form, language, time_zone)}${texts.sentence_gap}${texts[form].actions[group.state.action]}`;
}

/** What is off, why, and until when: the sentence without what to do. */
function offWhat(group: OffGroup, form: 'short' | 'long', language: Language, time_zone: string): string {
  const texts = messagesFor(language).service_state;
  const forms: ServiceStateForms = texts[form];
  const kinds = texts.kind_list(group.kinds);
  const count = group.kinds.length;
  const off = group.state;
  const at = (at_ms: number) => formatShortDateTime(at_ms, language, time_zone);
  switch (off.reason) {
    case 'line_not_active': return forms.line_not_active;
    case 'identity_unverified': return forms.identity_unverified({ state: off.verification.state, until: at(off.verification.deadline_at_ms) });
    case 'network_block':
      return forms.blocked({ kinds, count, until: at(off.block.ends_at_ms), reason: off.block.reason });
    case 'pack_used_up': return forms.pack_used_up({ kinds, count, pack: off.pack.names[language] });
    case 'pack_expired':
      return forms.pack_expired({ kinds, count, pack: off.pack.names[language], at: at(off.expired_at_ms) });
    case 'no_pack_no_balance': return forms.no_pack_no_balance({ kinds, count, pay_as_you_go: off.pay_as_you_go });
  }
}

/**
 * The largest balance the #100# screen is sized for: 99,999.99 roubles, beyond what a prepaid travel
 * SIM holds. Short texts are chosen so that the balance line of such a wallet and the first of them
 * fit one USSD screen together (a larger balance would only make the reply two pages).
 */
export const USSD_BALANCE_SIZED_MINOR = 9_999_999;

/**
 * Short texts for USSD: one line per cause that keeps a service off, most important first, as many
 * as fit one screen (182 GSM-7 septets, or 80 UCS-2 characters) under the #100# balance line
 * (`Messages.ussd.balance`) of a wallet up to USSD_BALANCE_SIZED_MINOR. A line says what to do when
 * that fits, else only what is off and until when. The first always fits (tested for every cause in
 * every language); a cause left out is on the website and in the app. Empty when everything works.
 */
export function serviceStateLines(state: ServiceState, language: Language, time_zone: string): string[] {
  const balance = messagesFor(language).ussd.balance({ balance: formatMoney(USSD_BALANCE_SIZED_MINOR, language) });
  const lines: string[] = [];
  for (const group of offGroups(state)) {
    const fits = (line: string) => fitsOneScreen([balance, ...lines, line].join('\n'));
    const line = [offSentence(group, 'short', language, time_zone), offWhat(group, 'short', language, time_zone)].find(fits);
    if (line === undefined) break;
    lines.push(line);
  }
  return lines;
}

/** Sentences for the website and the app: every cause, most important first. */
export function serviceStateSentences(state: ServiceState, language: Language, time_zone: string): string[] {
  return offGroups(state).map((group) => offSentence(group, 'long', language, time_zone));
}
