import type { BlockReason } from '../network-blocks.js';
import type { UsageKind } from '../units.js';
import type { ServiceStateMessages } from './service-state-messages.js';

const NAMES: Readonly<Record<UsageKind, string>> = { data: 'data', voice: 'calls', sms: 'SMS' };
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const SHORT_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: '24 h pause on arrival',
  roaming_return: '24 h pause after roaming',
  idle: 'pause after 72 h idle',
  identity_unconfirmed: 'identity not confirmed',
  operator: 'blocked by the operator',
};

const LONG_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: 'foreign SIMs are paused for 24 hours on arrival (Russian rules)',
  roaming_return: 'SIMs back from roaming are paused for 24 hours (Russian rules)',
  idle: 'SIMs are paused for 24 hours after 72 hours without use (Russian rules)',
  identity_unconfirmed: 'the owner\'s identity has not been confirmed (Russian rules for foreign visitors)',
  operator: 'the operator has blocked this line',
};

/** "Why is my service off?" in English (see service-state-messages.ts). */
export const serviceStateEn: ServiceStateMessages = {
  kind_list: (kinds) => {
    const names = kinds.map((kind) => NAMES[kind]);
    const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    return capitalized(list);
  },
  sentence_gap: ' ',
  short: {
    line_not_active: 'This line is not active.',
    identity_unverified: ({ state, until }) => ({
      pending: `Identity check under way, due ${until}: no service yet.`,
      rejected: 'Identity not confirmed: no service.',
      expired: `Blocked: identity not confirmed by ${until}.`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds} paused until ${until}: ${SHORT_REASONS[reason]}.`,
    pack_used_up: ({ kinds }) => `${kinds}: pack used up.`,
    pack_expired: ({ kinds, at }) => `${kinds}: pack ended ${at}.`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) => (pay_as_you_go ? `${kinds}: no pack, too little money.` : `${kinds}: no pack.`),
    actions: { wait: 'Ends by itself.', renew: 'Renew: #102#', call_centre: 'Call the call centre.', service_hall: 'Visit a service hall.' },
  },
  long: {
    line_not_active: 'This line is not active, so calls, data and SMS are off.',
    identity_unverified: ({ state, until }) => ({
      pending: `Your identity is being confirmed through Gosuslugi and biometrics (Russian rules for foreign visitors): calls, data and SMS start once it is confirmed, which must happen by ${until}.`,
      rejected: 'Your identity could not be confirmed through Gosuslugi and biometrics (Russian rules for foreign visitors), so calls, data and SMS are off.',
      expired: `This line is blocked: the owner's identity was not confirmed by ${until} (Russian rules for foreign visitors).`,
    })[state],
    blocked: ({ kinds, count, until, reason }) => `${kinds} ${count > 1 ? 'are' : 'is'} paused until ${until} — ${LONG_REASONS[reason]}.`,
    pack_used_up: ({ kinds, pack }) => `${kinds}: the pack “${pack}” is used up.`,
    pack_expired: ({ kinds, pack, at }) => `${kinds}: the pack “${pack}” ended on ${at}.`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) =>
      (pay_as_you_go ? `${kinds}: no pack, and the balance is too low to pay as you go.` : `${kinds}: no pack.`),
    actions: {
      wait: 'Nothing to do: it ends by itself.',
      renew: 'Renew to go on: dial #102#, or renew here.',
      call_centre: 'Call the call centre or visit a service hall.',
      service_hall: 'Bring your passport to a service hall to confirm your identity.',
    },
  },
};
