import type { BlockReason } from '../network-blocks.js';
import type { UsageKind } from '../units.js';
import type { ServiceStateMessages } from './service-state-messages.js';

const NAMES: Readonly<Record<UsageKind, string>> = { data: 'интернет', voice: 'звонки', sms: 'SMS' };
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const ALL_KINDS = Object.keys(NAMES).length;

// Short: a Cyrillic USSD screen holds 80 characters, the balance line included.
const SHORT_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: 'въезд',
  roaming_return: 'роуминг',
  idle: 'простой 72 ч',
  identity_unconfirmed: 'нет верификации',
  operator: 'блок оператора',
};

const LONG_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: 'по правилам РФ иностранные SIM-карты приостанавливаются на 24 часа после въезда',
  roaming_return: 'по правилам РФ SIM-карты приостанавливаются на 24 часа после роуминга',
  idle: 'по правилам РФ SIM-карты приостанавливаются на 24 часа после 72 часов без использования',
  identity_unconfirmed: 'личность владельца не подтверждена (правила РФ для иностранцев)',
  operator: 'оператор заблокировал номер',
};

/** «Почему не работает связь?» по-русски (см. service-state-messages.ts). */
export const serviceStateRu: ServiceStateMessages = {
  kind_list: (kinds) => {
    // All three: "связь" (the whole service), short enough for a USSD screen.
    if (kinds.length === ALL_KINDS) return 'Связь';
    const names = kinds.map((kind) => NAMES[kind]);
    const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} и ${names.at(-1)}`;
    return capitalized(list);
  },
  sentence_gap: ' ',
  short: {
    line_not_active: 'Номер не активен.',
    identity_unverified: ({ state, until }) => ({
      pending: `Личность проверяется до ${until}: связи пока нет.`,
      rejected: 'Личность не подтверждена: связи нет.',
      expired: `Заблокирован: личность не подтверждена до ${until}.`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds}: пауза до ${until} (${SHORT_REASONS[reason]}).`,
    pack_used_up: ({ kinds }) => `${kinds}: пакет израсходован.`,
    pack_expired: ({ kinds, at }) => `${kinds}: пакет истёк ${at}.`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) => (pay_as_you_go ? `${kinds}: нет пакета и денег.` : `${kinds}: нет пакета.`),
    actions: { wait: 'Снимется сама.', renew: 'Продлить: #102#', call_centre: 'Звоните в поддержку.', service_hall: 'Обратитесь в салон.' },
  },
  long: {
    line_not_active: 'Номер не активен: звонки, интернет и SMS не работают.',
    identity_unverified: ({ state, until }) => ({
      pending: `Ваша личность подтверждается через Госуслуги и биометрию (правила для иностранных граждан): звонки, интернет и SMS заработают после подтверждения, оно должно пройти до ${until}.`,
      rejected: 'Вашу личность не удалось подтвердить через Госуслуги и биометрию (правила для иностранных граждан): звонки, интернет и SMS не работают.',
      expired: `Номер заблокирован: личность владельца не подтверждена до ${until} (правила для иностранных граждан).`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds} — на паузе до ${until}: ${LONG_REASONS[reason]}.`,
    pack_used_up: ({ kinds, pack }) => `${kinds}: пакет «${pack}» израсходован.`,
    pack_expired: ({ kinds, pack, at }) => `${kinds}: пакет «${pack}» закончился ${at}.`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) =>
      (pay_as_you_go ? `${kinds}: нет пакета, а денег на балансе не хватает для оплаты по тарифу.` : `${kinds}: нет пакета.`),
    actions: {
      wait: 'Ничего делать не нужно: пауза закончится сама.',
      renew: 'Чтобы продолжить, продлите: наберите #102# или продлите здесь.',
      call_centre: 'Позвоните в контакт-центр или обратитесь в салон связи.',
      service_hall: 'Подтвердите личность в салоне связи, возьмите паспорт.',
    },
  },
};
