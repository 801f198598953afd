import type { BlockReason } from '../network-blocks.js';
import type { UsageKind } from '../units.js';
import type { ServiceStateMessages } from './service-state-messages.js';

const NAMES: Readonly<Record<UsageKind, string>> = { data: '流量', voice: '通话', sms: '短信' };

const SHORT_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: '入境暂停24小时',
  roaming_return: '漫游后暂停24小时',
  idle: '闲置72小时后暂停',
  identity_unconfirmed: '身份未确认',
  operator: '运营商封停',
};

const LONG_REASONS: Readonly<Record<BlockReason, string>> = {
  arrival_cooling_off: '按俄罗斯规定，外国SIM卡入境后暂停24小时',
  roaming_return: '按俄罗斯规定，SIM卡漫游归来后暂停24小时',
  idle: '按俄罗斯规定，SIM卡闲置72小时后暂停24小时',
  identity_unconfirmed: '机主身份尚未确认（俄罗斯对外国访客的规定）',
  operator: '运营商已封停该号码',
};

/** “为什么无法使用？”（简体中文，见 service-state-messages.ts）。 */
export const serviceStateZhHans: ServiceStateMessages = {
  kind_list: (kinds) => {
    const names = kinds.map((kind) => NAMES[kind]);
    return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join('、')}和${names.at(-1)}`;
  },
  sentence_gap: '',
  short: {
    line_not_active: '号码未激活。',
    identity_unverified: ({ state, until }) => ({
      pending: `身份确认中（截止${until}），暂不可用。`,
      rejected: '身份未获确认，无法使用。',
      expired: `已封停：${until}前未确认身份。`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds}暂停至${until}（${SHORT_REASONS[reason]}）。`,
    pack_used_up: ({ kinds }) => `${kinds}：套餐已用完。`,
    pack_expired: ({ kinds, at }) => `${kinds}：套餐已于${at}到期。`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) => (pay_as_you_go ? `${kinds}：无套餐，余额不足。` : `${kinds}：无套餐。`),
    actions: { wait: '到时自动恢复。', renew: '续费：#102#', call_centre: '请致电客服中心。', service_hall: '请到营业厅。' },
  },
  long: {
    line_not_active: '号码未激活：通话、流量和短信均不可用。',
    identity_unverified: ({ state, until }) => ({
      pending: `您的身份正在通过俄罗斯国家服务门户（Gosuslugi）和生物识别进行确认（俄罗斯对外国访客的规定）：确认后即可通话、上网和收发短信，须在${until}前完成确认。`,
      rejected: '您的身份未能通过国家服务门户和生物识别确认（俄罗斯对外国访客的规定），通话、流量和短信均不可用。',
      expired: `该号码已被封停：机主身份未在${until}前确认（俄罗斯对外国访客的规定）。`,
    })[state],
    blocked: ({ kinds, until, reason }) => `${kinds}暂停至${until}——${LONG_REASONS[reason]}。`,
    pack_used_up: ({ kinds, pack }) => `${kinds}：套餐“${pack}”已用完。`,
    pack_expired: ({ kinds, pack, at }) => `${kinds}：套餐“${pack}”已于${at}到期。`,
    no_pack_no_balance: ({ kinds, pay_as_you_go }) => (pay_as_you_go ? `${kinds}：没有套餐，余额也不足以按量付费。` : `${kinds}：没有套餐。`),
    actions: {
      wait: '无需操作：到时自动恢复。',
      renew: '续费即可继续使用：拨打#102#，或在此续费。',
      call_centre: '请致电客服中心或前往营业厅。',
      service_hall: '请携带护照到营业厅确认身份。',
    },
  },
};
