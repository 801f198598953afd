import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fitsOneScreen, gsm7Septets, paginate, ussdEncoding, USSD_GSM7_SEPTETS_MAX, USSD_UCS2_CHARACTERS_MAX } from './ussd-text.js';

const labels = { more: '0 More', back: '00 Back' };

describe('USSD screen fitting', () => {
  it('counts GSM-7 septets, with extension characters costing two', () => {
    assert.equal(gsm7Septets('Balance: 500.00 RUB'), 19);
    assert.equal(gsm7Septets('€[]'), 6);
    assert.equal(gsm7Septets('Баланс'), null);
    assert.equal(gsm7Septets('余额'), null);
    assert.equal(ussdEncoding('500,00 ₽'), 'ucs2');
  });

  it('fits 182 GSM-7 characters or 80 UCS-2 characters on one screen', () => {
    assert.ok(fitsOneScreen('a'.repeat(USSD_GSM7_SEPTETS_MAX)));
    assert.ok(!fitsOneScreen('a'.repeat(USSD_GSM7_SEPTETS_MAX + 1)));
    assert.ok(!fitsOneScreen('[' .repeat(92)));
    assert.ok(fitsOneScreen('余'.repeat(USSD_UCS2_CHARACTERS_MAX)));
    assert.ok(!fitsOneScreen('余'.repeat(USSD_UCS2_CHARACTERS_MAX + 1)));
    assert.ok(!fitsOneScreen(`${'a'.repeat(80)}Б`));
  });

  it('leaves short text alone', () => {
    assert.deepEqual(paginate('Balance: 500.00 RUB', labels), ['Balance: 500.00 RUB']);
  });

  it('splits long text at line ends into pages that each fit, with more/back choices', () => {
    const lines = Array.from({ length: 12 }, (_, index) => `${index + 1}) Интернет 5 ГБ на 7 дней: 4,3 ГБ до 02.12 21:50`);
    const pages = paginate(lines.join('\n'), { more: '0 Далее', back: '00 Назад' });
    assert.ok(pages.length > 1);
    pages.forEach((page, index) => {
      assert.ok(fitsOneScreen(page), `page ${index} fits`);
      assert.equal(page.includes('0 Далее'), index < pages.length - 1);
      assert.equal(page.includes('00 Назад'), index > 0);
    });
    const body = pages.map((page) => page.replace(/\n?00 Назад/, '').replace(/\n?0 Далее/, '')).join('\n');
    assert.equal(body, lines.join('\n'));
  });

  it('every page of any text fits, and no text is lost', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', ' ', '\n', 'Ж', '流', '€', '1'), { maxLength: 600 }), (characters) => {
      const text = characters.join('').trim();
      if (text.length === 0) return;
      const pages = paginate(text, labels);
      for (const page of pages) assert.ok(fitsOneScreen(page));
      const kept = pages.map((page) => page.replace('\n00 Back', '').replace('\n0 More', '')).join('').replace(/\s/g, '');
      assert.equal(kept, text.replace(/\s/g, ''));
    }));
  });
});
