import type { Language } from '../../core/i18n/languages.js';
import type { CsvSyntaxProblem } from './csv-reader.js';

/**
 * The texts of the CSV import commands themselves (rejected rows, progress, refusals), in our four
 * languages; the domain's reasons for rejecting a row come from core/i18n through describeError.
 */

interface ImportTexts {
  rejected_heading: (p: { count: number }) => string;
  table_header: { line: string; column: string; value: string; reason: string };
  first_at_line: (p: { line: number }) => string;
  more_rejected: (p: { shown: number; count: number; file: string }) => string;
  progress_line: (p: { file: string; rows: number; percent: number }) => string;
  cannot_read: (p: { file: string; reason: string }) => string;
  /** The file is refused: csv-parse cannot tell where the row at `line` ends. */
  not_csv: Readonly<Record<CsvSyntaxProblem, (p: { line: number; bytes_max: number }) => string>>;
  dry_run: string;
}

// CLI-only texts; the domain's reasons come from i18n/messages.ts through describeError.
const TEXTS: Readonly<Record<Language, ImportTexts>> = {
  en: {
    rejected_heading: ({ count }) => `Rejected rows (${count}):`,
    table_header: { line: 'line', column: 'column', value: 'value', reason: 'reason' },
    first_at_line: ({ line }) => `First at line ${line}.`,
    more_rejected: ({ shown, count, file }) => `Showing the first ${shown} of ${count} rejected rows; all of them are in ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}: ${rows} rows read (${percent}%)`,
    cannot_read: ({ file, reason }) => `Cannot read ${file}: ${reason}`,
    not_csv: {
      quote: ({ line }) => `The file is not valid CSV at line ${line}: a quote opens a cell and is not closed where the cell ends, so the rows after it cannot be told apart. Nothing was imported.`,
      row_too_long: ({ line, bytes_max }) => `The file is not valid CSV at line ${line}: the row is longer than ${bytes_max} bytes (most likely a quote that is never closed). Nothing was imported.`,
      other: ({ line }) => `The file is not valid CSV at line ${line}. Nothing was imported.`,
    },
    dry_run: 'Dry run: nothing was written.',
  },
  ru: {
    rejected_heading: ({ count }) => `Отклонённые строки (${count}):`,
    table_header: { line: 'строка', column: 'столбец', value: 'значение', reason: 'причина' },
    first_at_line: ({ line }) => `Впервые в строке ${line}.`,
    more_rejected: ({ shown, count, file }) => `Показаны первые ${shown} из ${count} отклонённых строк; полный список в ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}: прочитано строк: ${rows} (${percent}%)`,
    cannot_read: ({ file, reason }) => `Не удаётся прочитать ${file}: ${reason}`,
    not_csv: {
      quote: ({ line }) => `Файл не является корректным CSV в строке ${line}: кавычка открывает ячейку и не закрывается там, где ячейка кончается, поэтому следующие строки невозможно отделить друг от друга. Ничего не импортировано.`,
      row_too_long: ({ line, bytes_max }) => `Файл не является корректным CSV в строке ${line}: строка длиннее ${bytes_max} байт (скорее всего, не закрыта кавычка). Ничего не импортировано.`,
      other: ({ line }) => `Файл не является корректным CSV в строке ${line}. Ничего не импортировано.`,
    },
    dry_run: 'Пробный запуск: ничего не записано.',
  },
  'zh-Hans': {
    rejected_heading: ({ count }) => `被拒绝的行（${count}）：`,
    table_header: { line: '行', column: '列', value: '值', reason: '原因' },
    first_at_line: ({ line }) => `首次出现在第${line}行。`,
    more_rejected: ({ shown, count, file }) => `仅显示${count}个被拒绝行中的前${shown}个；完整列表见 ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}：已读取${rows}行（${percent}%）`,
    cannot_read: ({ file, reason }) => `无法读取 ${file}：${reason}`,
    not_csv: {
      quote: ({ line }) => `文件在第${line}行不是有效的CSV：引号开启了一个单元格，却没有在单元格结束处闭合，因此无法分辨其后的各行。未导入任何内容。`,
      row_too_long: ({ line, bytes_max }) => `文件在第${line}行不是有效的CSV：该行超过${bytes_max}字节（很可能是引号未闭合）。未导入任何内容。`,
      other: ({ line }) => `文件在第${line}行不是有效的CSV。未导入任何内容。`,
    },
    dry_run: '试运行：未写入任何内容。',
  },
  'zh-Hant': {
    rejected_heading: ({ count }) => `被拒絕的列（${count}）：`,
    table_header: { line: '列號', column: '欄', value: '值', reason: '原因' },
    first_at_line: ({ line }) => `首次出現在第${line}列。`,
    more_rejected: ({ shown, count, file }) => `僅顯示${count}個被拒絕列中的前${shown}個；完整清單見 ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}：已讀取${rows}列（${percent}%）`,
    cannot_read: ({ file, reason }) => `無法讀取 ${file}：${reason}`,
    not_csv: {
      quote: ({ line }) => `檔案在第${line}列不是有效的CSV：引號開啟了一個儲存格，卻沒有在儲存格結束處閉合，因此無法分辨其後的各列。未匯入任何內容。`,
      row_too_long: ({ line, bytes_max }) => `檔案在第${line}列不是有效的CSV：該列超過${bytes_max}位元組（很可能是引號未閉合）。未匯入任何內容。`,
      other: ({ line }) => `檔案在第${line}列不是有效的CSV。未匯入任何內容。`,
    },
    dry_run: '試執行：未寫入任何內容。',
  },
};

export function importTexts(language: Language): ImportTexts {
  return TEXTS[language];
}
