import type { Language } from '../../core/i18n/languages.js';

/**
 * The words of the contract summary (contract-pdf.ts), in each language. The summary prints the
 * Russian part first (the one that binds) and then the visitor's language.
 */
export interface ContractTexts {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: {
    readonly line: string; readonly holder: string; readonly tariff: string; readonly packs: string; readonly renew: string;
  };
  readonly fields: {
    readonly number: string; readonly sim: string; readonly sim_kind: string; readonly store: string; readonly connected: string;
    readonly verification: string; readonly name: string; readonly birth_date: string; readonly document: string;
    readonly imei: string; readonly consent: string;
  };
  readonly sim_kinds: { readonly nano: string; readonly esim: string };
  readonly document_types: { readonly passport: string; readonly residence_permit: string; readonly travel_document: string };
  readonly verification: (p: { state: 'pending' | 'confirmed' | 'rejected' | 'expired'; deadline: string }) => string;
  readonly consent: (p: { version: string; at: string }) => string;
  readonly tariff_lines: { readonly data: string; readonly voice: string; readonly sms: string; readonly off: string };
  readonly pack_line: (p: { name: string; price: string; hours: number }) => string;
  readonly renew_lines: (p: { site: string }) => readonly string[];
  readonly language_name: string;
}

export const CONTRACT_TEXTS: Readonly<Record<Language, ContractTexts>> = {
  ru: {
    title: 'Договор об оказании услуг подвижной связи',
    subtitle: 'Краткое содержание для абонента — иностранного гражданина (303-ФЗ)',
    sections: { line: 'Номер', holder: 'Абонент', tariff: 'Тариф без пакета', packs: 'Пакеты', renew: 'Как продлить' },
    fields: {
      number: 'Абонентский номер', sim: 'SIM-карта (ICCID)', sim_kind: 'Тип SIM', store: 'Салон связи', connected: 'Дата подключения',
      verification: 'Подтверждение личности', name: 'Фамилия, имя (латиницей)', birth_date: 'Дата рождения', document: 'Документ',
      imei: 'IMEI устройства', consent: 'Согласие на обработку ПДн',
    },
    sim_kinds: { nano: 'nano-SIM', esim: 'eSIM' },
    document_types: { passport: 'паспорт', residence_permit: 'вид на жительство', travel_document: 'проездной документ' },
    verification: ({ state, deadline }) => ({
      pending: `ожидается через Госуслуги и биометрию до ${deadline}; до подтверждения связь не работает`,
      confirmed: 'подтверждена', rejected: 'не подтверждена: связь не оказывается', expired: `не подтверждена до ${deadline}: номер заблокирован`,
    })[state],
    consent: ({ version, at }) => `версия ${version}, дано ${at}`,
    tariff_lines: { data: 'Интернет, за 1 МБ', voice: 'Звонки, за 1 минуту', sms: 'SMS, за 1 сообщение', off: 'не оказывается без пакета' },
    pack_line: ({ name, price, hours }) => `${name} — ${price}, ${hours} ч`,
    renew_lines: ({ site }) => [
      '#100# — баланс и остатки пакетов', '#101# — подробно о пакетах', '#102# — купить пакет с баланса или по ссылке в SMS',
      `Сайт: ${site}`, 'Салоны связи roamcard: оплата наличными или картой',
    ],
    language_name: 'Русский',
  },
  en: {
    title: 'Contract for mobile communication services',
    subtitle: 'Summary for a subscriber who is a foreign citizen (Federal Law 303-FZ)',
    sections: { line: 'Number', holder: 'Subscriber', tariff: 'Tariff without a pack', packs: 'Packs', renew: 'How to renew' },
    fields: {
      number: 'Phone number', sim: 'SIM card (ICCID)', sim_kind: 'SIM type', store: 'Service hall', connected: 'Connected on',
      verification: 'Identity confirmation', name: 'Surname, given names', birth_date: 'Date of birth', document: 'Document',
      imei: 'Device IMEI', consent: 'Personal data consent',
    },
    sim_kinds: { nano: 'nano-SIM', esim: 'eSIM' },
    document_types: { passport: 'passport', residence_permit: 'residence permit', travel_document: 'travel document' },
    verification: ({ state, deadline }) => ({
      pending: `in progress through Gosuslugi and biometrics, due by ${deadline}; no service until it is confirmed`,
      confirmed: 'confirmed', rejected: 'not confirmed: no service', expired: `not confirmed by ${deadline}: the number is blocked`,
    })[state],
    consent: ({ version, at }) => `version ${version}, given ${at}`,
    tariff_lines: { data: 'Data, per MB', voice: 'Calls, per minute', sms: 'SMS, per message', off: 'not available without a pack' },
    pack_line: ({ name, price, hours }) => `${name} — ${price}, ${hours} h`,
    renew_lines: ({ site }) => [
      '#100# — balance and what is left of your packs', '#101# — your packs in detail',
      '#102# — buy a pack from the balance or by a link sent by SMS', `Website: ${site}`, 'roamcard service halls: pay in cash or by card',
    ],
    language_name: 'English',
  },
  'zh-Hans': {
    title: '移动通信服务合同',
    subtitle: '外国公民用户合同摘要（第303-FZ号联邦法）',
    sections: { line: '号码', holder: '用户', tariff: '无套餐资费', packs: '套餐', renew: '如何续费' },
    fields: {
      number: '电话号码', sim: 'SIM卡（ICCID）', sim_kind: 'SIM类型', store: '营业厅', connected: '开通日期',
      verification: '身份确认', name: '姓名（拉丁字母）', birth_date: '出生日期', document: '证件',
      imei: '设备IMEI', consent: '个人数据处理同意',
    },
    sim_kinds: { nano: 'nano-SIM', esim: 'eSIM' },
    document_types: { passport: '护照', residence_permit: '居留证', travel_document: '旅行证件' },
    verification: ({ state, deadline }) => ({
      pending: `正在通过国家服务门户和生物识别确认，须在${deadline}前完成；确认前号码无法使用`,
      confirmed: '已确认', rejected: '未获确认：不提供服务', expired: `未在${deadline}前确认：号码已封停`,
    })[state],
    consent: ({ version, at }) => `版本${version}，签署于${at}`,
    tariff_lines: { data: '流量，每MB', voice: '通话，每分钟', sms: '短信，每条', off: '无套餐时不提供' },
    pack_line: ({ name, price, hours }) => `${name} — ${price}，${hours}小时`,
    renew_lines: ({ site }) => [
      '#100# — 查询余额和套餐剩余', '#101# — 套餐详情', '#102# — 用余额或短信链接购买套餐', `网站：${site}`, 'roamcard营业厅：现金或刷卡支付',
    ],
    language_name: '简体中文',
  },
  'zh-Hant': {
    title: '行動通信服務契約',
    subtitle: '外國公民用戶契約摘要（第303-FZ號聯邦法）',
    sections: { line: '號碼', holder: '用戶', tariff: '無方案資費', packs: '方案', renew: '如何續費' },
    fields: {
      number: '電話號碼', sim: 'SIM卡（ICCID）', sim_kind: 'SIM類型', store: '營業廳', connected: '開通日期',
      verification: '身分確認', name: '姓名（拉丁字母）', birth_date: '出生日期', document: '證件',
      imei: '裝置IMEI', consent: '個人資料處理同意',
    },
    sim_kinds: { nano: 'nano-SIM', esim: 'eSIM' },
    document_types: { passport: '護照', residence_permit: '居留證', travel_document: '旅行證件' },
    verification: ({ state, deadline }) => ({
      pending: `正在透過國家服務入口網站及生物辨識確認，須於${deadline}前完成；確認前號碼無法使用`,
      confirmed: '已確認', rejected: '未獲確認：不提供服務', expired: `未於${deadline}前確認：號碼已停用`,
    })[state],
    consent: ({ version, at }) => `版本${version}，簽署於${at}`,
    tariff_lines: { data: '流量，每MB', voice: '通話，每分鐘', sms: '簡訊，每則', off: '無方案時不提供' },
    pack_line: ({ name, price, hours }) => `${name} — ${price}，${hours}小時`,
    renew_lines: ({ site }) => [
      '#100# — 查詢餘額及方案剩餘', '#101# — 方案詳情', '#102# — 以餘額或簡訊連結購買方案', `網站：${site}`, 'roamcard營業廳：現金或刷卡付款',
    ],
    language_name: '繁體中文',
  },
};
