import type { Language } from './i18n/languages.js';

/**
 * Consent to the processing of personal data (152-FZ): a separate document since 1 September 2025,
 * versioned, kept with the time and the staff member who took it. The desk shows the text in the
 * visitor's language beside the Russian one (the Russian text is the one that binds); the record
 * keeps the version and the language shown. A change of wording is a new version: old records keep
 * pointing at the text the visitor saw, so old versions stay here.
 *
 * The wording is a starting point for the operator's lawyer, not legal advice.
 */

export const CONSENT_TEXT_VERSION = '2026-01';

export interface ConsentText {
  readonly version: string;
  readonly title: string;
  readonly body: string;
}

const CONSENT_2026_01: Readonly<Record<Language, ConsentText>> = {
  ru: {
    version: '2026-01',
    title: 'Согласие на обработку персональных данных',
    body: 'Я даю согласие оператору связи на обработку моих персональных данных (фамилия, имя, дата рождения, '
      + 'данные документа, удостоверяющего личность, IMEI устройства, абонентский номер) для заключения и исполнения '
      + 'договора об оказании услуг связи и для подтверждения моей личности через ЕПГУ (Госуслуги) и Единую '
      + 'биометрическую систему в соответствии с Федеральным законом № 303-ФЗ. Данные хранятся на территории '
      + 'Российской Федерации в течение срока действия договора и сроков, установленных законом. Согласие может быть '
      + 'отозвано письменным заявлением в салоне связи.',
  },
  en: {
    version: '2026-01',
    title: 'Consent to the processing of personal data',
    body: 'I consent to the telecom operator processing my personal data (surname, given names, date of birth, '
      + 'identity document details, device IMEI, phone number) to conclude and perform the contract for communication '
      + 'services and to confirm my identity through the state services portal (Gosuslugi) and the Unified Biometric '
      + 'System under Federal Law No. 303-FZ. The data are stored in the Russian Federation for the term of the contract '
      + 'and the periods the law sets. I may withdraw this consent by a written request at a service hall. '
      + 'The Russian text is binding.',
  },
  'zh-Hans': {
    version: '2026-01',
    title: '个人数据处理同意书',
    body: '本人同意电信运营商处理本人的个人数据（姓、名、出生日期、身份证件信息、设备IMEI、电话号码），'
      + '用于订立和履行通信服务合同，并依据第303-FZ号联邦法通过俄罗斯国家服务门户（Gosuslugi）和统一生物识别系统确认本人身份。'
      + '数据在合同有效期及法律规定的期限内存储于俄罗斯联邦境内。本人可在营业厅以书面申请撤回本同意。以俄文文本为准。',
  },
  'zh-Hant': {
    version: '2026-01',
    title: '個人資料處理同意書',
    body: '本人同意電信業者處理本人的個人資料（姓、名、出生日期、身分證件資料、裝置IMEI、電話號碼），'
      + '用於訂立及履行通信服務契約，並依據第303-FZ號聯邦法透過俄羅斯國家服務入口網站（Gosuslugi）及統一生物辨識系統確認本人身分。'
      + '資料於契約有效期間及法律規定期間內儲存於俄羅斯聯邦境內。本人得於營業廳以書面申請撤回本同意。以俄文文本為準。',
  },
};

const CONSENT_TEXTS: Readonly<Record<string, Readonly<Record<Language, ConsentText>>>> = { '2026-01': CONSENT_2026_01 };

/** The text of a version in a language, or undefined for a version we never had. */
export function consentText(language: Language, version: string = CONSENT_TEXT_VERSION): ConsentText | undefined {
  return CONSENT_TEXTS[version]?.[language];
}

/** What the desk shows: the visitor's language and Russian (once when the visitor reads Russian). */
export function consentTextsShown(language: Language, version: string = CONSENT_TEXT_VERSION): ConsentText[] {
  const languages: Language[] = language === 'ru' ? ['ru'] : [language, 'ru'];
  return languages.flatMap((shown) => consentText(shown, version) ?? []);
}
