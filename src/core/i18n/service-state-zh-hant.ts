import type { BlockReason } from '../network-blocks.js';
import type { UsageKind } from '../units.js';
import type { ServiceStateMessages } from './service-state-messages.js';

const NAMES: Readonly<Record<UsageKind, string>> = { data: '流量', voice: '通話', sms: '簡訊' };

const SHORT_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: '入境暫停24小時',
  roaming_return: '漫遊後暫停24小時',
  idle: '閒置72小時後暫停',
  identity_unconfirmed: '身分未確認',
  operator: '電信業者停用',
};

const LONG_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: '依俄羅斯規定，外國SIM卡入境後暫停24小時',
  roaming_return: '依俄羅斯規定，SIM卡漫遊返回後暫停24小時',
  idle: '依俄羅斯規定，SIM卡閒置72小時後暫停24小時',
  identity_unconfirmed: '持卡人身分尚未確認（俄羅斯對外國旅客的規定）',
  operator: '電信業者已停用此號碼',
};

/** 「為什麼無法使用？」（繁體中文，見 service-state-messages.ts）。 */
export const serviceStateZhHant: ServiceStateMessages = {
  kind_list: (kinds) => {
    const names = kinds.map((kind) => NAMES[kind]);
    return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join('、')}和${names.at(-1)}`;
  },
  sentence_gap: '',
  short: {
    line_not_active: '號碼未啟用。',
    identity_unverified: ({ state, until }) => ({
      pending: `身分確認中（截止${until}），暫不可用。`,
      rejected: '身分未獲確認，無法使用。',
      expired: `已停用：${until}前未確認身分。`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds}暫停至${until}（${SHORT_REASONS[reason]}）。`,
    pack_used_up: ({ kinds }) => `${kinds}：方案已用完。`,
    pack_expired: ({ kinds, at }) => `${kinds}：方案已於${at}到期。`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) => (pay_as_you_go ? `${kinds}：無方案，餘額不足。` : `${kinds}：無方案。`),
    actions: { wait: '到時自動恢復。', renew: '續費：#102#', call_centre: '請致電客服中心。', service_hall: '請到營業廳。' },
  },
  long: {
    line_not_active: '號碼未啟用：通話、流量和簡訊皆無法使用。',
    identity_unverified: ({ state, until }) => ({
      pending: `您的身分正在透過俄羅斯國家服務入口網站（Gosuslugi）及生物辨識進行確認（俄羅斯對外國訪客的規定）：確認後即可通話、上網及收發簡訊，須於${until}前完成確認。`,
      rejected: '您的身分未能透過國家服務入口網站及生物辨識確認（俄羅斯對外國訪客的規定），通話、流量及簡訊皆無法使用。',
      expired: `此號碼已被停用：機主身分未於${until}前確認（俄羅斯對外國訪客的規定）。`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds}暫停至${until}——${LONG_REASONS[reason]}。`,
    pack_used_up: ({ kinds, pack }) => `${kinds}：方案「${pack}」已用完。`,
    pack_expired: ({ kinds, pack, at }) => `${kinds}：方案「${pack}」已於${at}到期。`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) => (pay_as_you_go ? `${kinds}：沒有方案，餘額也不足以按量計費。` : `${kinds}：沒有方案。`),
    actions: {
      wait: '無需操作：到時自動恢復。',
      renew: '續費即可繼續使用：撥打#102#，或在此續費。',
      call_centre: '請致電客服中心或前往營業廳。',
      service_hall: '請攜帶護照到營業廳確認身分。',
    },
  },
};
