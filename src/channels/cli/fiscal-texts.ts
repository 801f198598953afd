import type { Language } from '../../core/i18n/languages.js';
import type { FiscalDocument } from '../../services/fiscal/fiscal-service.js';

/**
 * The texts of `roamcard fiscal …`, in our four languages. Document ids, receipt numbers and the
 * register's own error texts are printed as they are.
 */

export interface FiscalTexts {
  none: (p: { minutes: number }) => string;
  listed: (p: { count: number; minutes: number }) => string;
  more: (p: { shown: number }) => string;
  columns: {
    document: string; receipt: string; operation: string; status: string; queued: string; waiting: string; attempts: string; error: string;
  };
  operations: Readonly<Record<FiscalDocument['operation'], string>>;
  /** The "for" column of a document without a receipt: what took the money, before its id. */
  subjects: Readonly<Record<Exclude<FiscalDocument['subject'], 'receipt'>, string>>;
  statuses: Readonly<Record<FiscalDocument['status'], string>>;
  minutes: (p: { minutes: number }) => string;
  queued: (p: { id: string; receipt: string; register: string }) => string;
  repeated: (p: { id: string; receipt: string; status: string }) => string;
  not_found: (p: { receipt: string }) => string;
  not_registered: (p: { receipt: string; status: string }) => string;
  no_register: string;
  bad_reason: (p: { length_max: number }) => string;
  bad_minutes: string;
}

const TEXTS: Readonly<Record<Language, FiscalTexts>> = {
  en: {
    none: ({ minutes }) => `Every fiscal document is registered or on its way: none pending over ${minutes} min, none failed.`,
    listed: ({ count, minutes }) => `${count} fiscal document(s) not registered (pending over ${minutes} min, or failed):`,
    more: ({ shown }) => `… the oldest ${shown} shown; fix these first.`,
    columns: { document: 'document', receipt: 'for', operation: 'operation', status: 'status', queued: 'queued', waiting: 'waiting', attempts: 'calls', error: 'register\'s error' },
    operations: { sell: 'sale', sell_refund: 'refund', sell_correction: 'correction' },
    subjects: { payment: 'unused payment', top_up: 'top-up' },
    statuses: { pending: 'pending', registered: 'registered', failed: 'FAILED' },
    minutes: ({ minutes }) => `${minutes} min`,
    queued: ({ id, receipt, register }) => `Correction ${id} of receipt ${receipt} queued for the ${register} register; the server's outbox worker sends it.`,
    repeated: ({ id, receipt, status }) => `Receipt ${receipt} already has a correction with this reason: ${id} (${status}). Nothing new was made.`,
    not_found: ({ receipt }) => `Receipt ${receipt} has no fiscal sale document.`,
    not_registered: ({ receipt, status }) => `The sale of receipt ${receipt} is ${status}, not registered: only a registered sale can be corrected.`,
    no_register: 'No fiscal register is configured (FISCAL_REGISTER, the ATOL_* variables): nothing can be registered.',
    bad_reason: ({ length_max }) => `--reason: give the reason in one line of 1–${length_max} characters.`,
    bad_minutes: '--older-than-minutes: give a whole number of minutes, 0 or more.',
  },
  ru: {
    none: ({ minutes }) => `Все фискальные документы зарегистрированы или в пути: ни один не ждёт дольше ${minutes} мин, ни один не отклонён.`,
    listed: ({ count, minutes }) => `Не зарегистрировано фискальных документов: ${count} (ждут дольше ${minutes} мин или отклонены):`,
    more: ({ shown }) => `… показаны ${shown} самых старых; начните с них.`,
    columns: { document: 'документ', receipt: 'основание', operation: 'операция', status: 'статус', queued: 'поставлен', waiting: 'ждёт', attempts: 'вызовов', error: 'ошибка кассы' },
    operations: { sell: 'приход', sell_refund: 'возврат прихода', sell_correction: 'коррекция' },
    subjects: { payment: 'неиспользованный платёж', top_up: 'пополнение' },
    statuses: { pending: 'ожидает', registered: 'зарегистрирован', failed: 'ОТКЛОНЁН' },
    minutes: ({ minutes }) => `${minutes} мин`,
    queued: ({ id, receipt, register }) => `Чек коррекции ${id} к квитанции ${receipt} поставлен в очередь кассы ${register}; его отправит обработчик очереди сервера.`,
    repeated: ({ id, receipt, status }) => `У квитанции ${receipt} уже есть коррекция с этой причиной: ${id} (${status}). Новый документ не создан.`,
    not_found: ({ receipt }) => `У квитанции ${receipt} нет фискального документа прихода.`,
    not_registered: ({ receipt, status }) => `Приход по квитанции ${receipt} в статусе «${status}», не зарегистрирован: исправить можно только зарегистрированный.`,
    no_register: 'Фискальная касса не настроена (FISCAL_REGISTER, переменные ATOL_*): регистрировать нечем.',
    bad_reason: ({ length_max }) => `--reason: укажите причину одной строкой, от 1 до ${length_max} символов.`,
    bad_minutes: '--older-than-minutes: укажите целое число минут, 0 или больше.',
  },
  'zh-Hans': {
    none: ({ minutes }) => `所有财政单据均已登记或正在登记：没有等待超过 ${minutes} 分钟的，也没有被拒绝的。`,
    listed: ({ count, minutes }) => `${count} 份财政单据未登记（等待超过 ${minutes} 分钟或被拒绝）：`,
    more: ({ shown }) => `……仅显示最早的 ${shown} 份，请先处理这些。`,
    columns: { document: '单据', receipt: '对象', operation: '操作', status: '状态', queued: '排队时间', waiting: '已等待', attempts: '调用次数', error: '收款机错误' },
    operations: { sell: '销售', sell_refund: '退款', sell_correction: '更正' },
    subjects: { payment: '未使用的付款', top_up: '充值' },
    statuses: { pending: '等待中', registered: '已登记', failed: '被拒绝' },
    minutes: ({ minutes }) => `${minutes} 分钟`,
    queued: ({ id, receipt, register }) => `收据 ${receipt} 的更正单据 ${id} 已排入收款机 ${register} 的队列，由服务器的队列处理程序发送。`,
    repeated: ({ id, receipt, status }) => `收据 ${receipt} 已有相同原因的更正：${id}（${status}）。未新建单据。`,
    not_found: ({ receipt }) => `收据 ${receipt} 没有财政销售单据。`,
    not_registered: ({ receipt, status }) => `收据 ${receipt} 的销售单据状态为"${status}"，尚未登记：只能更正已登记的销售。`,
    no_register: '未配置财政收款机（FISCAL_REGISTER、ATOL_* 变量）：无法登记。',
    bad_reason: ({ length_max }) => `--reason：请用一行写明原因，1 至 ${length_max} 个字符。`,
    bad_minutes: '--older-than-minutes：请填写分钟数（0 或以上的整数）。',
  },
  'zh-Hant': {
    none: ({ minutes }) => `所有財政單據均已登記或正在登記：沒有等待超過 ${minutes} 分鐘的，也沒有被拒絕的。`,
    listed: ({ count, minutes }) => `${count} 份財政單據未登記（等待超過 ${minutes} 分鐘或被拒絕）：`,
    more: ({ shown }) => `……僅顯示最早的 ${shown} 份，請先處理這些。`,
    columns: { document: '單據', receipt: '對象', operation: '操作', status: '狀態', queued: '排隊時間', waiting: '已等待', attempts: '呼叫次數', error: '收銀機錯誤' },
    operations: { sell: '銷售', sell_refund: '退款', sell_correction: '更正' },
    subjects: { payment: '未使用的付款', top_up: '儲值' },
    statuses: { pending: '等待中', registered: '已登記', failed: '被拒絕' },
    minutes: ({ minutes }) => `${minutes} 分鐘`,
    queued: ({ id, receipt, register }) => `收據 ${receipt} 的更正單據 ${id} 已排入收銀機 ${register} 的佇列，由伺服器的佇列處理程式傳送。`,
    repeated: ({ id, receipt, status }) => `收據 ${receipt} 已有相同原因的更正：${id}（${status}）。未新建單據。`,
    not_found: ({ receipt }) => `收據 ${receipt} 沒有財政銷售單據。`,
    not_registered: ({ receipt, status }) => `收據 ${receipt} 的銷售單據狀態為「${status}」，尚未登記：只能更正已登記的銷售。`,
    no_register: '未設定財政收銀機（FISCAL_REGISTER、ATOL_* 變數）：無法登記。',
    bad_reason: ({ length_max }) => `--reason：請以一行寫明原因，1 至 ${length_max} 個字元。`,
    bad_minutes: '--older-than-minutes：請填寫分鐘數（0 或以上的整數）。',
  },
};

export function fiscalTexts(language: Language): FiscalTexts {
  return TEXTS[language];
}
