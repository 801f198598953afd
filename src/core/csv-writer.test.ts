import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { csvField, csvRow } from './csv-writer.js';

describe('CSV writer', () => {
  it('prefixes every formula trigger with a quote mark and quotes the field (OWASP CSV Injection)', () => {
    assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
    assert.equal(csvField('=1+1'), '"\'=1+1"');
    assert.equal(csvField('+79001234567'), '"\'+79001234567"');
    assert.equal(csvField('-1'), '"\'-1"', 'a negative number too: a spreadsheet cannot tell it from -1+cmd');
    assert.equal(csvField('@SUM(1)'), '"\'@SUM(1)"');
    assert.equal(csvField('\t=1'), '"\'\t=1"');
    assert.equal(csvField('\r=1'), '"\'\r=1"');
    assert.equal(csvField('\0'), '"\'\0"');
    assert.equal(csvField('  =1+1'), '"\'  =1+1"', 'leading spaces hide nothing');
  });

  it('leaves plain values alone and quotes separators, quotes and line breaks', () => {
    assert.equal(csvField('8970199000000000007'), '8970199000000000007');
    assert.equal(csvField('1=1'), '1=1', 'only the first character makes a formula');
    assert.equal(csvField(''), '');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('a;b'), '"a;b"', 'quoted for a reader that guesses semicolons too');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvRow(['62', 'imsi', '123', 'The IMSI must have 14 or 15 digits.']), '62,imsi,123,The IMSI must have 14 or 15 digits.\r\n');
    assert.equal(csvRow(['3', 'iccid', '-1'], ';'), '3;iccid;"\'-1"\r\n');
  });

  it('round-trips any row through a real CSV reader, and no cell a reader sees starts a formula', () => {
    const character = fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\0', ' ', '"', "'", ',', ';', 'a', '1', 'ж', '\u202e');
    // Two cells at least: a row of one empty cell is an empty line, which CSV cannot tell apart.
    const row = fc.array(fc.string({ unit: character, maxLength: 8 }), { minLength: 2, maxLength: 6 });
    fc.assert(fc.property(row, fc.constantFrom(',' as const, ';' as const), (cells, delimiter) => {
      const [read] = parse(csvRow(cells, delimiter), { delimiter, relax_column_count: false }) as string[][];
      assert.equal(read?.length, cells.length);
      read?.forEach((cell, index) => {
        const original = cells[index] ?? '';
        assert.ok(cell === original || cell === `'${original}`, 'the text is kept, at most with the quote mark before it');
        assert.doesNotMatch(cell, /^[ ]*[=+\-@\t\r\0]/);
      });
    }));
  });
});
