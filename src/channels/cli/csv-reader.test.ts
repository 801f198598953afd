import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CSV_RECORD_BYTES_MAX, CsvSyntaxError, openCsvFile, type CsvRecord } from './csv-reader.js';

/** The CSV reader on real files: which files are refused, at which line, and what is read otherwise. */
describe('CSV reader of the imports', () => {
  let folder = '';
  before(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'roamcard-csv-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function read(content: string): Promise<CsvRecord[]> {
    const file_path = path.join(folder, 'file.csv');
    writeFileSync(file_path, content);
    const source = await openCsvFile(file_path);
    const records: CsvRecord[] = [];
    for await (const record of source.records) records.push(record);
    return records;
  }

  async function refusal(content: string): Promise<{ line: number; problem: string }> {
    try {
      await read(content);
    } catch (error) {
      if (error instanceof CsvSyntaxError) return { line: error.line_number, problem: error.problem };
      throw error;
    }
    return assert.fail('the file was read, not refused');
  }

  it('refuses a file at the row where a quote opens and never closes, LF or CRLF', async () => {
    assert.deepEqual(await refusal('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11,12\n'), { line: 3, problem: 'quote' });
    assert.deepEqual(await refusal('a,b,c\r\n1,2,3\r\n4,"5,6\r\n7,8,9\r\n'), { line: 3, problem: 'quote' });
    assert.deepEqual(await refusal('a,"b,c\n1,2,3\n'), { line: 1, problem: 'quote' }, 'the header too');
  });

  it('refuses a file where a quote closes in the middle of a later row, naming the row where it opened', async () => {
    assert.deepEqual(await refusal('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,"11",12\n13,14,15\n'), { line: 3, problem: 'quote' });
  });

  it('counts lines as an editor does: after multi-line cells, empty lines and rows of empty cells', async () => {
    assert.deepEqual(await refusal('a,b,c\r\n1,"2\r\nx",3\r\n4,5,6\r\n7,"8,9\r\n'), { line: 5, problem: 'quote' });
    assert.deepEqual(await refusal('a,b,c\n1,2,3\n\n\n7,"8,9\n'), { line: 5, problem: 'quote' });
    assert.deepEqual(await refusal('a;b;c\n1;2;3\n;;\n7;"8;9\n'), { line: 4, problem: 'quote' });
    assert.deepEqual(await refusal('a,b,c\n1,2,3\n4,5"x,6\n7,"8,9\n'), { line: 4, problem: 'quote' }, 'after a row with a quote inside a cell');
  });

  it('refuses a row longer than the limit: most likely a quote that swallows the file', async () => {
    assert.deepEqual(await refusal(`a,b,c\n1,2,3\n${'x'.repeat(CSV_RECORD_BYTES_MAX + 10)}\n4,5,6\n`), { line: 3, problem: 'row_too_long' });
  });

  it('reads a quote inside an unquoted cell as text, and every row after it', async () => {
    const records = await read('a,b,c\n1,2,3\n4,ООО "Ромашка",6\n7,8,9\n');
    assert.deepEqual(records.map((record) => [record.line_number, record.values.b, record.problem]), [
      [2, '2', undefined],
      [3, 'ООО "Ромашка"', undefined],
      [4, '8', undefined],
    ]);
  });

  it('reads well-formed multi-line cells and doubled quotes with the line where each row starts', async () => {
    const records = await read('a,b\r\n"x","two\r\nlines"\r\n"say ""hi""",z\r\n');
    assert.deepEqual(records.map((record) => [record.line_number, record.values.a, record.values.b]), [
      [2, 'x', 'two\r\nlines'],
      [4, 'say "hi"', 'z'],
    ]);
  });
});
