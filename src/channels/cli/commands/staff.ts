import type { Command } from 'commander';
import QRCode from 'qrcode';
import { isRoamError, type ErrorCode } from '../../../core/errors.js';
import { describeError } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { STAFF_ROLES } from '../../../services/staff/staff-actor.js';
import type { StaffEnrolment } from '../../../services/staff/staff-service.js';
import { commandGroup, languageOption } from '../command-options.js';
import { terminalLanguage, withContext } from '../run-command.js';
import { printErrorLine, printLine } from '../terminal-output.js';

/**
 * `roamcard staff add|list|unlock`: staff accounts from the operator's terminal. `add` prints the
 * one-time password and the TOTP enrolment (URI and QR code) once: neither is kept in clear, so
 * whoever runs it hands them to the new staff member, who changes the password at first sign-in.
 */

/** Exit codes of `staff add` and `staff unlock`, beside 0 (done) and 1 (anything else). */
export const STAFF_EXIT_CODES = {
  bad_input: 2, unknown_store: 3, login_taken: 4, no_auth_secret: 5, unknown_login: 6,
} as const;

const EXIT_CODE_BY_ERROR: Partial<Record<ErrorCode, number>> = {
  ROAM_ERR_VALIDATION: STAFF_EXIT_CODES.bad_input,
  ROAM_ERR_STAFF_ROLE_UNKNOWN: STAFF_EXIT_CODES.bad_input,
  ROAM_ERR_STORE_NOT_FOUND: STAFF_EXIT_CODES.unknown_store,
  ROAM_ERR_STAFF_LOGIN_TAKEN: STAFF_EXIT_CODES.login_taken,
  ROAM_ERR_STAFF_NOT_FOUND: STAFF_EXIT_CODES.unknown_login,
};

interface StaffTexts {
  created: (p: { login: string; role: string; store: string }) => string;
  one_time_password: string;
  enrol: string;
  once: string;
  no_auth_secret: string;
  none: string;
  locked_until: (p: { until: string }) => string;
  must_change: string;
  inactive: string;
  unlocked: (p: { login: string }) => string;
}

const TEXTS: Readonly<Record<Language, StaffTexts>> = {
  en: {
    created: ({ login, role, store }) => `Staff account ${login} (${role}) created at ${store}.`,
    one_time_password: 'One-time password (must be changed at the first sign-in):',
    enrol: 'Authenticator app: scan the QR code, or add this URI:',
    once: 'Shown once: neither is kept in clear. Hand them over in person.',
    no_auth_secret: 'AUTH_SECRET is not set: the TOTP secret is sealed under a key derived from it, and this run\'s random one would leave the account unable to sign in. Set AUTH_SECRET (the same as the server\'s) and run again.',
    none: 'No staff accounts.',
    locked_until: ({ until }) => `locked until ${until}`,
    must_change: 'one-time password', inactive: 'inactive',
    unlocked: ({ login }) => `${login} unlocked.`,
  },
  ru: {
    created: ({ login, role, store }) => `Учётная запись ${login} (${role}) создана в офисе ${store}.`,
    one_time_password: 'Одноразовый пароль (сменить при первом входе):',
    enrol: 'Приложение-аутентификатор: отсканируйте QR-код или добавьте этот URI:',
    once: 'Показывается один раз: в открытом виде не хранится. Передайте лично.',
    no_auth_secret: 'AUTH_SECRET не задан: секрет TOTP шифруется ключом, производным от него, и со случайным ключом этого запуска вход будет невозможен. Задайте AUTH_SECRET (тот же, что у сервера) и повторите.',
    none: 'Учётных записей нет.',
    locked_until: ({ until }) => `заблокирован до ${until}`,
    must_change: 'одноразовый пароль', inactive: 'отключён',
    unlocked: ({ login }) => `${login} разблокирован.`,
  },
  'zh-Hans': {
    created: ({ login, role, store }) => `已在 ${store} 创建员工账户 ${login}（${role}）。`,
    one_time_password: '一次性密码（首次登录时必须修改）：',
    enrol: '身份验证器应用：扫描二维码，或添加此 URI：',
    once: '仅显示一次：不以明文保存。请当面交付。',
    no_auth_secret: '未设置 AUTH_SECRET：TOTP 密钥用由其派生的密钥加密，本次运行的随机密钥会使该账户无法登录。请设置 AUTH_SECRET（与服务器相同）后重试。',
    none: '没有员工账户。',
    locked_until: ({ until }) => `锁定至 ${until}`,
    must_change: '一次性密码', inactive: '已停用',
    unlocked: ({ login }) => `${login} 已解锁。`,
  },
  'zh-Hant': {
    created: ({ login, role, store }) => `已在 ${store} 建立員工帳戶 ${login}（${role}）。`,
    one_time_password: '一次性密碼（首次登入時必須變更）：',
    enrol: '驗證器應用程式：掃描 QR 碼，或加入此 URI：',
    once: '僅顯示一次：不以明文保存。請當面交付。',
    no_auth_secret: '未設定 AUTH_SECRET：TOTP 密鑰以由其衍生的金鑰加密，本次執行的隨機金鑰會使該帳戶無法登入。請設定 AUTH_SECRET（與伺服器相同）後重試。',
    none: '沒有員工帳戶。',
    locked_until: ({ until }) => `鎖定至 ${until}`,
    must_change: '一次性密碼', inactive: '已停用',
    unlocked: ({ login }) => `${login} 已解鎖。`,
  },
};

const EXIT_CODES_HELP = `
Exit codes: 0 done, ${STAFF_EXIT_CODES.bad_input} bad role or login, ${STAFF_EXIT_CODES.unknown_store} unknown store,
${STAFF_EXIT_CODES.login_taken} login taken, ${STAFF_EXIT_CODES.no_auth_secret} AUTH_SECRET not set, ${STAFF_EXIT_CODES.unknown_login} unknown login (unlock), 1 anything else.`;

export function registerStaffCommand(program: Command): void {
  const staff = commandGroup(program, 'staff', 'staff accounts of the service halls');
  staff.command('add')
    .description('create a staff account: prints a one-time password and the TOTP enrolment (URI and QR code), once')
    .requiredOption('--store <code>', 'the store\'s code, e.g. svo-hall')
    .requiredOption('--role <role>', `one of ${STAFF_ROLES.join(', ')}`)
    .requiredOption('--login <name>', 'lowercase letters, digits, dot, dash, underscore; 3 to 64 characters')
    .addOption(languageOption())
    .addHelpText('after', EXIT_CODES_HELP)
    .action((options: { store: string; role: string; login: string; lang?: string }) => addStaff(options));
  staff.command('list')
    .description('the staff accounts, by store (no secrets)')
    .addOption(languageOption())
    .action((options: { lang?: string }) => listStaff(terminalLanguage(options.lang)));
  staff.command('unlock')
    .argument('<login>', 'the locked account')
    .description('lift a lockout after failed sign-ins before its time')
    .addOption(languageOption())
    .addHelpText('after', EXIT_CODES_HELP)
    .action((login: string, options: { lang?: string }) => unlockStaff(login, terminalLanguage(options.lang)));
}

async function addStaff(options: { store: string; role: string; login: string; lang?: string }): Promise<void> {
  const language = terminalLanguage(options.lang);
  await withContext(async (context) => {
    if (context.config.auth.secret_generated) return refuse(TEXTS[language].no_auth_secret, STAFF_EXIT_CODES.no_auth_secret);
    const enrolment = await refusingKnownErrors(language, () =>
      context.staff.addStaff({ store_code: options.store, role: options.role, login: options.login }));
    if (enrolment) await printEnrolment(enrolment, language);
  });
}

async function printEnrolment(enrolment: StaffEnrolment, language: Language): Promise<void> {
  const texts = TEXTS[language];
  printLine(texts.created({ login: enrolment.login, role: enrolment.role, store: enrolment.store_code }));
  printLine(`${texts.one_time_password} ${enrolment.one_time_password}`);
  printLine(texts.enrol);
  printLine(enrolment.totp_uri);
  // The QR code is block characters and line breaks only: printed as is (printLine would escape nothing in it anyway).
  console.log(await QRCode.toString(enrolment.totp_uri, { type: 'terminal', small: true }));
  printLine(texts.once);
}

/** Wide enough for most store codes and logins (longer ones push the row, never cut it). */
const COLUMN_WIDTH = 22;

async function listStaff(language: Language): Promise<void> {
  const texts = TEXTS[language];
  await withContext(async (context) => {
    const rows = await context.staff.listStaff();
    if (rows.length === 0) return printLine(texts.none);
    const now_ms = context.clock.now_ms();
    for (const row of rows) {
      const notes = [
        row.active ? undefined : texts.inactive,
        row.password_must_change ? texts.must_change : undefined,
        row.locked_until_ms !== null && row.locked_until_ms > now_ms
          ? texts.locked_until({ until: new Date(row.locked_until_ms).toISOString() }) : undefined,
      ].filter((note) => note !== undefined);
      // Columns by spaces: terminal-safe printing shows a tab as \x09.
      printLine([row.store_code.padEnd(COLUMN_WIDTH), row.login.padEnd(COLUMN_WIDTH), row.role.padEnd(COLUMN_WIDTH), notes.join(', ')].join(' ').trimEnd());
    }
  });
}

async function unlockStaff(login: string, language: Language): Promise<void> {
  await withContext(async (context) => {
    const done = await refusingKnownErrors(language, async () => {
      await context.staff.unlock(login);
      return true;
    });
    if (done) printLine(TEXTS[language].unlocked({ login }));
  });
}

/** The catalogue's refusals as one localized line and their own exit code; anything else goes up to runCommand. */
async function refusingKnownErrors<T>(language: Language, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    const exit_code = isRoamError(error) ? EXIT_CODE_BY_ERROR[error.code] : undefined;
    if (!isRoamError(error) || exit_code === undefined) throw error;
    refuse(`${error.code}: ${describeError(error, language)}`, exit_code);
    return undefined;
  }
}

function refuse(text: string, exit_code: number): void {
  printErrorLine(text);
  process.exitCode = exit_code;
}
