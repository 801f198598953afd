import type { Language } from '../../core/i18n/languages.js';

/**
 * The texts of `roamcard partners …`, in our four languages; the domain's refusals come from
 * core/i18n through describeError. Sums arrive formatted ("190.00"), numbers masked.
 */

export interface PartnerTexts {
  created: (p: { code: string; name: string; account: string }) => string;
  basic_password: (p: { code: string }) => string;
  hmac_key: string;
  once: string;
  no_auth_secret: string;
  rotated: (p: { code: string; kind: string }) => string;
  previous_until: (p: { until: string }) => string;
  previous_revoked: string;
  enabled: (p: { code: string }) => string;
  disabled: (p: { code: string }) => string;
  none: string;
  list: {
    enabled: string; disabled: string; chain: string; agent: string; inn: string; time_zone: string;
    sums: string; packs: string; packs_yes: string; packs_no: string; registry_accounts: string; addresses: string;
  };
  registry_summary: (p: { code: string; date: string; zone: string; count: number; total: string; movement: string }) => string;
  matches: string;
  mismatch: (p: { total: string; movement: string; difference: string }) => string;
  unexplained_entry: (p: { entry: string; kind: string; at: string; amount: string; memo: string }) => string;
  unexplained_payment: (p: { prv_txn: string; txn_id: string; sum: string; movement: string }) => string;
  day_not_over: string;
  written: (p: { file: string }) => string;
  reconcile_summary: (p: { date: string; theirs: number; ours: number }) => string;
  no_differences: string;
  differences: (p: { count: number }) => string;
  missing_ours: (p: { txn_id: string; theirs: string }) => string;
  missing_theirs: (p: { txn_id: string; prv_txn: string; ours: string }) => string;
  sum_differs: (p: { txn_id: string; ours: string; theirs: string }) => string;
  account_differs: (p: { txn_id: string; ours: string; theirs: string }) => string;
  txn_date_differs: (p: { txn_id: string; ours: string; theirs: string }) => string;
  other_day: (p: { txn_id: string; date: string; ours: string; theirs: string }) => string;
  not_paid: (p: { txn_id: string; state: 'accepted' | 'rejected'; reason: string }) => string;
  duplicate_theirs: (p: { txn_id: string; first_line: number }) => string;
  line: (p: { line: number }) => string;
  not_csv: (p: { file: string; line: number }) => string;
  nothing_compared: string;
}

const TEXTS: Readonly<Record<Language, PartnerTexts>> = {
  en: {
    created: ({ code, name, account }) => `Partner ${code} (${name}) created; its settlement account is ${account}.`,
    basic_password: ({ code }) => `OSMP HTTP basic password (user ${code}):`,
    hmac_key: 'JSON API signing key (HMAC-SHA256):',
    once: 'Shown once: only a hash of the password and a sealed copy of the key are kept. Hand them to the partner over a secure channel.',
    no_auth_secret: 'AUTH_SECRET is not set: the signing key is sealed under a key derived from it, and this run\'s random one would leave it unreadable to the server. Set AUTH_SECRET (the same as the server\'s) and run again.',
    rotated: ({ code, kind }) => `New ${kind} secret for ${code}:`,
    previous_until: ({ until }) => `The previous one keeps working until ${until}.`,
    previous_revoked: 'The previous one no longer works.',
    enabled: ({ code }) => `${code}: payments accepted.`,
    disabled: ({ code }) => `${code}: payments suspended (every check and pay is answered "forbidden").`,
    none: 'No partners.',
    list: {
      enabled: 'enabled', disabled: 'DISABLED', chain: 'chain', agent: 'agent', inn: 'INN', time_zone: 'time zone',
      sums: 'sums', packs: 'packs', packs_yes: 'sold at their price', packs_no: 'not sold (every sum tops up)',
      registry_accounts: 'registry accounts', addresses: 'addresses',
    },
    registry_summary: ({ code, date, zone, count, total, movement }) =>
      `${code}, ${date} (${zone}): ${count} payments, ${total}; the settlement account gave out ${movement}`,
    matches: 'matches the ledger.',
    mismatch: ({ total, movement, difference }) =>
      `MISMATCH: the registry's ${total} is not the settlement account's movement of ${movement} (difference ${difference}).`,
    unexplained_entry: ({ entry, kind, at, amount, memo }) => `  ledger entry ${entry} (${kind}, ${at}) moved ${amount} with no paid payment behind it: ${memo}`,
    unexplained_payment: ({ prv_txn, txn_id, sum, movement }) => `  payment ${prv_txn} (txn_id ${txn_id}, ${sum}) moved ${movement} in the ledger`,
    day_not_over: 'The day is not over yet: payments may still be added to it.',
    written: ({ file }) => `Registry written to ${file}.`,
    reconcile_summary: ({ date, theirs, ours }) => `${date}: ${theirs} rows in the partner's registry, ${ours} in ours.`,
    no_differences: 'No differences.',
    differences: ({ count }) => `Differences: ${count}`,
    missing_ours: ({ txn_id, theirs }) => `txn_id ${txn_id} (${theirs}) is not in our records at all.`,
    missing_theirs: ({ txn_id, prv_txn, ours }) => `txn_id ${txn_id} (${ours}, our ${prv_txn}) is paid in our registry and missing from theirs.`,
    sum_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}: sum ${theirs} in theirs, ${ours} in ours.`,
    account_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}: account ${theirs} in theirs, ${ours} in ours.`,
    txn_date_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}: txn_date ${theirs} in theirs, ${ours} in ours.`,
    other_day: ({ txn_id, date, ours, theirs }) => `txn_id ${txn_id} (${theirs}) was paid on ${date} by our records (${ours}), not on this day.`,
    not_paid: ({ txn_id, state, reason }) =>
      `txn_id ${txn_id} is not paid by our records: ${state === 'rejected' ? 'refused' : 'accepted, not yet carried out'} (${reason}).`,
    duplicate_theirs: ({ txn_id, first_line }) => `txn_id ${txn_id} repeats line ${first_line} of their registry.`,
    line: ({ line }) => `line ${line}`,
    not_csv: ({ file, line }) => `${file}: not valid CSV at line ${line} (a quote that is not closed, or a row that is too long).`,
    nothing_compared: 'Nothing was compared.',
  },
  ru: {
    created: ({ code, name, account }) => `Партнёр ${code} (${name}) создан; его счёт расчётов — ${account}.`,
    basic_password: ({ code }) => `Пароль HTTP basic для OSMP (пользователь ${code}):`,
    hmac_key: 'Ключ подписи JSON API (HMAC-SHA256):',
    once: 'Показывается один раз: хранятся только хеш пароля и зашифрованный ключ. Передайте их партнёру по защищённому каналу.',
    no_auth_secret: 'AUTH_SECRET не задан: ключ подписи шифруется ключом, производным от него, и со случайным ключом этого запуска сервер не сможет его прочитать. Задайте AUTH_SECRET (тот же, что у сервера) и повторите.',
    rotated: ({ code, kind }) => `Новый секрет ${kind} для ${code}:`,
    previous_until: ({ until }) => `Предыдущий действует до ${until}.`,
    previous_revoked: 'Предыдущий больше не действует.',
    enabled: ({ code }) => `${code}: платежи принимаются.`,
    disabled: ({ code }) => `${code}: платежи приостановлены (на любой check и pay ответ «запрещено»).`,
    none: 'Партнёров нет.',
    list: {
      enabled: 'включён', disabled: 'ОТКЛЮЧЁН', chain: 'сеть', agent: 'агент', inn: 'ИНН', time_zone: 'часовой пояс',
      sums: 'суммы', packs: 'пакеты', packs_yes: 'продаются по своей цене', packs_no: 'не продаются (любая сумма пополняет баланс)',
      registry_accounts: 'номера в реестре', addresses: 'адреса',
    },
    registry_summary: ({ code, date, zone, count, total, movement }) =>
      `${code}, ${date} (${zone}): платежей: ${count}, на ${total}; со счёта расчётов списано ${movement}`,
    matches: 'сходится с учётом.',
    mismatch: ({ total, movement, difference }) =>
      `РАСХОЖДЕНИЕ: сумма реестра ${total} не равна движению по счёту расчётов ${movement} (разница ${difference}).`,
    unexplained_entry: ({ entry, kind, at, amount, memo }) => `  проводка ${entry} (${kind}, ${at}) списала ${amount} без оплаченного платежа: ${memo}`,
    unexplained_payment: ({ prv_txn, txn_id, sum, movement }) => `  платёж ${prv_txn} (txn_id ${txn_id}, ${sum}) провёл по учёту ${movement}`,
    day_not_over: 'День ещё не закончился: в реестр могут добавиться платежи.',
    written: ({ file }) => `Реестр записан в ${file}.`,
    reconcile_summary: ({ date, theirs, ours }) => `${date}: в реестре партнёра строк: ${theirs}, в нашем: ${ours}.`,
    no_differences: 'Расхождений нет.',
    differences: ({ count }) => `Расхождений: ${count}`,
    missing_ours: ({ txn_id, theirs }) => `txn_id ${txn_id} (${theirs}) у нас вообще нет.`,
    missing_theirs: ({ txn_id, prv_txn, ours }) => `txn_id ${txn_id} (${ours}, наш ${prv_txn}) оплачен в нашем реестре и отсутствует в их реестре.`,
    sum_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}: сумма у них ${theirs}, у нас ${ours}.`,
    account_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}: номер у них ${theirs}, у нас ${ours}.`,
    txn_date_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}: txn_date у них ${theirs}, у нас ${ours}.`,
    other_day: ({ txn_id, date, ours, theirs }) => `txn_id ${txn_id} (${theirs}) по нашим данным оплачен ${date} (${ours}), а не в этот день.`,
    not_paid: ({ txn_id, state, reason }) =>
      `txn_id ${txn_id} по нашим данным не оплачен: ${state === 'rejected' ? 'отклонён' : 'принят, ещё не проведён'} (${reason}).`,
    duplicate_theirs: ({ txn_id, first_line }) => `txn_id ${txn_id} повторяет строку ${first_line} их реестра.`,
    line: ({ line }) => `строка ${line}`,
    not_csv: ({ file, line }) => `${file}: некорректный CSV в строке ${line} (не закрыта кавычка или слишком длинная строка).`,
    nothing_compared: 'Ничего не сверено.',
  },
  'zh-Hans': {
    created: ({ code, name, account }) => `已创建合作方 ${code}（${name}）；其结算账户为 ${account}。`,
    basic_password: ({ code }) => `OSMP HTTP basic 密码（用户 ${code}）：`,
    hmac_key: 'JSON API 签名密钥（HMAC-SHA256）：',
    once: '仅显示一次：只保存密码的哈希和密钥的加密副本。请通过安全渠道交给合作方。',
    no_auth_secret: '未设置 AUTH_SECRET：签名密钥用由其派生的密钥加密，本次运行的随机密钥会使服务器无法读取。请设置 AUTH_SECRET（与服务器相同）后重试。',
    rotated: ({ code, kind }) => `${code} 的新 ${kind} 密钥：`,
    previous_until: ({ until }) => `旧密钥在 ${until} 之前仍然有效。`,
    previous_revoked: '旧密钥已失效。',
    enabled: ({ code }) => `${code}：接受付款。`,
    disabled: ({ code }) => `${code}：已暂停付款（所有 check 和 pay 均回答"禁止"）。`,
    none: '没有合作方。',
    list: {
      enabled: '已启用', disabled: '已停用', chain: '连锁', agent: '代理', inn: 'INN', time_zone: '时区',
      sums: '金额', packs: '套餐', packs_yes: '按其价格销售', packs_no: '不销售（任何金额均充值余额）',
      registry_accounts: '对账单号码', addresses: '地址',
    },
    registry_summary: ({ code, date, zone, count, total, movement }) =>
      `${code}，${date}（${zone}）：${count} 笔付款，共 ${total}；结算账户支出 ${movement}`,
    matches: '与账务一致。',
    mismatch: ({ total, movement, difference }) => `不一致：对账单合计 ${total} 不等于结算账户变动 ${movement}（差额 ${difference}）。`,
    unexplained_entry: ({ entry, kind, at, amount, memo }) => `  记账分录 ${entry}（${kind}，${at}）变动 ${amount}，没有对应的已付款项：${memo}`,
    unexplained_payment: ({ prv_txn, txn_id, sum, movement }) => `  付款 ${prv_txn}（txn_id ${txn_id}，${sum}）在账务中变动 ${movement}`,
    day_not_over: '这一天尚未结束：对账单中可能还会增加付款。',
    written: ({ file }) => `对账单已写入 ${file}。`,
    reconcile_summary: ({ date, theirs, ours }) => `${date}：合作方对账单 ${theirs} 行，我方 ${ours} 行。`,
    no_differences: '没有差异。',
    differences: ({ count }) => `差异：${count}`,
    missing_ours: ({ txn_id, theirs }) => `txn_id ${txn_id}（${theirs}）在我方记录中完全不存在。`,
    missing_theirs: ({ txn_id, prv_txn, ours }) => `txn_id ${txn_id}（${ours}，我方 ${prv_txn}）在我方对账单中已付款，对方对账单中缺失。`,
    sum_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}：对方金额 ${theirs}，我方 ${ours}。`,
    account_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}：对方号码 ${theirs}，我方 ${ours}。`,
    txn_date_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}：对方 txn_date ${theirs}，我方 ${ours}。`,
    other_day: ({ txn_id, date, ours, theirs }) => `txn_id ${txn_id}（${theirs}）按我方记录于 ${date} 付款（${ours}），不在这一天。`,
    not_paid: ({ txn_id, state, reason }) => `txn_id ${txn_id} 按我方记录未付款：${state === 'rejected' ? '已拒绝' : '已受理，尚未完成'}（${reason}）。`,
    duplicate_theirs: ({ txn_id, first_line }) => `txn_id ${txn_id} 与对方对账单第 ${first_line} 行重复。`,
    line: ({ line }) => `第 ${line} 行`,
    not_csv: ({ file, line }) => `${file}：第 ${line} 行不是有效的 CSV（引号未闭合，或该行过长）。`,
    nothing_compared: '未进行任何核对。',
  },
  'zh-Hant': {
    created: ({ code, name, account }) => `已建立合作方 ${code}（${name}）；其結算帳戶為 ${account}。`,
    basic_password: ({ code }) => `OSMP HTTP basic 密碼（使用者 ${code}）：`,
    hmac_key: 'JSON API 簽章金鑰（HMAC-SHA256）：',
    once: '僅顯示一次：只保存密碼的雜湊和金鑰的加密副本。請透過安全管道交給合作方。',
    no_auth_secret: '未設定 AUTH_SECRET：簽章金鑰以由其衍生的金鑰加密，本次執行的隨機金鑰會使伺服器無法讀取。請設定 AUTH_SECRET（與伺服器相同）後重試。',
    rotated: ({ code, kind }) => `${code} 的新 ${kind} 金鑰：`,
    previous_until: ({ until }) => `舊金鑰在 ${until} 之前仍然有效。`,
    previous_revoked: '舊金鑰已失效。',
    enabled: ({ code }) => `${code}：接受付款。`,
    disabled: ({ code }) => `${code}：已暫停付款（所有 check 和 pay 均回答「禁止」）。`,
    none: '沒有合作方。',
    list: {
      enabled: '已啟用', disabled: '已停用', chain: '連鎖', agent: '代理', inn: 'INN', time_zone: '時區',
      sums: '金額', packs: '方案', packs_yes: '按其價格銷售', packs_no: '不銷售（任何金額均儲值餘額）',
      registry_accounts: '對帳單號碼', addresses: '位址',
    },
    registry_summary: ({ code, date, zone, count, total, movement }) =>
      `${code}，${date}（${zone}）：${count} 筆付款，共 ${total}；結算帳戶支出 ${movement}`,
    matches: '與帳務一致。',
    mismatch: ({ total, movement, difference }) => `不一致：對帳單合計 ${total} 不等於結算帳戶變動 ${movement}（差額 ${difference}）。`,
    unexplained_entry: ({ entry, kind, at, amount, memo }) => `  記帳分錄 ${entry}（${kind}，${at}）變動 ${amount}，沒有對應的已付款項：${memo}`,
    unexplained_payment: ({ prv_txn, txn_id, sum, movement }) => `  付款 ${prv_txn}（txn_id ${txn_id}，${sum}）在帳務中變動 ${movement}`,
    day_not_over: '這一天尚未結束：對帳單中可能還會增加付款。',
    written: ({ file }) => `對帳單已寫入 ${file}。`,
    reconcile_summary: ({ date, theirs, ours }) => `${date}：合作方對帳單 ${theirs} 列，我方 ${ours} 列。`,
    no_differences: '沒有差異。',
    differences: ({ count }) => `差異：${count}`,
    missing_ours: ({ txn_id, theirs }) => `txn_id ${txn_id}（${theirs}）在我方紀錄中完全不存在。`,
    missing_theirs: ({ txn_id, prv_txn, ours }) => `txn_id ${txn_id}（${ours}，我方 ${prv_txn}）在我方對帳單中已付款，對方對帳單中缺少。`,
    sum_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}：對方金額 ${theirs}，我方 ${ours}。`,
    account_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}：對方號碼 ${theirs}，我方 ${ours}。`,
    txn_date_differs: ({ txn_id, ours, theirs }) => `txn_id ${txn_id}：對方 txn_date ${theirs}，我方 ${ours}。`,
    other_day: ({ txn_id, date, ours, theirs }) => `txn_id ${txn_id}（${theirs}）按我方紀錄於 ${date} 付款（${ours}），不在這一天。`,
    not_paid: ({ txn_id, state, reason }) => `txn_id ${txn_id} 按我方紀錄未付款：${state === 'rejected' ? '已拒絕' : '已受理，尚未完成'}（${reason}）。`,
    duplicate_theirs: ({ txn_id, first_line }) => `txn_id ${txn_id} 與對方對帳單第 ${first_line} 列重複。`,
    line: ({ line }) => `第 ${line} 列`,
    not_csv: ({ file, line }) => `${file}：第 ${line} 列不是有效的 CSV（引號未閉合，或該列過長）。`,
    nothing_compared: '未進行任何核對。',
  },
};

export function partnerTexts(language: Language): PartnerTexts {
  return TEXTS[language];
}
