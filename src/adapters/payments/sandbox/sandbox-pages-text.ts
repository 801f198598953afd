import type { Language } from '../../../core/i18n/languages.js';

/** The sandbox's own page texts (it plays an outside provider, so its words are its own). */
export interface SandboxPageText {
  readonly title: string;
  readonly test_banner: string;
  readonly amount: string;
  readonly card_number: string;
  readonly expiry: string;
  readonly cvc: string;
  readonly pay: string;
  readonly approve: string;
  readonly decline: string;
  readonly three_ds_title: string;
  readonly three_ds_pass: string;
  readonly three_ds_fail: string;
  readonly sbp_scan: string;
  readonly sbp_confirm: string;
  readonly wallet_title: (wallet: string) => string;
  readonly processing: string;
  readonly back_to_merchant: string;
  readonly finished: string;
  readonly bad_card: string;
  readonly bad_expiry: string;
  readonly bad_cvc: string;
  readonly not_found: string;
  readonly bad_decision: string;
}

const en: SandboxPageText = {
  title: 'Sandbox payment', test_banner: 'Test mode — no real money moves. This is the sandbox provider, not a bank', amount: 'Amount', card_number: 'Card number',
  expiry: 'Expiry (MM/YY)', cvc: 'CVC', pay: 'Pay', approve: 'Approve payment', decline: 'Decline', three_ds_title: '3-D Secure check by your bank',
  three_ds_pass: 'Confirm', three_ds_fail: 'Fail authentication', sbp_scan: 'Scan with your bank app (SBP)', sbp_confirm: 'Confirm in bank app',
  wallet_title: (wallet) => `Pay with ${wallet}`, processing: 'Your bank is taking longer than usual. You can return to the shop; it will be told the result.',
  back_to_merchant: 'Return to roamcard', finished: 'This payment is already finished.', bad_card: 'Card number is not valid.',
  bad_expiry: 'Expiry date is not valid or in the past.', bad_cvc: 'CVC must be 3 or 4 digits.', not_found: 'No such payment.', bad_decision: 'That answer is not one this page offers.',
};
const ru: SandboxPageText = {
  title: 'Тестовая оплата', test_banner: 'Тестовый режим — деньги не списываются. Это тестовый провайдер, а не банк', amount: 'Сумма', card_number: 'Номер карты',
  expiry: 'Срок (ММ/ГГ)', cvc: 'CVC', pay: 'Оплатить', approve: 'Подтвердить оплату', decline: 'Отклонить', three_ds_title: 'Проверка 3-D Secure вашим банком',
  three_ds_pass: 'Подтвердить', three_ds_fail: 'Не пройти проверку', sbp_scan: 'Отсканируйте в приложении банка (СБП)', sbp_confirm: 'Подтвердить в приложении банка',
  wallet_title: (wallet) => `Оплата через ${wallet}`, processing: 'Банк отвечает дольше обычного. Можно вернуться в магазин: он узнает результат.',
  back_to_merchant: 'Вернуться в roamcard', finished: 'Этот платёж уже завершён.', bad_card: 'Неверный номер карты.',
  bad_expiry: 'Неверный или истёкший срок действия.', bad_cvc: 'CVC — 3 или 4 цифры.', not_found: 'Платёж не найден.', bad_decision: 'Такого ответа на этой странице нет.',
};
const zhHans: SandboxPageText = {
  title: '沙箱支付', test_banner: '测试模式 — 不会产生真实扣款。这是测试支付服务，不是银行', amount: '金额', card_number: '卡号', expiry: '有效期（MM/YY）', cvc: 'CVC',
  pay: '支付', approve: '确认付款', decline: '拒绝', three_ds_title: '银行 3-D Secure 验证', three_ds_pass: '确认', three_ds_fail: '验证失败',
  sbp_scan: '请用银行应用扫码（SBP）', sbp_confirm: '在银行应用中确认', wallet_title: (wallet) => `使用${wallet}支付`,
  processing: '银行处理时间比平时长。您可以返回商户页面，结果会通知商户。', back_to_merchant: '返回远游卡', finished: '该付款已完成。',
  bad_card: '卡号无效。', bad_expiry: '有效期无效或已过期。', bad_cvc: 'CVC为3或4位数字。', not_found: '未找到该付款。', bad_decision: '此页面没有这个选项。',
};
const zhHant: SandboxPageText = {
  title: '沙盒付款', test_banner: '測試模式 — 不會產生真實扣款。這是測試付款服務，不是銀行', amount: '金額', card_number: '卡號', expiry: '有效期限（MM/YY）', cvc: 'CVC',
  pay: '付款', approve: '確認付款', decline: '拒絕', three_ds_title: '銀行 3-D Secure 驗證', three_ds_pass: '確認', three_ds_fail: '驗證失敗',
  sbp_scan: '請用銀行應用程式掃碼（SBP）', sbp_confirm: '在銀行應用程式中確認', wallet_title: (wallet) => `使用${wallet}付款`,
  processing: '銀行處理時間比平常長。您可以返回商店頁面，結果會通知商店。', back_to_merchant: '返回遠遊卡', finished: '此付款已完成。',
  bad_card: '卡號無效。', bad_expiry: '有效期限無效或已過期。', bad_cvc: 'CVC為3或4位數字。', not_found: '找不到此付款。', bad_decision: '此頁面沒有這個選項。',
};

export const SANDBOX_PAGE_TEXT: Readonly<Record<Language, SandboxPageText>> = { en, ru, 'zh-Hans': zhHans, 'zh-Hant': zhHant };
