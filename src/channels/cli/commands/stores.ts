import path from 'node:path';
import type { Command } from 'commander';
import { isRoamError } from '../../../core/errors.js';
import { describeError } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { terminalSafe } from '../../../core/terminal-text.js';
import { checkStoreColumns, importStores, type StoreImportSummary } from '../../../services/stores/import-stores.js';
import { listStores, type ListedStore, type StoreListFilter } from '../../../services/stores/store-list.js';
import { commandGroup, languageOption } from '../command-options.js';
import { exitCodesHelp, runCsvImport } from '../import-runner.js';
import { importTexts } from '../import-texts.js';
import { printErrorLine, printLine } from '../terminal-output.js';
import { terminalLanguage, withContext } from '../run-command.js';

/**
 * `roamcard stores import|list`: service halls and partners' stores from the operator's terminal.
 * `import` has the shape of every CSV import (import-runner.ts); `list` shows what the finder
 * (/stores) will show, one store a line.
 */

interface StoresImportOptions {
  readonly lang?: string;
  readonly dryRun?: boolean;
}

interface StoresListOptions {
  readonly lang?: string;
  readonly partner?: string;
  readonly city?: string;
}

/** `list --partner` naming no partner; as `roamcard partners` answers an unknown one. */
export const EXIT_CODE_UNKNOWN_PARTNER = 3;

const COLUMNS_HELP = `
Columns: code (required: 2-40 lower-case letters, digits, dashes, as in "perekrestok-tverskaya");
kind (required: service_hall or partner_store); partner (a partner's code: required for a partner_store,
empty for a service_hall); chain (default: the partner's chain); name, city, address (required; the
address in Latin letters); address_ru (optional: the address in Cyrillic, as the sign reads it);
time_zone (IANA, default Europe/Moscow); latitude, longitude (required: decimal degrees with a dot,
55.7558 and 37.6173); opening_hours (required, OpenStreetMap style: "24/7", "08:00-23:00",
"Mo-Fr 10:00-21:00; Sa-Su 11:00-19:00", "Mo-Sa 09:00-21:00; Su off"); renews (yes or no, 1/0, true/false; default yes).
A known code with other data updates that store (its id and cash drawer stay); with the same data it
is "unchanged": importing a file twice changes nothing. A new store gets its cash drawer account.`;

export function registerStoresCommand(program: Command): void {
  const stores = commandGroup(program, 'stores', 'service halls and partner stores (the store finder, /stores)');
  stores.command('import')
    .argument('<file>', 'CSV file of stores, one per row')
    .description('add or update stores from a CSV file; bad rows are rejected with their line and reason, the rest imported')
    .addOption(languageOption())
    .option('--dry-run', 'check every row against the rules and the stores, but write nothing')
    .addHelpText('after', `${COLUMNS_HELP}\n${exitCodesHelp()}`)
    .action((file: string, options: StoresImportOptions) => runStoresImport(file, options));
  stores.command('list')
    .description('the stores: code, kind, partner, chain, city, name, renews, hours')
    .option('--partner <code>', 'only this partner\'s stores')
    .option('--city <city>', 'only this city\'s stores, e.g. Moscow')
    .addOption(languageOption())
    .addHelpText('after', `\nExit codes: 0 listed (maybe none), ${EXIT_CODE_UNKNOWN_PARTNER} no partner with the --partner code.`)
    .action((options: StoresListOptions) => runStoresList(options));
}

function runStoresImport(file_path: string, options: StoresImportOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  return runCsvImport(file_path, language, {
    checkColumns: checkStoreColumns,
    importRows: (source, { database, services }, hooks) =>
      importStores(database, source, { clock: services.clock, dry_run: options.dryRun ?? false, ...hooks }),
    printSummary: (summary) => printSummary(file_path, summary, language),
  });
}

async function runStoresList(options: StoresListOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  const filter: StoreListFilter = { partner_code: options.partner, city: options.city };
  await withContext(async ({ database }) => {
    let stores: ListedStore[];
    try {
      stores = await listStores(database.db, filter);
    } catch (error) {
      if (!isRoamError(error) || error.code !== 'ROAM_ERR_PARTNER_NOT_FOUND') throw error;
      printErrorLine(describeError(error, language));
      process.exitCode = EXIT_CODE_UNKNOWN_PARTNER;
      return;
    }
    printStoreTable(stores, language);
  });
}

interface StoresTexts {
  rows_read: (p: { file: string; rows: number }) => string;
  imported: string;
  would_import: string;
  updated: string;
  would_update: string;
  unchanged: string;
  rejected: string;
  headers: Readonly<Record<TableColumn, string>>;
  yes: string;
  no: string;
  /** Renews, but its payment agent is switched off: the finder says it does not. */
  partner_disabled: string;
  none: string;
}

const TABLE_COLUMNS = ['code', 'kind', 'partner', 'chain', 'city', 'name', 'renews', 'hours'] as const;
type TableColumn = (typeof TABLE_COLUMNS)[number];

const TEXTS: Readonly<Record<Language, StoresTexts>> = {
  en: {
    rows_read: ({ file, rows }) => `${file}: ${rows} rows`, imported: 'imported', would_import: 'to import', updated: 'updated',
    would_update: 'to update', unchanged: 'unchanged', rejected: 'rejected',
    headers: { code: 'code', kind: 'kind', partner: 'partner', chain: 'chain', city: 'city', name: 'name', renews: 'renews', hours: 'hours' },
    yes: 'yes', no: 'no', partner_disabled: 'no (partner disabled)', none: 'No stores.',
  },
  ru: {
    rows_read: ({ file, rows }) => `${file}: строк: ${rows}`, imported: 'добавлено', would_import: 'будет добавлено', updated: 'обновлено',
    would_update: 'будет обновлено', unchanged: 'без изменений', rejected: 'отклонено',
    headers: { code: 'код', kind: 'тип', partner: 'партнёр', chain: 'сеть', city: 'город', name: 'название', renews: 'продление', hours: 'часы работы' },
    yes: 'да', no: 'нет', partner_disabled: 'нет (партнёр отключён)', none: 'Магазинов нет.',
  },
  'zh-Hans': {
    rows_read: ({ file, rows }) => `${file}：共${rows}行`, imported: '已导入', would_import: '将导入', updated: '已更新',
    would_update: '将更新', unchanged: '未变更', rejected: '已拒绝',
    headers: { code: '代码', kind: '类型', partner: '合作方', chain: '连锁', city: '城市', name: '名称', renews: '续费', hours: '营业时间' },
    yes: '是', no: '否', partner_disabled: '否（合作方已停用）', none: '没有门店。',
  },
  'zh-Hant': {
    rows_read: ({ file, rows }) => `${file}：共${rows}列`, imported: '已匯入', would_import: '將匯入', updated: '已更新',
    would_update: '將更新', unchanged: '未變更', rejected: '已拒絕',
    headers: { code: '代碼', kind: '類型', partner: '合作夥伴', chain: '連鎖', city: '城市', name: '名稱', renews: '續費', hours: '營業時間' },
    yes: '是', no: '否', partner_disabled: '否（合作夥伴已停用）', none: '沒有門市。',
  },
};

function printSummary(file_path: string, summary: StoreImportSummary, language: Language): void {
  const texts = TEXTS[language];
  const lines: Array<[string, number]> = [
    [summary.dry_run ? texts.would_import : texts.imported, summary.imported],
    [summary.dry_run ? texts.would_update : texts.updated, summary.updated],
    [texts.unchanged, summary.unchanged],
    [texts.rejected, summary.rejected],
  ];
  printLine(texts.rows_read({ file: path.basename(file_path), rows: summary.rows_read }));
  for (const [label, count] of lines) printLine(`  ${`${label}:`.padEnd(18)} ${count}`);
  if (summary.dry_run) printLine(importTexts(language).dry_run);
}

/** A name pasted whole from a chain's site would push the hours off the screen. */
const CELL_SHOWN_CHARS_MAX = 40;

function printStoreTable(stores: readonly ListedStore[], language: Language): void {
  const texts = TEXTS[language];
  if (stores.length === 0) return printLine(texts.none);
  const renews = (store: ListedStore) => (!store.renews ? texts.no : store.partner_enabled ? texts.yes : texts.partner_disabled);
  const rows = stores.map((store): Record<TableColumn, string> => ({
    code: store.code, kind: store.kind, partner: store.partner_code ?? '', chain: store.chain ?? '', city: store.city, name: store.name,
    renews: renews(store), hours: store.opening_hours,
  }));
  // Each cell made safe and cut before padding, so that escapes count in the widths.
  const shown = [texts.headers, ...rows].map((row) => TABLE_COLUMNS.map((column) => shownCell(row[column], column !== 'hours')));
  const widths = TABLE_COLUMNS.map((_, index) => Math.max(...shown.map((cells) => displayWidth(cells[index] ?? ''))));
  for (const cells of shown) {
    const padded = cells.map((cell, index) => (index === cells.length - 1 ? cell : cell + ' '.repeat((widths[index] ?? 0) - displayWidth(cell))));
    printLine(padded.join('  ').trimEnd());
  }
}

/**
 * Chinese, Japanese and Korean characters (and full-width forms) take two cells of a terminal, so
 * the Chinese headers and names would shift the columns after them. The East Asian Wide blocks,
 * not every rule of UAX #11: enough for our texts and for store names, without a dependency.
 */
const WIDE_CHARACTER = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) width += WIDE_CHARACTER.test(character) ? 2 : 1;
  return width;
}

/** The last column (hours) is shown whole: nothing follows it to push off the screen. */
function shownCell(text: string, cut: boolean): string {
  const safe = terminalSafe(text);
  const characters = [...safe];
  return cut && characters.length > CELL_SHOWN_CHARS_MAX ? `${characters.slice(0, CELL_SHOWN_CHARS_MAX - 1).join('')}…` : safe;
}
