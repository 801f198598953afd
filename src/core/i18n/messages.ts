import type { ErrorCode, ErrorParams } from '../errors.js';
import type { Language } from './languages.js';

/** Payment failure codes (ports/payment-provider.ts) plus the order-level reasons. */
type PaymentFailureCodeText =
  | 'insufficient_funds' | 'card_expired' | 'three_d_secure_failed' | 'fraud_suspected' | 'declined' | 'expired'
  | 'canceled_by_customer' | 'issuer_unavailable' | 'provider_error' | 'line_not_active' | 'unused_pack_refunded';

/**
 * Every text a person reads, in our four languages. A typed catalogue rather than a message-format
 * library: the compiler proves each language has every message with the right parameters, and the
 * USSD texts must be hand-fitted to 80-character screens anyway.
 */
export interface KindSummary {
  readonly amount: string;
  readonly until: string;
  /** How many live packs hold this kind: with more than one, `until` is only the first to end. */
  readonly packs: number;
}

/** Payment methods as a receipt names them (ports/payment-provider.ts PAYMENT_METHODS). */
type ReceiptMethodText =
  | 'card' | 'yoomoney' | 'paypal' | 'alipay' | 'wechat_pay' | 'sbp' | 'bank_transfer' | 'cash' | 'card_present' | 'wallet';

/** Receipts (every paid order) and bank-transfer invoices: labels of the HTML page and the PDF. */
export interface ReceiptMessages {
  readonly receipt_title: string;
  readonly number: string;
  readonly seller: string;
  readonly inn: string;
  readonly kpp: string;
  readonly address: string;
  readonly item: string;
  readonly quantity: string;
  readonly price: string;
  readonly total: string;
  readonly vat_included: (p: { rate_percent: number }) => string;
  readonly vat_none: string;
  readonly payment_method: string;
  readonly paid_at: string;
  readonly order: string;
  readonly phone_number: string;
  readonly issued_at: string;
  readonly scan_to_verify: string;
  readonly verified: string;
  readonly not_found: string;
  readonly download_pdf: string;
  readonly view_receipt: string;
  /** The order is paid but the receipt job has not run yet (seconds). */
  readonly being_prepared: string;
  readonly methods: Readonly<Record<ReceiptMethodText, string>>;
  readonly invoice_title: string;
  readonly invoice_reference: string;
  readonly payee: string;
  readonly bank: string;
  readonly bic: string;
  readonly correspondent_account: string;
  readonly account: string;
  readonly amount_due: string;
  readonly purpose: string;
  readonly pay_by: string;
  readonly scan_to_pay: string;
  readonly invoice_note: string;
  readonly invoice_not_found: string;
  readonly view_invoice: string;
  /** On every receipt and invoice made in test mode (the sandbox): no money moved. */
  readonly test_notice: string;
}

export const HTTP_FIELD_PROBLEMS = [
  'missing', 'wrong_type', 'too_small', 'too_big', 'invalid_format', 'invalid_value', 'unexpected', 'invalid', 'msisdn_or_line_id',
] as const;
export type HttpFieldProblem = (typeof HTTP_FIELD_PROBLEMS)[number];

export interface Messages {
  /** BCP 47 locale for Intl number and date formatting. */
  readonly locale: string;
  readonly currency_rub: string;
  readonly units: { mb: string; gb: string; minutes: string; sms: string; less_than_minute: string };
  readonly ussd: {
    balance: (p: { balance: string }) => string;
    /** #100#: what the live packs hold of one kind, and the nearest expiry among those packs. */
    data_left: (p: KindSummary) => string;
    voice_left: (p: KindSummary) => string;
    sms_left: (p: KindSummary) => string;
    no_packs: string;
    packs_header: (p: { count: number }) => string;
    pack_line: (p: { index: number; name: string; left: string; until: string }) => string;
    /** #101# lists a bounded number of packs; this line counts the others. */
    packs_not_listed: (p: { count: number }) => string;
    more: string;
    back: string;
    unknown_number: string;
    unknown_code: (p: { code: string }) => string;
    line_not_active: string;
    temporarily_unavailable: string;
    /** The gateway sent a request we cannot read (no phone number, no code). */
    invalid_request: string;
  };
  /** Problem details of the HTTP API that are about the request itself, not the domain. */
  readonly http: {
    route_not_found: string;
    unauthorized: string;
    not_configured: string;
    /** An endpoint for one known caller (a gateway, the metrics scraper) asked from elsewhere. */
    address_not_allowed: string;
    basic_credentials_required: string;
    request_rejected: (p: { status: number }) => string;
    /** Why a request field was rejected; phrased to follow the field name in ROAM_ERR_VALIDATION. */
    field_problems: Readonly<Record<HttpFieldProblem, string>>;
  };
  readonly field_problems: Record<string, string>;
  readonly errors: Record<ErrorCode, (p: ErrorParams) => string>;
  /** Renewal: order states and why a payment failed, as the customer reads them. */
  readonly renewal: {
    readonly order_states: Record<'created' | 'awaiting_payment' | 'paid' | 'active' | 'failed' | 'canceled' | 'expired' | 'refunded', string>;
    readonly payment_failures: Record<PaymentFailureCodeText, string>;
    readonly try_another_method: string;
  };
  readonly receipts: ReceiptMessages;
}

// #100# summary lines: with one pack "until" is exact; with several it is only the first to end.
const enKindLeft = ({ amount, until, packs }: KindSummary) =>
  packs > 1 ? `${amount} left in ${packs} packs, first ends ${until}` : `${amount} left, until ${until}`;
const ruKindLeft = ({ amount, until, packs }: KindSummary) =>
  packs > 1 ? `${amount} (пакетов: ${packs}), первый до ${until}` : `${amount} до ${until}`;
const zhHansKindLeft = ({ amount, until, packs }: KindSummary) =>
  packs > 1 ? `剩余${amount}（${packs}个套餐），最早至${until}` : `剩余${amount}，至${until}`;
const zhHantKindLeft = ({ amount, until, packs }: KindSummary) =>
  packs > 1 ? `剩餘${amount}（${packs}個方案），最早至${until}` : `剩餘${amount}，至${until}`;

const en: Messages = {
  locale: 'en-GB',
  currency_rub: 'RUB',
  units: { mb: 'MB', gb: 'GB', minutes: 'min', sms: 'SMS', less_than_minute: '<1 min' },
  ussd: {
    balance: ({ balance }) => `Balance: ${balance}`,
    data_left: (p) => `Data: ${enKindLeft(p)}`,
    voice_left: (p) => `Calls: ${enKindLeft(p)}`,
    sms_left: (p) => `SMS: ${enKindLeft(p)}`,
    no_packs: 'No active packs. Renew at the app, website or a store.',
    packs_header: ({ count }) => `Your packs (${count}):`,
    pack_line: ({ index, name, left, until }) => `${index}) ${name}: ${left} left, until ${until}`,
    packs_not_listed: ({ count }) => `+${count} more: see the app or website.`,
    more: '0 More',
    back: '00 Back',
    unknown_number: 'This number is not served by roamcard. Please check the SIM.',
    unknown_code: ({ code }) => `Unknown code ${code}. Dial #100# for balance, #101# for packs.`,
    line_not_active: 'This line is not active. Please contact a service hall.',
    temporarily_unavailable: 'Service temporarily unavailable. Please try again in a minute.',
    invalid_request: 'Sorry, the request could not be read. Please dial the code again.',
  },
  http: {
    route_not_found: 'There is no endpoint at this address.',
    unauthorized: 'A valid bearer token is required (Authorization: Bearer ...).',
    not_configured: 'This endpoint is not configured on this server.',
    address_not_allowed: 'This endpoint does not accept requests from your address.',
    basic_credentials_required: 'Valid credentials are required (HTTP Basic authentication).',
    request_rejected: ({ status }) => `The request was not accepted (HTTP ${status}).`,
    field_problems: {
      missing: 'is required', wrong_type: 'has the wrong type', too_small: 'is too small or too short',
      too_big: 'is too large or too long', invalid_format: 'has the wrong format', invalid_value: 'is not one of the allowed values',
      unexpected: 'is not expected here', invalid: 'is not valid', msisdn_or_line_id: 'or line_id: give exactly one of them',
    },
  },
  field_problems: {
    empty: 'is empty', not_digits: 'must contain digits only', length: 'must have 19 or 20 digits',
    prefix: 'must start with 89', luhn: 'has a wrong check digit (Luhn)', invalid: 'is not a valid phone number',
    format: 'has the wrong format', missing_column: 'column is missing', duplicate_in_file: 'appears twice in the file',
    exists_differently: 'is already in inventory with other data', esim_code_required: 'is required for an eSIM',
    esim_code_unexpected: 'is only for eSIM', unknown_form_factor: 'must be nano or esim', not_positive: 'must be greater than zero',
    too_large: 'is too large', too_many_decimals: 'has too many decimals', unknown_kind: 'must be data, voice or sms',
    not_a_date: 'is not a date', negative: 'must not be negative', not_integer: 'must be a whole number',
    column_count: 'has more cells than the header has columns', csv_syntax: 'is not valid CSV (a quote is not closed, or the row is too long); the rest of the file was not read',
    too_many_rows: 'is beyond the row limit of one file; split the file', no_time_zone: 'has no time zone (add Z or +03:00)',
    epoch_too_small: 'is before 2000: epoch seconds instead of milliseconds?',
    unknown_reference: 'matches no bank transfer', transfer_closed: 'pays a bank transfer whose order had already closed: return the money to the payer by bank payment order', amount_mismatch: 'is not the amount due for the bank transfer with this reference',
  },
  renewal: {
    order_states: { created: 'Waiting for payment', awaiting_payment: 'Payment in progress', paid: 'Paid, activating', active: 'Active', failed: 'Failed', canceled: 'Canceled', expired: 'Expired', refunded: 'Refunded' },
    payment_failures: {
      insufficient_funds: 'The card was declined: not enough money on it.', card_expired: 'The card was declined: it has expired.',
      three_d_secure_failed: 'Your bank could not confirm the payment (3-D Secure).', fraud_suspected: 'Your bank blocked the payment as suspicious.',
      declined: 'The payment was declined.', expired: 'The payment was not finished in time.', canceled_by_customer: 'The payment was canceled.',
      issuer_unavailable: 'Your bank did not answer.', provider_error: 'The payment service had a problem.', line_not_active: 'The line is not active, so the money will be returned.', unused_pack_refunded: 'Refunded: the pack was not used, and the money went back the way it came.',
    },
    try_another_method: 'Try another payment method, or try again later.',
  },
  receipts: {
    receipt_title: 'Payment receipt', number: 'No.', seller: 'Seller', inn: 'INN (taxpayer number)', kpp: 'KPP', address: 'Address',
    item: 'Item', quantity: 'Qty', price: 'Price', total: 'Total', vat_included: ({ rate_percent }) => `incl. VAT ${rate_percent}%`, vat_none: 'VAT not applicable',
    payment_method: 'Paid by', paid_at: 'Paid at', order: 'Order', phone_number: 'Phone number', issued_at: 'Issued',
    scan_to_verify: 'Scan the QR code to check this receipt online.', verified: 'Verified: this receipt was issued by the seller below.',
    not_found: 'Receipt not found. Check the link or scan the QR code again.', download_pdf: 'Download PDF', view_receipt: 'Payment receipt',
    being_prepared: 'Your receipt is being prepared. This page refreshes by itself.',
    methods: {
      card: 'Bank card', yoomoney: 'YooMoney', paypal: 'PayPal', alipay: 'Alipay', wechat_pay: 'WeChat Pay', sbp: 'SBP (Faster Payments)',
      bank_transfer: 'Bank transfer', cash: 'Cash', card_present: 'Bank card (terminal)', wallet: 'Phone balance',
    },
    invoice_title: 'Invoice for bank transfer', invoice_reference: 'Payment reference', payee: 'Payee', bank: 'Bank', bic: 'BIC',
    correspondent_account: 'Correspondent account', account: 'Account', amount_due: 'Amount due', purpose: 'Purpose of payment',
    pay_by: 'Pay by', scan_to_pay: 'Scan with a Russian bank app to fill in the transfer.',
    invoice_note: 'Put the payment reference in the purpose of payment. The pack is activated when the transfer arrives.',
    invoice_not_found: 'There is no bank transfer for this order.', view_invoice: 'Invoice for bank transfer', test_notice: 'TEST MODE: no money was taken. This document is a sample, not a receipt for a payment.',
  },
  errors: {
    ROAM_ERR_VALIDATION: ({ field, reason }) => `${field ?? 'Input'} ${reason ?? 'is not valid'}.`,
    ROAM_ERR_ICCID_INVALID: ({ reason }) => `The SIM serial number (ICCID) ${reason ?? 'is not valid'}.`,
    ROAM_ERR_MSISDN_INVALID: () => 'This is not a valid phone number.',
    ROAM_ERR_IMSI_INVALID: () => 'The IMSI must have 14 or 15 digits.',
    ROAM_ERR_ESIM_CODE_INVALID: () => 'The eSIM activation code must look like LPA:1$smdp.example.com$MATCHING-ID.',
    ROAM_ERR_AMOUNT_INVALID: ({ field, reason }) => `The amount${field ? ` (${field})` : ''} ${reason ?? 'is not valid'}.`,
    ROAM_ERR_SIM_NOT_FOUND: () => 'No SIM with this serial number is in our inventory.',
    ROAM_ERR_SIM_NOT_IN_STOCK: () => 'This SIM is already in service or retired.',
    ROAM_ERR_SIM_EXISTS: ({ field }) => `A SIM with this ${field ?? 'ICCID'} is already in inventory with other data.`,
    ROAM_ERR_LINE_NOT_FOUND: () => 'No line was found for this number.',
    ROAM_ERR_LINE_NOT_ACTIVE: () => 'This line is not active.',
    ROAM_ERR_ACCOUNT_NOT_FOUND: () => 'The account was not found.',
    ROAM_ERR_PACKAGE_NOT_FOUND: ({ code }) => `There is no pack ${code ?? ''}.`.replace(' .', '.'),
    ROAM_ERR_PACKAGE_INACTIVE: ({ code }) => `The pack ${code ?? ''} is no longer on sale.`.replace('  ', ' '),
    ROAM_ERR_PACKAGE_NOT_ON_CHANNEL: ({ channel }) => `This pack is not sold here${channel ? ` (${channel})` : ''}.`,
    ROAM_ERR_PACKAGE_INVALID: ({ field }) => `The pack definition is not valid: ${field ?? 'check its fields'}.`,
    ROAM_ERR_PRICE_NOT_SET: () => 'This pack has no price yet.',
    ROAM_ERR_INSUFFICIENT_FUNDS: () => 'There is not enough money on the balance. Top up or pay another way.',
    ROAM_ERR_IDEMPOTENCY_CONFLICT: () => 'This request key was already used for a different request.',
    ROAM_ERR_USAGE_EVENT_CONFLICT: () => 'This usage event id was already charged with different usage.',
    ROAM_ERR_ENTRY_NOT_FOUND: () => 'The journal entry was not found.',
    ROAM_ERR_ENTRY_ALREADY_REVERSED: () => 'This journal entry has already been reversed.',
    ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND: () => 'The ledger account was not found.',
    ROAM_ERR_USSD_CODE_UNKNOWN: ({ code }) => `Unknown code ${code ?? ''}.`.replace(' .', '.'),
    ROAM_ERR_ORDER_NOT_FOUND: () => 'The order was not found.',
    ROAM_ERR_ORDER_CLOSED: ({ value }) => value === 'expired' ? 'This order has expired. Please start a new renewal.' : 'This order no longer takes payments.',
    ROAM_ERR_PAYMENT_NOT_FOUND: () => 'The payment was not found.',
    ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE: () => 'This payment method is not available. Please choose another one.',
    ROAM_ERR_REFUND_NOT_ALLOWED: ({ reason }) => reason === 'pack_used' ? 'The pack has already been used, so it cannot be refunded.' : 'Only an active order can be refunded.',
    ROAM_ERR_RATE_LIMITED: ({ retry_after_s = 60 }) => `Too many attempts. Please try again in ${retry_after_s < 120 ? `${retry_after_s} s` : `${Math.ceil(retry_after_s / 60)} min`}.`,
    ROAM_ERR_CODE_INVALID: () => 'The code is wrong or has expired. Check the SMS or ask for a new code.',
    ROAM_ERR_WALLET_PAYER_UNPROVEN: () => 'Only the line\'s owner can pay from its balance: sign in with this number, or enter the code we send to it by SMS.',
    ROAM_ERR_ICCID_MISMATCH: () => 'This SIM serial number (ICCID) does not belong to this phone number. Check the number printed on the card.',
    ROAM_ERR_SIGN_IN_REQUIRED: () => 'Please sign in.',
    ROAM_ERR_CSRF_INVALID: () => 'The form has expired. Reload the page and try again.',
    ROAM_ERR_CUSTOMER_LINES_LIMIT: ({ lines_max }) => `An account can hold at most ${lines_max ?? ''} lines. Remove one first.`.replace('  ', ' '),
    ROAM_ERR_NOT_FOUND: () => 'Not found.',
    ROAM_ERR_UNAVAILABLE: () => 'The service is temporarily unavailable. Please try again shortly.',
    ROAM_ERR_INTERNAL: () => 'Something went wrong on our side. Nothing was charged twice; please try again.',
  },
};

const ru: Messages = {
  locale: 'ru-RU',
  currency_rub: '₽',
  units: { mb: 'МБ', gb: 'ГБ', minutes: 'мин', sms: 'SMS', less_than_minute: '<1 мин' },
  ussd: {
    balance: ({ balance }) => `Баланс: ${balance}`,
    data_left: (p) => `Интернет: ${ruKindLeft(p)}`,
    voice_left: (p) => `Звонки: ${ruKindLeft(p)}`,
    sms_left: (p) => `SMS: ${ruKindLeft(p)}`,
    no_packs: 'Нет активных пакетов. Продлите в приложении, на сайте или в салоне.',
    packs_header: ({ count }) => `Ваши пакеты (${count}):`,
    pack_line: ({ index, name, left, until }) => `${index}) ${name}: осталось ${left} до ${until}`,
    packs_not_listed: ({ count }) => `Ещё пакетов: ${count}, см. приложение или сайт.`,
    more: '0 Далее',
    back: '00 Назад',
    unknown_number: 'Номер не обслуживается roamcard. Проверьте SIM-карту.',
    unknown_code: ({ code }) => `Неизвестный код ${code}. Баланс #100#, пакеты #101#.`,
    line_not_active: 'Номер не активен. Обратитесь в салон связи.',
    temporarily_unavailable: 'Сервис временно недоступен. Повторите через минуту.',
    invalid_request: 'Запрос не распознан. Наберите код ещё раз.',
  },
  http: {
    route_not_found: 'По этому адресу ничего нет.',
    unauthorized: 'Нужен действительный токен (Authorization: Bearer ...).',
    not_configured: 'Эта функция не настроена на сервере.',
    address_not_allowed: 'Этот сервис не принимает запросы с вашего IP-адреса.',
    basic_credentials_required: 'Нужны действительные учётные данные (HTTP Basic).',
    request_rejected: ({ status }) => `Запрос не принят (HTTP ${status}).`,
    field_problems: {
      missing: 'обязательное поле', wrong_type: 'неверный тип значения', too_small: 'слишком маленькое или короткое значение',
      too_big: 'слишком большое или длинное значение', invalid_format: 'неверный формат', invalid_value: 'недопустимое значение',
      unexpected: 'лишнее поле', invalid: 'неверное значение', msisdn_or_line_id: 'укажите ровно одно из msisdn и line_id',
    },
  },
  field_problems: {
    empty: 'не заполнено', not_digits: 'должно содержать только цифры', length: 'должно содержать 19 или 20 цифр',
    prefix: 'должно начинаться с 89', luhn: 'содержит неверную контрольную цифру (Луна)', invalid: 'не является номером телефона',
    format: 'в неверном формате', missing_column: 'нет такого столбца', duplicate_in_file: 'повторяется в файле',
    exists_differently: 'уже есть на складе с другими данными', esim_code_required: 'обязателен для eSIM',
    esim_code_unexpected: 'допустим только для eSIM', unknown_form_factor: 'должен быть nano или esim', not_positive: 'должно быть больше нуля',
    too_large: 'слишком большое', too_many_decimals: 'слишком много знаков после запятой', unknown_kind: 'должен быть data, voice или sms',
    not_a_date: 'не является датой', negative: 'не может быть отрицательным', not_integer: 'должно быть целым числом',
    column_count: 'содержит больше ячеек, чем столбцов в заголовке', csv_syntax: 'не является корректной строкой CSV (не закрыта кавычка или строка слишком длинная); остаток файла не прочитан',
    too_many_rows: 'превышает предел строк в одном файле; разделите файл', no_time_zone: 'без часового пояса (добавьте Z или +03:00)',
    epoch_too_small: 'раньше 2000 года: секунды вместо миллисекунд?',
    unknown_reference: 'не совпадает ни с одним банковским переводом', transfer_closed: 'оплачивает перевод по уже закрытому заказу: верните деньги плательщику платёжным поручением', amount_mismatch: 'не совпадает с суммой к оплате банковского перевода с этой ссылкой',
  },
  renewal: {
    order_states: { created: 'Ожидает оплаты', awaiting_payment: 'Идёт оплата', paid: 'Оплачен, подключаем', active: 'Подключён', failed: 'Ошибка', canceled: 'Отменён', expired: 'Истёк', refunded: 'Деньги возвращены' },
    payment_failures: {
      insufficient_funds: 'Карта отклонена: недостаточно средств.', card_expired: 'Карта отклонена: истёк срок действия.',
      three_d_secure_failed: 'Банк не подтвердил платёж (3-D Secure).', fraud_suspected: 'Банк заблокировал платёж как подозрительный.',
      declined: 'Платёж отклонён.', expired: 'Оплата не завершена вовремя.', canceled_by_customer: 'Платёж отменён.',
      issuer_unavailable: 'Банк не ответил.', provider_error: 'Сбой платёжного сервиса.', line_not_active: 'Номер не активен, деньги будут возвращены.', unused_pack_refunded: 'Возврат: пакет не использовался, деньги вернулись тем же способом.',
    },
    try_another_method: 'Попробуйте другой способ оплаты или повторите позже.',
  },
  receipts: {
    receipt_title: 'Квитанция об оплате', number: '№', seller: 'Продавец', inn: 'ИНН', kpp: 'КПП', address: 'Адрес',
    item: 'Наименование', quantity: 'Кол-во', price: 'Цена', total: 'Итого', vat_included: ({ rate_percent }) => `в т.ч. НДС ${rate_percent}%`, vat_none: 'Без НДС',
    payment_method: 'Способ оплаты', paid_at: 'Дата и время оплаты', order: 'Заказ', phone_number: 'Номер телефона', issued_at: 'Выдана',
    scan_to_verify: 'Отсканируйте QR-код, чтобы проверить квитанцию.', verified: 'Подлинность подтверждена: квитанцию выдал указанный продавец.',
    not_found: 'Квитанция не найдена. Проверьте ссылку или отсканируйте QR-код ещё раз.', download_pdf: 'Скачать PDF', view_receipt: 'Квитанция об оплате',
    being_prepared: 'Квитанция готовится. Страница обновится сама.',
    methods: {
      card: 'Банковская карта', yoomoney: 'ЮMoney', paypal: 'PayPal', alipay: 'Alipay', wechat_pay: 'WeChat Pay', sbp: 'СБП',
      bank_transfer: 'Банковский перевод', cash: 'Наличные', card_present: 'Банковская карта (терминал)', wallet: 'Баланс номера',
    },
    invoice_title: 'Счёт на оплату банковским переводом', invoice_reference: 'Код платежа', payee: 'Получатель', bank: 'Банк получателя', bic: 'БИК',
    correspondent_account: 'Корр. счёт', account: 'Расчётный счёт', amount_due: 'Сумма к оплате', purpose: 'Назначение платежа',
    pay_by: 'Оплатить до', scan_to_pay: 'Отсканируйте в приложении банка: реквизиты заполнятся сами.',
    invoice_note: 'Укажите код платежа в назначении платежа. Пакет подключится, когда перевод поступит.',
    invoice_not_found: 'Для этого заказа нет банковского перевода.', view_invoice: 'Счёт на оплату переводом', test_notice: 'ТЕСТОВЫЙ РЕЖИМ: деньги не списаны. Это образец документа, а не квитанция об оплате.',
  },
  errors: {
    ROAM_ERR_VALIDATION: ({ field, reason }) => `${field ?? 'Значение'}: ${reason ?? 'неверное значение'}.`,
    ROAM_ERR_ICCID_INVALID: ({ reason }) => `Серийный номер SIM-карты (ICCID) ${reason ?? 'неверен'}.`,
    ROAM_ERR_MSISDN_INVALID: () => 'Это не номер телефона.',
    ROAM_ERR_IMSI_INVALID: () => 'IMSI должен содержать 14 или 15 цифр.',
    ROAM_ERR_ESIM_CODE_INVALID: () => 'Код активации eSIM должен иметь вид LPA:1$smdp.example.com$MATCHING-ID.',
    ROAM_ERR_AMOUNT_INVALID: ({ field, reason }) => `Сумма${field ? ` (${field})` : ''}: ${reason ?? 'неверное значение'}.`,
    ROAM_ERR_SIM_NOT_FOUND: () => 'SIM-карты с таким серийным номером нет на складе.',
    ROAM_ERR_SIM_NOT_IN_STOCK: () => 'Эта SIM-карта уже обслуживается или списана.',
    ROAM_ERR_SIM_EXISTS: ({ field }) => `SIM-карта с таким ${field ?? 'ICCID'} уже есть на складе с другими данными.`,
    ROAM_ERR_LINE_NOT_FOUND: () => 'Номер не найден.',
    ROAM_ERR_LINE_NOT_ACTIVE: () => 'Номер не активен.',
    ROAM_ERR_ACCOUNT_NOT_FOUND: () => 'Учётная запись не найдена.',
    ROAM_ERR_PACKAGE_NOT_FOUND: ({ code }) => `Пакет ${code ?? ''} не найден.`.replace('  ', ' '),
    ROAM_ERR_PACKAGE_INACTIVE: ({ code }) => `Пакет ${code ?? ''} больше не продаётся.`.replace('  ', ' '),
    ROAM_ERR_PACKAGE_NOT_ON_CHANNEL: ({ channel }) => `Этот пакет здесь не продаётся${channel ? ` (${channel})` : ''}.`,
    ROAM_ERR_PACKAGE_INVALID: ({ field }) => `Описание пакета неверно: ${field ?? 'проверьте поля'}.`,
    ROAM_ERR_PRICE_NOT_SET: () => 'У этого пакета ещё нет цены.',
    ROAM_ERR_INSUFFICIENT_FUNDS: () => 'Недостаточно средств на балансе. Пополните баланс или выберите другой способ оплаты.',
    ROAM_ERR_IDEMPOTENCY_CONFLICT: () => 'Этот ключ запроса уже использован для другого запроса.',
    ROAM_ERR_USAGE_EVENT_CONFLICT: () => 'Событие с этим идентификатором уже списано с другими данными.',
    ROAM_ERR_ENTRY_NOT_FOUND: () => 'Проводка не найдена.',
    ROAM_ERR_ENTRY_ALREADY_REVERSED: () => 'Эта проводка уже сторнирована.',
    ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND: () => 'Счёт не найден.',
    ROAM_ERR_USSD_CODE_UNKNOWN: ({ code }) => `Неизвестный код ${code ?? ''}.`.replace(' .', '.'),
    ROAM_ERR_ORDER_NOT_FOUND: () => 'Заказ не найден.',
    ROAM_ERR_ORDER_CLOSED: ({ value }) => value === 'expired' ? 'Срок заказа истёк. Оформите продление заново.' : 'Этот заказ больше не принимает оплату.',
    ROAM_ERR_PAYMENT_NOT_FOUND: () => 'Платёж не найден.',
    ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE: () => 'Этот способ оплаты недоступен. Выберите другой.',
    ROAM_ERR_REFUND_NOT_ALLOWED: ({ reason }) => reason === 'pack_used' ? 'Пакетом уже пользовались, вернуть деньги нельзя.' : 'Вернуть деньги можно только за подключённый заказ.',
    ROAM_ERR_RATE_LIMITED: ({ retry_after_s = 60 }) => `Слишком много попыток. Повторите через ${retry_after_s < 120 ? `${retry_after_s} с` : `${Math.ceil(retry_after_s / 60)} мин`}.`,
    ROAM_ERR_CODE_INVALID: () => 'Код неверный или устарел. Проверьте SMS или запросите новый код.',
    ROAM_ERR_WALLET_PAYER_UNPROVEN: () => 'Оплатить с баланса может только владелец номера: войдите с этим номером или введите код, который мы пришлём на него в SMS.',
    ROAM_ERR_ICCID_MISMATCH: () => 'Этот серийный номер SIM-карты (ICCID) не относится к этому номеру. Проверьте номер, напечатанный на карте.',
    ROAM_ERR_SIGN_IN_REQUIRED: () => 'Войдите в личный кабинет.',
    ROAM_ERR_CSRF_INVALID: () => 'Форма устарела. Обновите страницу и повторите попытку.',
    ROAM_ERR_CUSTOMER_LINES_LIMIT: ({ lines_max }) => `В учётной записи может быть не больше ${lines_max ?? ''} номеров. Сначала удалите один.`.replace('  ', ' '),
    ROAM_ERR_NOT_FOUND: () => 'Не найдено.',
    ROAM_ERR_UNAVAILABLE: () => 'Сервис временно недоступен. Повторите попытку позже.',
    ROAM_ERR_INTERNAL: () => 'Произошла ошибка на нашей стороне. Деньги не списаны дважды; повторите попытку.',
  },
};

const zhHans: Messages = {
  locale: 'zh-Hans-CN',
  currency_rub: '卢布',
  units: { mb: 'MB', gb: 'GB', minutes: '分钟', sms: '条', less_than_minute: '不足1分钟' },
  ussd: {
    balance: ({ balance }) => `余额：${balance}`,
    data_left: (p) => `流量${zhHansKindLeft(p)}`,
    voice_left: (p) => `通话${zhHansKindLeft(p)}`,
    sms_left: (p) => `短信${zhHansKindLeft(p)}`,
    no_packs: '暂无有效套餐。请在应用、网站或门店续费。',
    packs_header: ({ count }) => `您的套餐（${count}）：`,
    pack_line: ({ index, name, left, until }) => `${index}) ${name}：剩余${left}，至${until}`,
    packs_not_listed: ({ count }) => `另有${count}个套餐，请在应用或网站查看。`,
    more: '0 更多',
    back: '00 返回',
    unknown_number: '该号码不属于远游卡用户，请检查SIM卡。',
    unknown_code: ({ code }) => `未知代码${code}。余额请拨#100#，套餐请拨#101#。`,
    line_not_active: '该号码未激活，请联系营业厅。',
    temporarily_unavailable: '服务暂时不可用，请稍后再试。',
    invalid_request: '无法识别请求，请重新拨号。',
  },
  http: {
    route_not_found: '该地址不存在。',
    unauthorized: '需要有效的令牌（Authorization: Bearer ...）。',
    not_configured: '服务器未配置此功能。',
    address_not_allowed: '此接口不接受来自您地址的请求。',
    basic_credentials_required: '需要有效的凭据（HTTP Basic 认证）。',
    request_rejected: ({ status }) => `请求未被接受（HTTP ${status}）。`,
    field_problems: {
      missing: '为必填项', wrong_type: '类型不正确', too_small: '过小或过短', too_big: '过大或过长', invalid_format: '格式不正确',
      invalid_value: '不是允许的值', unexpected: '不应出现', invalid: '无效', msisdn_or_line_id: '与line_id须且只须填写其一',
    },
  },
  field_problems: {
    empty: '为空', not_digits: '只能包含数字', length: '必须为19或20位数字', prefix: '必须以89开头',
    luhn: '校验位错误（Luhn）', invalid: '不是有效的电话号码', format: '格式不正确', missing_column: '缺少该列',
    duplicate_in_file: '在文件中重复出现', exists_differently: '已在库存中且数据不同', esim_code_required: 'eSIM必须填写',
    esim_code_unexpected: '仅适用于eSIM', unknown_form_factor: '必须为nano或esim', not_positive: '必须大于零',
    too_large: '数值过大', too_many_decimals: '小数位过多', unknown_kind: '必须为data、voice或sms',
    not_a_date: '不是有效日期', negative: '不能为负数', not_integer: '必须为整数',
    column_count: '的单元格多于表头的列数', csv_syntax: '不是有效的CSV（引号未闭合或行过长）；文件其余部分未读取',
    too_many_rows: '超出单个文件的行数上限；请拆分文件', no_time_zone: '缺少时区（请加上Z或+03:00）',
    epoch_too_small: '早于2000年：是否误用了秒而非毫秒？',
    unknown_reference: '与任何银行转账都不匹配', transfer_closed: '所付银行转账的订单已关闭：请通过银行付款指令将款项退还付款人', amount_mismatch: '与该参考号对应的银行转账应付金额不符',
  },
  renewal: {
    order_states: { created: '等待付款', awaiting_payment: '付款中', paid: '已付款，正在开通', active: '已开通', failed: '失败', canceled: '已取消', expired: '已过期', refunded: '已退款' },
    payment_failures: {
      insufficient_funds: '银行卡被拒：余额不足。', card_expired: '银行卡被拒：卡已过期。', three_d_secure_failed: '发卡银行未能验证本次付款（3-D Secure）。',
      fraud_suspected: '发卡银行判定付款可疑并拦截。', declined: '付款被拒绝。', expired: '付款未在规定时间内完成。', canceled_by_customer: '付款已取消。',
      issuer_unavailable: '发卡银行未响应。', provider_error: '支付服务出现问题。', line_not_active: '该号码未激活，款项将退回。', unused_pack_refunded: '已退款：套餐未使用，款项已原路退回。',
    },
    try_another_method: '请尝试其他支付方式，或稍后再试。',
  },
  receipts: {
    receipt_title: '付款收据', number: '编号', seller: '销售方', inn: '纳税人识别号（INN）', kpp: 'KPP', address: '地址',
    item: '商品', quantity: '数量', price: '单价', total: '合计', vat_included: ({ rate_percent }) => `含增值税 ${rate_percent}%`, vat_none: '不含增值税',
    payment_method: '支付方式', paid_at: '付款时间', order: '订单号', phone_number: '手机号码', issued_at: '开具时间',
    scan_to_verify: '扫描二维码在线验证本收据。', verified: '已验证：本收据由下列销售方开具。',
    not_found: '未找到该收据。请检查链接或重新扫描二维码。', download_pdf: '下载PDF', view_receipt: '查看付款收据',
    being_prepared: '收据正在生成，本页面将自动刷新。',
    methods: {
      card: '银行卡', yoomoney: 'YooMoney', paypal: 'PayPal', alipay: '支付宝', wechat_pay: '微信支付', sbp: 'SBP快速支付',
      bank_transfer: '银行转账', cash: '现金', card_present: '银行卡（POS机）', wallet: '号码余额',
    },
    invoice_title: '银行转账付款单', invoice_reference: '付款识别码', payee: '收款人', bank: '收款银行', bic: '银行识别码（BIC）',
    correspondent_account: '代理行账户', account: '收款账号', amount_due: '应付金额', purpose: '付款用途',
    pay_by: '付款截止', scan_to_pay: '使用俄罗斯银行App扫码，自动填写转账信息。',
    invoice_note: '请在付款用途中填写付款识别码。款项到账后套餐即开通。',
    invoice_not_found: '该订单没有银行转账付款。', view_invoice: '查看银行转账付款单', test_notice: '测试模式：未扣任何款项。本文件为样本，不是付款收据。',
  },
  errors: {
    ROAM_ERR_VALIDATION: ({ field, reason }) => `${field ?? '输入'}${reason ?? '无效'}。`,
    ROAM_ERR_ICCID_INVALID: ({ reason }) => `SIM卡序列号（ICCID）${reason ?? '无效'}。`,
    ROAM_ERR_MSISDN_INVALID: () => '这不是有效的电话号码。',
    ROAM_ERR_IMSI_INVALID: () => 'IMSI必须为14或15位数字。',
    ROAM_ERR_ESIM_CODE_INVALID: () => 'eSIM激活码格式应为 LPA:1$smdp.example.com$MATCHING-ID。',
    ROAM_ERR_AMOUNT_INVALID: ({ field, reason }) => `金额${field ? `（${field}）` : ''}${reason ?? '无效'}。`,
    ROAM_ERR_SIM_NOT_FOUND: () => '库存中没有该序列号的SIM卡。',
    ROAM_ERR_SIM_NOT_IN_STOCK: () => '该SIM卡已在使用中或已注销。',
    ROAM_ERR_SIM_EXISTS: ({ field }) => `该${field ?? 'ICCID'}的SIM卡已在库存中且数据不同。`,
    ROAM_ERR_LINE_NOT_FOUND: () => '未找到该号码。',
    ROAM_ERR_LINE_NOT_ACTIVE: () => '该号码未激活。',
    ROAM_ERR_ACCOUNT_NOT_FOUND: () => '未找到该账户。',
    ROAM_ERR_PACKAGE_NOT_FOUND: ({ code }) => `套餐${code ?? ''}不存在。`,
    ROAM_ERR_PACKAGE_INACTIVE: ({ code }) => `套餐${code ?? ''}已停售。`,
    ROAM_ERR_PACKAGE_NOT_ON_CHANNEL: ({ channel }) => `此渠道${channel ? `（${channel}）` : ''}不销售该套餐。`,
    ROAM_ERR_PACKAGE_INVALID: ({ field }) => `套餐定义无效：${field ?? '请检查字段'}。`,
    ROAM_ERR_PRICE_NOT_SET: () => '该套餐尚未定价。',
    ROAM_ERR_INSUFFICIENT_FUNDS: () => '余额不足。请充值或选择其他支付方式。',
    ROAM_ERR_IDEMPOTENCY_CONFLICT: () => '该请求键已用于另一个请求。',
    ROAM_ERR_USAGE_EVENT_CONFLICT: () => '该用量事件编号已按不同用量计费。',
    ROAM_ERR_ENTRY_NOT_FOUND: () => '未找到该记账分录。',
    ROAM_ERR_ENTRY_ALREADY_REVERSED: () => '该记账分录已被冲销。',
    ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND: () => '未找到该账户科目。',
    ROAM_ERR_USSD_CODE_UNKNOWN: ({ code }) => `未知代码${code ?? ''}。`,
    ROAM_ERR_ORDER_NOT_FOUND: () => '未找到该订单。',
    ROAM_ERR_ORDER_CLOSED: ({ value }) => value === 'expired' ? '该订单已过期，请重新续费。' : '该订单已不再接受付款。',
    ROAM_ERR_PAYMENT_NOT_FOUND: () => '未找到该付款。',
    ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE: () => '该支付方式不可用，请选择其他方式。',
    ROAM_ERR_REFUND_NOT_ALLOWED: ({ reason }) => reason === 'pack_used' ? '该套餐已被使用，无法退款。' : '只有已开通的订单才能退款。',
    ROAM_ERR_RATE_LIMITED: ({ retry_after_s = 60 }) => `尝试次数过多，请${retry_after_s < 120 ? `${retry_after_s}秒` : `${Math.ceil(retry_after_s / 60)}分钟`}后再试。`,
    ROAM_ERR_CODE_INVALID: () => '验证码错误或已过期。请核对短信或重新获取验证码。',
    ROAM_ERR_WALLET_PAYER_UNPROVEN: () => '只有号码本人可以用余额付款：请用此号码登录，或输入我们通过短信发送到该号码的验证码。',
    ROAM_ERR_ICCID_MISMATCH: () => '该SIM卡序列号（ICCID）与此号码不匹配。请核对卡片上印的序列号。',
    ROAM_ERR_SIGN_IN_REQUIRED: () => '请先登录。',
    ROAM_ERR_CSRF_INVALID: () => '表单已过期，请刷新页面后重试。',
    ROAM_ERR_CUSTOMER_LINES_LIMIT: ({ lines_max }) => `每个账户最多可绑定${lines_max ?? ''}个号码，请先移除一个。`,
    ROAM_ERR_NOT_FOUND: () => '未找到。',
    ROAM_ERR_UNAVAILABLE: () => '服务暂时不可用，请稍后再试。',
    ROAM_ERR_INTERNAL: () => '系统出错，未重复扣款，请重试。',
  },
};

const zhHant: Messages = {
  locale: 'zh-Hant-TW',
  currency_rub: '盧布',
  units: { mb: 'MB', gb: 'GB', minutes: '分鐘', sms: '則', less_than_minute: '不足1分鐘' },
  ussd: {
    balance: ({ balance }) => `餘額：${balance}`,
    data_left: (p) => `流量${zhHantKindLeft(p)}`,
    voice_left: (p) => `通話${zhHantKindLeft(p)}`,
    sms_left: (p) => `簡訊${zhHantKindLeft(p)}`,
    no_packs: '暫無有效方案。請在應用程式、網站或門市續費。',
    packs_header: ({ count }) => `您的方案（${count}）：`,
    pack_line: ({ index, name, left, until }) => `${index}) ${name}：剩餘${left}，至${until}`,
    packs_not_listed: ({ count }) => `另有${count}個方案，請在應用程式或網站查看。`,
    more: '0 更多',
    back: '00 返回',
    unknown_number: '此號碼不屬於遠遊卡用戶，請檢查SIM卡。',
    unknown_code: ({ code }) => `未知代碼${code}。餘額請撥#100#，方案請撥#101#。`,
    line_not_active: '此號碼未啟用，請聯絡營業廳。',
    temporarily_unavailable: '服務暫時無法使用，請稍後再試。',
    invalid_request: '無法識別請求，請重新撥號。',
  },
  http: {
    route_not_found: '此位址不存在。',
    unauthorized: '需要有效的權杖（Authorization: Bearer ...）。',
    not_configured: '伺服器未設定此功能。',
    address_not_allowed: '此介面不接受來自您位址的請求。',
    basic_credentials_required: '需要有效的憑證（HTTP Basic 驗證）。',
    request_rejected: ({ status }) => `請求未被接受（HTTP ${status}）。`,
    field_problems: {
      missing: '為必填項', wrong_type: '類型不正確', too_small: '過小或過短', too_big: '過大或過長', invalid_format: '格式不正確',
      invalid_value: '不是允許的值', unexpected: '不應出現', invalid: '無效', msisdn_or_line_id: '與line_id須且只須填寫其一',
    },
  },
  field_problems: {
    empty: '為空', not_digits: '只能包含數字', length: '必須為19或20位數字', prefix: '必須以89開頭',
    luhn: '檢查碼錯誤（Luhn）', invalid: '不是有效的電話號碼', format: '格式不正確', missing_column: '缺少該欄',
    duplicate_in_file: '在檔案中重複出現', exists_differently: '已在庫存中且資料不同', esim_code_required: 'eSIM必須填寫',
    esim_code_unexpected: '僅適用於eSIM', unknown_form_factor: '必須為nano或esim', not_positive: '必須大於零',
    too_large: '數值過大', too_many_decimals: '小數位數過多', unknown_kind: '必須為data、voice或sms',
    not_a_date: '不是有效日期', negative: '不能為負數', not_integer: '必須為整數',
    column_count: '的儲存格多於標題列的欄數', csv_syntax: '不是有效的CSV（引號未閉合或列過長）；檔案其餘部分未讀取',
    too_many_rows: '超出單一檔案的列數上限；請分割檔案', no_time_zone: '缺少時區（請加上Z或+03:00）',
    epoch_too_small: '早於2000年：是否誤用了秒而非毫秒？',
    unknown_reference: '與任何銀行轉帳都不相符', transfer_closed: '所付銀行轉帳的訂單已關閉：請透過銀行付款指令將款項退還付款人', amount_mismatch: '與該參考號對應的銀行轉帳應付金額不符',
  },
  renewal: {
    order_states: { created: '等待付款', awaiting_payment: '付款中', paid: '已付款，正在開通', active: '已開通', failed: '失敗', canceled: '已取消', expired: '已過期', refunded: '已退款' },
    payment_failures: {
      insufficient_funds: '信用卡被拒：餘額不足。', card_expired: '信用卡被拒：卡片已過期。', three_d_secure_failed: '發卡銀行未能驗證本次付款（3-D Secure）。',
      fraud_suspected: '發卡銀行判定付款可疑並攔截。', declined: '付款被拒絕。', expired: '付款未在時限內完成。', canceled_by_customer: '付款已取消。',
      issuer_unavailable: '發卡銀行未回應。', provider_error: '付款服務發生問題。', line_not_active: '此號碼未啟用，款項將退回。', unused_pack_refunded: '已退款：方案未使用，款項已原路退回。',
    },
    try_another_method: '請嘗試其他付款方式，或稍後再試。',
  },
  receipts: {
    receipt_title: '付款收據', number: '編號', seller: '銷售方', inn: '納稅人識別號（INN）', kpp: 'KPP', address: '地址',
    item: '商品', quantity: '數量', price: '單價', total: '合計', vat_included: ({ rate_percent }) => `含增值稅 ${rate_percent}%`, vat_none: '不含增值稅',
    payment_method: '付款方式', paid_at: '付款時間', order: '訂單編號', phone_number: '手機號碼', issued_at: '開立時間',
    scan_to_verify: '掃描 QR 碼線上驗證本收據。', verified: '已驗證：本收據由下列銷售方開立。',
    not_found: '找不到此收據。請檢查連結或重新掃描 QR 碼。', download_pdf: '下載PDF', view_receipt: '查看付款收據',
    being_prepared: '收據正在產生，本頁面將自動重新整理。',
    methods: {
      card: '金融卡／信用卡', yoomoney: 'YooMoney', paypal: 'PayPal', alipay: '支付寶', wechat_pay: '微信支付', sbp: 'SBP快速支付',
      bank_transfer: '銀行轉帳', cash: '現金', card_present: '金融卡／信用卡（刷卡機）', wallet: '號碼餘額',
    },
    invoice_title: '銀行轉帳付款單', invoice_reference: '付款識別碼', payee: '收款人', bank: '收款銀行', bic: '銀行識別碼（BIC）',
    correspondent_account: '代理行帳戶', account: '收款帳號', amount_due: '應付金額', purpose: '付款用途',
    pay_by: '付款截止', scan_to_pay: '使用俄羅斯銀行App掃碼，自動填寫轉帳資訊。',
    invoice_note: '請在付款用途中填寫付款識別碼。款項入帳後方案即開通。',
    invoice_not_found: '此訂單沒有銀行轉帳付款。', view_invoice: '查看銀行轉帳付款單', test_notice: '測試模式：未扣任何款項。本文件為樣本，不是付款收據。',
  },
  errors: {
    ROAM_ERR_VALIDATION: ({ field, reason }) => `${field ?? '輸入'}${reason ?? '無效'}。`,
    ROAM_ERR_ICCID_INVALID: ({ reason }) => `SIM卡序號（ICCID）${reason ?? '無效'}。`,
    ROAM_ERR_MSISDN_INVALID: () => '這不是有效的電話號碼。',
    ROAM_ERR_IMSI_INVALID: () => 'IMSI必須為14或15位數字。',
    ROAM_ERR_ESIM_CODE_INVALID: () => 'eSIM啟用碼格式應為 LPA:1$smdp.example.com$MATCHING-ID。',
    ROAM_ERR_AMOUNT_INVALID: ({ field, reason }) => `金額${field ? `（${field}）` : ''}${reason ?? '無效'}。`,
    ROAM_ERR_SIM_NOT_FOUND: () => '庫存中沒有此序號的SIM卡。',
    ROAM_ERR_SIM_NOT_IN_STOCK: () => '此SIM卡已在使用中或已註銷。',
    ROAM_ERR_SIM_EXISTS: ({ field }) => `此${field ?? 'ICCID'}的SIM卡已在庫存中且資料不同。`,
    ROAM_ERR_LINE_NOT_FOUND: () => '找不到此號碼。',
    ROAM_ERR_LINE_NOT_ACTIVE: () => '此號碼未啟用。',
    ROAM_ERR_ACCOUNT_NOT_FOUND: () => '找不到此帳戶。',
    ROAM_ERR_PACKAGE_NOT_FOUND: ({ code }) => `方案${code ?? ''}不存在。`,
    ROAM_ERR_PACKAGE_INACTIVE: ({ code }) => `方案${code ?? ''}已停售。`,
    ROAM_ERR_PACKAGE_NOT_ON_CHANNEL: ({ channel }) => `此通路${channel ? `（${channel}）` : ''}不銷售此方案。`,
    ROAM_ERR_PACKAGE_INVALID: ({ field }) => `方案定義無效：${field ?? '請檢查欄位'}。`,
    ROAM_ERR_PRICE_NOT_SET: () => '此方案尚未定價。',
    ROAM_ERR_INSUFFICIENT_FUNDS: () => '餘額不足。請儲值或選擇其他付款方式。',
    ROAM_ERR_IDEMPOTENCY_CONFLICT: () => '此請求金鑰已用於另一個請求。',
    ROAM_ERR_USAGE_EVENT_CONFLICT: () => '此用量事件編號已按不同用量計費。',
    ROAM_ERR_ENTRY_NOT_FOUND: () => '找不到此記帳分錄。',
    ROAM_ERR_ENTRY_ALREADY_REVERSED: () => '此記帳分錄已被沖銷。',
    ROAM_ERR_LEDGER_ACCOUNT_NOT_FOUND: () => '找不到此帳戶科目。',
    ROAM_ERR_USSD_CODE_UNKNOWN: ({ code }) => `未知代碼${code ?? ''}。`,
    ROAM_ERR_ORDER_NOT_FOUND: () => '找不到此訂單。',
    ROAM_ERR_ORDER_CLOSED: ({ value }) => value === 'expired' ? '此訂單已過期，請重新續費。' : '此訂單已不再接受付款。',
    ROAM_ERR_PAYMENT_NOT_FOUND: () => '找不到此付款。',
    ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE: () => '此付款方式無法使用，請選擇其他方式。',
    ROAM_ERR_REFUND_NOT_ALLOWED: ({ reason }) => reason === 'pack_used' ? '此方案已被使用，無法退款。' : '只有已開通的訂單才能退款。',
    ROAM_ERR_RATE_LIMITED: ({ retry_after_s = 60 }) => `嘗試次數過多，請${retry_after_s < 120 ? `${retry_after_s}秒` : `${Math.ceil(retry_after_s / 60)}分鐘`}後再試。`,
    ROAM_ERR_CODE_INVALID: () => '驗證碼錯誤或已過期。請核對簡訊或重新取得驗證碼。',
    ROAM_ERR_WALLET_PAYER_UNPROVEN: () => '只有號碼本人可以用餘額付款：請用此號碼登入，或輸入我們以簡訊傳送到該號碼的驗證碼。',
    ROAM_ERR_ICCID_MISMATCH: () => '此SIM卡序號（ICCID）與此號碼不符。請核對卡片上印的序號。',
    ROAM_ERR_SIGN_IN_REQUIRED: () => '請先登入。',
    ROAM_ERR_CSRF_INVALID: () => '表單已過期，請重新整理頁面後再試。',
    ROAM_ERR_CUSTOMER_LINES_LIMIT: ({ lines_max }) => `每個帳戶最多可綁定${lines_max ?? ''}個號碼，請先移除一個。`,
    ROAM_ERR_NOT_FOUND: () => '找不到。',
    ROAM_ERR_UNAVAILABLE: () => '服務暫時無法使用，請稍後再試。',
    ROAM_ERR_INTERNAL: () => '系統發生錯誤，未重複扣款，請重試。',
  },
};

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, ru, 'zh-Hans': zhHans, 'zh-Hant': zhHant };

export function messagesFor(language: Language): Messages {
  return MESSAGES[language];
}
