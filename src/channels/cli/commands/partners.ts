import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { csvRow } from '../../../core/csv-writer.js';
import { isRoamError, RoamError, type ErrorCode } from '../../../core/errors.js';
import { describeError } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { formatOsmpSum, parseOsmpSum } from '../../../core/osmp.js';
import type { Partner } from '../../../services/partners/partner-directory.js';
import {
  REGISTRY_CSV_COLUMNS, registryCsvCells, THEIR_REGISTRY_ROWS_MAX,
  type PartnerRegistry, type RegistryDifference, type TheirRegistryRow,
} from '../../../services/partners/partner-registry.js';
import { commandGroup, languageOption } from '../command-options.js';
import { CsvSyntaxError, openCsvFile } from '../csv-reader.js';
import { partnerTexts, type PartnerTexts } from '../partner-texts.js';
import { shownValue } from '../rejection-report.js';
import { terminalLanguage, withContext } from '../run-command.js';
import { printErrorLine, printLine } from '../terminal-output.js';

/**
 * `roamcard partners create|list|rotate|disable|enable|registry|reconcile`: payment agents from the
 * operator's terminal. `create` and `rotate` print secrets once — only a hash (basic password) or a
 * sealed copy (HMAC key) is kept — so whoever runs them hands them to the partner. `registry` writes
 * the partner's day as CSV and checks it against the ledger; `reconcile` compares the partner's own
 * registry with ours.
 */

/** Exit codes beside 0 (done; no difference). */
export const PARTNERS_EXIT_CODES = {
  /** registry: it does not match the ledger; reconcile: the registries differ; anything unexpected. */
  differences: 1,
  bad_input: 2, unknown_partner: 3, partner_exists: 4, no_auth_secret: 5,
} as const;

const EXIT_CODE_BY_ERROR: Partial<Record<ErrorCode, number>> = {
  ROAM_ERR_VALIDATION: PARTNERS_EXIT_CODES.bad_input,
  ROAM_ERR_INN_INVALID: PARTNERS_EXIT_CODES.bad_input,
  ROAM_ERR_PARTNER_NOT_FOUND: PARTNERS_EXIT_CODES.unknown_partner,
  ROAM_ERR_PARTNER_EXISTS: PARTNERS_EXIT_CODES.partner_exists,
};

/** The service's field names as the operator typed them: a refusal names the option to fix. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  code: '<code>', name: '--name', agent_name: '--agent-name', agent_inn: '--agent-inn', allowed_addresses: '--addresses',
  time_zone: '--time-zone', sum_min_minor: '--sum-min', sum_max_minor: '--sum-max', chain: '--chain', date: '<date>',
};

/** A rotation's grace at most: a chain rolls a secret out to its tills in days, not months. */
const GRACE_HOURS_MAX = 24 * 30;

const EXIT_CODES_HELP = `
Exit codes: 0 done (registry: matches the ledger; reconcile: no difference),
${PARTNERS_EXIT_CODES.differences} registry does not match the ledger, or the registries differ (reconcile), or anything unexpected,
${PARTNERS_EXIT_CODES.bad_input} bad input (a field, a date, a CSV file), ${PARTNERS_EXIT_CODES.unknown_partner} unknown partner, \
${PARTNERS_EXIT_CODES.partner_exists} the code is taken (create), ${PARTNERS_EXIT_CODES.no_auth_secret} AUTH_SECRET not set.`;

const REGISTRY_HELP = `
The day is the partner's calendar day in its time zone; a payment is on the day its money left the
partner's settlement account. CSV, UTF-8, CRLF: ${REGISTRY_CSV_COLUMNS.join(',')} (sum in roubles, "10.45";
account masked or full by the partner's setting, without "+"). The summary goes to stderr.`;

const RECONCILE_HELP = `
Their registry: CSV with a header; columns txn_id and sum (roubles, "10.45" or "10,45"), optionally account
(full or masked, "7900***4567": compared on the digits after the mask) and txn_date (compared on its digits).
Comma or semicolon separated, UTF-8 with or without BOM. Every difference is printed.`;

interface CreateOptions {
  readonly name: string;
  readonly agentName: string;
  readonly agentInn: string;
  readonly addresses: string;
  readonly chain?: string;
  readonly timeZone?: string;
  readonly packs: boolean;
  readonly sumMin?: string;
  readonly sumMax?: string;
  readonly registryAccounts?: 'masked' | 'full';
  readonly lang?: string;
}

export function registerPartnersCommand(program: Command): void {
  const partners = commandGroup(program, 'partners', 'payment agents (OSMP and the JSON partner API): secrets, registries');
  partners.command('create')
    .argument('<code>', 'the partner\'s code in URLs (/osmp/<code>): lowercase letters, digits, dashes')
    .description('add a payment agent: prints its basic password and HMAC key, once')
    .requiredOption('--name <name>', 'the name shown to the operator, e.g. "Perekrestok"')
    .requiredOption('--agent-name <name>', 'the agent\'s legal name (on receipts)')
    .requiredOption('--agent-inn <inn>', 'the agent\'s INN: 10 digits (a company) or 12 (an entrepreneur)')
    .requiredOption('--addresses <list>', 'comma-separated IP addresses and CIDR ranges it calls from')
    .option('--chain <name>', 'the retail chain whose stores it runs')
    .option('--time-zone <zone>', 'IANA zone of its registry\'s day (default Europe/Moscow)')
    .option('--no-packs', 'every sum tops up the balance (default: a sum equal to a pack\'s price buys the pack)')
    .option('--sum-min <roubles>', 'the smallest sum it may take, e.g. 100.00 (default 1.00)')
    .option('--sum-max <roubles>', 'the largest sum it may take, e.g. 15000.00 (default and most 15000.00)')
    .addOption(new Option('--registry-accounts <mode>', 'numbers in its registry').choices(['masked', 'full']).default('masked'))
    .addOption(languageOption())
    .addHelpText('after', EXIT_CODES_HELP)
    .action((code: string, options: CreateOptions) => createPartner(code, options));
  partners.command('list')
    .description('the partners: code, name, chain, enabled, addresses, limits (never a secret)')
    .addOption(languageOption())
    .action((options: { lang?: string }) => listPartners(terminalLanguage(options.lang)));
  partners.command('rotate')
    .argument('<code>', 'the partner')
    .description('a new secret of one kind, printed once; the previous one works on for --grace-hours')
    .addOption(new Option('--kind <kind>', 'basic (OSMP password) or hmac (JSON API key)').choices(['basic', 'hmac']).makeOptionMandatory())
    .option('--grace-hours <hours>', `hours the previous secret keeps working, 0 to ${GRACE_HOURS_MAX} (default 0: revoked now)`, '0')
    .addOption(languageOption())
    .addHelpText('after', EXIT_CODES_HELP)
    .action((code: string, options: { kind: 'basic' | 'hmac'; graceHours: string; lang?: string }) => rotateSecret(code, options));
  for (const enabled of [false, true]) {
    partners.command(enabled ? 'enable' : 'disable')
      .argument('<code>', 'the partner')
      .description(enabled ? 'accept the partner\'s payments again' : 'suspend the partner: every check and pay is answered "forbidden"')
      .addOption(languageOption())
      .addHelpText('after', EXIT_CODES_HELP)
      .action((code: string, options: { lang?: string }) => setEnabled(code, enabled, terminalLanguage(options.lang)));
  }
  partners.command('registry')
    .argument('<partner>', 'the partner\'s code')
    .argument('<date>', 'its day, YYYY-MM-DD')
    .description('the partner\'s paid payments of one day as CSV (stdout or --out), checked against its settlement account')
    .option('--out <file>', 'write the CSV to this file instead of stdout')
    .addOption(languageOption())
    .addHelpText('after', `${REGISTRY_HELP}\n${EXIT_CODES_HELP}`)
    .action((code: string, date: string, options: { out?: string; lang?: string }) => writeRegistry(code, date, options));
  partners.command('reconcile')
    .argument('<partner>', 'the partner\'s code')
    .argument('<date>', 'its day, YYYY-MM-DD')
    .argument('<file>', 'the partner\'s registry of that day, CSV')
    .description('compare the partner\'s registry with ours: every payment missing on either side, every sum or number that differs')
    .addOption(languageOption())
    .addHelpText('after', `${RECONCILE_HELP}\n${EXIT_CODES_HELP}`)
    .action((code: string, date: string, file: string, options: { lang?: string }) =>
      reconcile(code, date, file, terminalLanguage(options.lang)));
}

async function createPartner(code: string, options: CreateOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  const texts = partnerTexts(language);
  await withContext(async (context) => {
    if (context.config.auth.secret_generated) return refuse(texts.no_auth_secret, PARTNERS_EXIT_CODES.no_auth_secret);
    const created = await refusingKnownErrors(language, () => context.partners.createPartner({
      code, name: options.name, chain: options.chain, agent_name: options.agentName, agent_inn: options.agentInn,
      time_zone: options.timeZone, sells_packs: options.packs, allowed_addresses: options.addresses,
      sum_min_minor: roubles('sum_min_minor', options.sumMin), sum_max_minor: roubles('sum_max_minor', options.sumMax),
      registry_accounts: options.registryAccounts,
    }));
    if (!created) return;
    const { partner, secrets } = created;
    printLine(texts.created({ code: partner.code, name: partner.name, account: partner.settlement_account_id }));
    printLine(texts.basic_password({ code: partner.code }));
    printLine(`  ${secrets.basic_password}`);
    printLine(texts.hmac_key);
    printLine(`  ${secrets.hmac_key}`);
    printLine(texts.once);
  });
}

/** "100.00" → 10000; a flag not given stays undefined (the service's default). */
function roubles(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const amount_minor = parseOsmpSum(text);
  if (amount_minor === undefined || amount_minor === 0) throw new RoamError('ROAM_ERR_VALIDATION', { field, reason: 'format', value: text });
  return amount_minor;
}

async function listPartners(language: Language): Promise<void> {
  const texts = partnerTexts(language);
  await withContext(async (context) => {
    const partners = await context.partners.listPartners();
    if (partners.length === 0) return printLine(texts.none);
    for (const partner of partners) printPartner(partner, texts);
  });
}

function printPartner(partner: Partner, texts: PartnerTexts): void {
  const labels = texts.list;
  const chain = partner.chain === null ? '' : `  ${labels.chain}: ${partner.chain}`;
  printLine(`${partner.code}  ${partner.name}${chain}  [${partner.enabled === 1 ? labels.enabled : labels.disabled}]`);
  printLine(`  ${labels.agent}: ${partner.agent_name}, ${labels.inn} ${partner.agent_inn}; ${labels.time_zone}: ${partner.time_zone}`);
  printLine(`  ${labels.sums}: ${formatOsmpSum(Number(partner.sum_min_minor))}–${formatOsmpSum(Number(partner.sum_max_minor))}; `
    + `${labels.packs}: ${partner.sells_packs === 1 ? labels.packs_yes : labels.packs_no}; ${labels.registry_accounts}: ${partner.registry_accounts}`);
  printLine(`  ${labels.addresses}: ${partner.allowed_addresses.split(',').join(', ')}`);
}

async function rotateSecret(code: string, options: { kind: 'basic' | 'hmac'; graceHours: string; lang?: string }): Promise<void> {
  const language = terminalLanguage(options.lang);
  const texts = partnerTexts(language);
  await withContext(async (context) => {
    if (options.kind === 'hmac' && context.config.auth.secret_generated) return refuse(texts.no_auth_secret, PARTNERS_EXIT_CODES.no_auth_secret);
    const rotated = await refusingKnownErrors(language, async () => {
      const grace_hours = Number(options.graceHours);
      if (!/^\d+$/.test(options.graceHours) || grace_hours > GRACE_HOURS_MAX) {
        throw new RoamError('ROAM_ERR_VALIDATION', { field: '--grace-hours', reason: 'format', value: options.graceHours });
      }
      const grace_ms = grace_hours * 3_600_000;
      const secret = await context.partners.rotateSecret(code, options.kind, grace_ms);
      return { secret, until_ms: context.clock.now_ms() + grace_ms, grace_ms };
    });
    if (!rotated) return;
    printLine(texts.rotated({ code, kind: options.kind }));
    printLine(`  ${rotated.secret}`);
    printLine(rotated.grace_ms > 0 ? texts.previous_until({ until: new Date(rotated.until_ms).toISOString() }) : texts.previous_revoked);
    printLine(texts.once);
  });
}

async function setEnabled(code: string, enabled: boolean, language: Language): Promise<void> {
  const texts = partnerTexts(language);
  await withContext(async (context) => {
    const done = await refusingKnownErrors(language, async () => {
      await context.partners.setEnabled(code, enabled);
      return true;
    });
    if (done) printLine(enabled ? texts.enabled({ code }) : texts.disabled({ code }));
  });
}

async function writeRegistry(code: string, date: string, options: { out?: string; lang?: string }): Promise<void> {
  const language = terminalLanguage(options.lang);
  const texts = partnerTexts(language);
  await withContext(async (context) => {
    const registry = await refusingKnownErrors(language, () => context.partners.registry(code, date));
    if (!registry) return;
    const csv = csvRow(REGISTRY_CSV_COLUMNS) + registry.rows.map((row) => csvRow(registryCsvCells(row))).join('');
    if (options.out !== undefined) {
      await writeFile(options.out, csv, 'utf8');
      printErrorLine(texts.written({ file: options.out }));
    } else if (process.stdout.isTTY) {
      // On a terminal, each line shown (never obeyed): a txn_date over the JSON API is the agent's text.
      for (const line of csv.split('\r\n').slice(0, -1)) printLine(line);
    } else {
      process.stdout.write(csv);
    }
    printRegistrySummary(registry, texts);
  });
}

function printRegistrySummary(registry: PartnerRegistry, texts: PartnerTexts): void {
  const summary = texts.registry_summary({
    code: registry.partner_code, date: registry.date, zone: registry.time_zone, count: registry.count,
    total: formatOsmpSum(registry.sum_minor), movement: formatOsmpSum(registry.ledger_movement_minor),
  });
  if (!registry.day_over) printErrorLine(texts.day_not_over);
  if (registry.matches_ledger) {
    printErrorLine(`${summary}: ${texts.matches}`);
  } else {
    printErrorLine(`${summary}.`);
    printErrorLine(texts.mismatch({
      total: formatOsmpSum(registry.sum_minor), movement: formatOsmpSum(registry.ledger_movement_minor),
      difference: formatOsmpSum(registry.ledger_movement_minor - registry.sum_minor),
    }));
    process.exitCode = PARTNERS_EXIT_CODES.differences;
  }
  for (const entry of registry.unexplained_entries) {
    printErrorLine(texts.unexplained_entry({
      entry: entry.entry_id, kind: entry.entry_kind, at: new Date(entry.created_at_ms).toISOString(),
      amount: formatOsmpSum(entry.movement_minor), memo: entry.memo,
    }));
  }
  for (const payment of registry.unexplained_payments) {
    printErrorLine(texts.unexplained_payment({
      prv_txn: payment.prv_txn, txn_id: payment.txn_id, sum: formatOsmpSum(payment.sum_minor),
      movement: formatOsmpSum(payment.movement_minor),
    }));
  }
}

async function reconcile(code: string, date: string, file_path: string, language: Language): Promise<void> {
  const texts = partnerTexts(language);
  const rows = await readTheirRegistry(file_path, language);
  if (!rows) return;
  await withContext(async (context) => {
    const result = await refusingKnownErrors(language, () => context.partners.reconcile(code, date, rows), file_path);
    if (!result) return;
    printLine(texts.reconcile_summary({ date: result.registry.date, theirs: result.rows_theirs, ours: result.registry.count }));
    if (result.differences.length === 0) return printLine(texts.no_differences);
    printLine(texts.differences({ count: result.differences.length }));
    for (const difference of result.differences) {
      const where = difference.line_number === null ? '' : `${texts.line({ line: difference.line_number })}: `;
      printLine(`  ${where}${differenceText(difference, texts)}`);
    }
    process.exitCode = PARTNERS_EXIT_CODES.differences;
  });
}

function differenceText(difference: RegistryDifference, texts: PartnerTexts): string {
  const { txn_id } = difference;
  switch (difference.kind) {
    case 'missing_ours': return texts.missing_ours({ txn_id, theirs: formatOsmpSum(difference.theirs_minor) });
    case 'missing_theirs': return texts.missing_theirs({ txn_id, prv_txn: difference.prv_txn ?? '', ours: formatOsmpSum(difference.ours_minor) });
    case 'sum_differs': return texts.sum_differs({ txn_id, ours: formatOsmpSum(difference.ours_minor), theirs: formatOsmpSum(difference.theirs_minor) });
    // Their number is shown masked too: the terminal, like a log, never shows a full one.
    case 'account_differs': return texts.account_differs({ txn_id, ours: difference.ours, theirs: shownValue('phone', difference.theirs) });
    case 'txn_date_differs': return texts.txn_date_differs({ txn_id, ours: difference.ours, theirs: difference.theirs });
    case 'other_day': return texts.other_day({
      txn_id, date: difference.our_date, ours: formatOsmpSum(difference.ours_minor), theirs: formatOsmpSum(difference.theirs_minor),
    });
    case 'not_paid': return texts.not_paid({ txn_id, state: difference.state, reason: difference.reason });
    case 'duplicate_theirs': return texts.duplicate_theirs({ txn_id, first_line: difference.first_line_number });
  }
}

/**
 * The partner's file as rows, or undefined once its refusal is printed (exit 2): not CSV, a missing
 * column, a row with more cells than the header, more rows than a registry holds. The rows' values
 * are checked by the service, which names the line of the first bad one.
 */
async function readTheirRegistry(file_path: string, language: Language): Promise<TheirRegistryRow[] | undefined> {
  const texts = partnerTexts(language);
  const refuseFile = (text: string) => refuse(`${text} ${texts.nothing_compared}`, PARTNERS_EXIT_CODES.bad_input);
  try {
    const source = await openCsvFile(file_path);
    try {
      for (const column of ['txn_id', 'sum']) {
        if (!source.columns.includes(column)) throw new RoamError('ROAM_ERR_VALIDATION', { field: column, reason: 'missing_column' });
      }
      const rows: TheirRegistryRow[] = [];
      for await (const record of source.records) {
        if (record.problem !== undefined || rows.length >= THEIR_REGISTRY_ROWS_MAX) {
          const reason = record.problem ?? 'too_many_rows';
          throw new RoamError('ROAM_ERR_VALIDATION', { field: texts.line({ line: record.line_number }), reason, line: record.line_number });
        }
        const value = (column: string) => record.values[column];
        rows.push({
          line_number: record.line_number, txn_id: value('txn_id') ?? '', sum: value('sum') ?? '', account: value('account'), txn_date: value('txn_date'),
        });
      }
      return rows;
    } finally {
      source.close();
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) refuseFile(texts.not_csv({ file: file_path, line: error.line_number }));
    else if (isRoamError(error)) refuseFile(`${file_path}: ${describeError(error, language)}`);
    else refuseFile(`${file_path}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/**
 * The catalogue's refusals as one localized line and their own exit code; anything else goes up to
 * runCommand. A refusal naming a field is shown with the option to fix; one naming a line of
 * `file_path`, with the file and the line.
 */
async function refusingKnownErrors<T>(language: Language, work: () => Promise<T>, file_path?: string): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    const exit_code = isRoamError(error) ? EXIT_CODE_BY_ERROR[error.code] : undefined;
    if (!isRoamError(error) || exit_code === undefined) throw error;
    const field = error.params.field === undefined ? undefined : (OPTION_OF_FIELD[error.params.field] ?? error.params.field);
    // The value is shown masked where it may be a phone number (a registry's account column).
    const value = error.params.value === undefined ? {} : { value: shownValue(error.params.field === 'account' ? 'phone' : 'other', error.params.value) };
    const shown = new RoamError(error.code, { ...error.params, ...value, ...(field === undefined ? {} : { field }) });
    const text = describeError(shown, language);
    const line = error.params.line;
    const where = file_path !== undefined && line !== undefined ? `${file_path}, ${partnerTexts(language).line({ line })}: ` : '';
    // These two messages do not quote what was refused; the operator needs to see it.
    const quoted = value.value !== undefined && value.value !== '' && (error.code === 'ROAM_ERR_VALIDATION' || error.code === 'ROAM_ERR_INN_INVALID') ? ` (${value.value})` : '';
    refuse(`${where}${error.code}: ${text}${quoted}`, exit_code);
    return undefined;
  }
}

function refuse(text: string, exit_code: number): void {
  printErrorLine(text);
  process.exitCode = exit_code;
}
