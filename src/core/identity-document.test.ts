import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countryAlpha2, countryCodePairs } from './countries.js';
import { documentLookupText, parseDocument, type DocumentInput } from './identity-document.js';

const PASSPORT: DocumentInput = {
  type: 'passport', issuing_country: 'CHN', number: 'E 1234-5678', surname: 'Wang', given_names: 'Xiao Ming', birth_date: '1990-05-17',
};
const TODAY = '2026-12-07';

describe('identity documents (303-FZ desk)', () => {
  it('takes a Chinese passport in its normal form: alpha-2 country, number without spaces, names upper case', () => {
    assert.deepEqual(parseDocument(PASSPORT, TODAY), {
      ok: true,
      document: { type: 'passport', issuing_country: 'CN', number: 'E12345678', surname: 'WANG', given_names: 'XIAO MING', birth_date: '1990-05-17' },
    });
  });

  it('gives one look-up text to one document however it was typed', () => {
    const a = parseDocument(PASSPORT, TODAY);
    const b = parseDocument({ ...PASSPORT, issuing_country: 'cn', number: 'e12345678' }, TODAY);
    assert.ok(a.ok && b.ok);
    assert.equal(documentLookupText(a.document), documentLookupText(b.document));
    assert.equal(documentLookupText(a.document), 'passport|CN|E12345678');
  });

  it('names the field and the problem of bad input', () => {
    const cases: Array<[Partial<DocumentInput>, string, string]> = [
      [{ type: 'library_card' }, 'document_type', 'unknown'],
      [{ issuing_country: 'XYZ' }, 'issuing_country', 'unknown'],
      [{ issuing_country: '' }, 'issuing_country', 'empty'],
      [{ number: '' }, 'document_number', 'empty'],
      [{ number: 'E12#45678' }, 'document_number', 'format'],
      [{ number: 'E12' }, 'document_number', 'length'],
      [{ surname: '王' }, 'surname', 'not_latin'],
      [{ surname: ' ' }, 'surname', 'empty'],
      [{ given_names: 'Jürgen' }, 'given_names', 'not_latin'],
      [{ birth_date: '1990-02-30' }, 'birth_date', 'not_a_date'],
      [{ birth_date: '17.05.1990' }, 'birth_date', 'not_a_date'],
      [{ birth_date: '2027-01-01' }, 'birth_date', 'in_future'],
      [{ birth_date: '1850-01-01' }, 'birth_date', 'too_old'],
    ];
    for (const [change, field, problem] of cases) {
      assert.deepEqual(parseDocument({ ...PASSPORT, ...change }, TODAY), { ok: false, field, problem }, JSON.stringify(change));
    }
  });

  it('accepts a document without given names', () => {
    const result = parseDocument({ ...PASSPORT, given_names: '' }, TODAY);
    assert.ok(result.ok);
    assert.equal(result.document.given_names, '');
  });

  it('maps ISO 3166-1 alpha-3 codes to alpha-2, one to one, and the MRZ "D" to Germany', () => {
    const pairs = countryCodePairs();
    assert.equal(pairs.length, 250);
    assert.equal(new Set(pairs.map(([, alpha2]) => alpha2)).size, pairs.length);
    const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const [alpha3, alpha2] of pairs) assert.notEqual(regions.of(alpha2), undefined, `${alpha3} → ${alpha2}`);
    assert.equal(countryAlpha2('chn'), 'CN');
    assert.equal(countryAlpha2('TWN'), 'TW');
    assert.equal(countryAlpha2('D'), 'DE');
    assert.equal(countryAlpha2('EU'), null);
  });
});
