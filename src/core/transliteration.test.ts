import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCyrillic, transliterateRussian } from './transliteration.js';

describe('Russian in Latin letters (Wikipedia scheme)', () => {
  it('writes store addresses the way maps and street signs do', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['Тверская улица, 7', 'Tverskaya ulitsa, 7'],
      ['Невский проспект, 28', 'Nevsky prospekt, 28'],
      ['улица Баумана, 51', 'ulitsa Baumana, 51'],
      ['Светланская улица, 29', 'Svetlanskaya ulitsa, 29'],
      ['Аэропорт Шереметьево, терминал C, зона прилёта, 1-й этаж', 'Aeroport Sheremetyevo, terminal C, zona prilyota, 1-y etazh'],
    ];
    for (const [russian, latin] of cases) assert.equal(transliterateRussian(russian), latin);
  });

  it('follows the context rules a letter table gets wrong', () => {
    assert.equal(transliterateRussian('Елисеевский'), 'Yeliseevsky', 'е at the start of a word is ye; -ий at the end is y');
    assert.equal(transliterateRussian('Подъезд'), 'Podyezd', 'е after the hard sign is ye');
    assert.equal(transliterateRussian('Ильинка'), 'Ilyinka', 'the soft sign before a vowel is y');
    assert.equal(transliterateRussian('Щёлково, Хабаровск, Цветной бульвар'), 'Shchyolkovo, Khabarovsk, Tsvetnoy bulvar');
  });

  it('leaves Latin letters, digits and punctuation as they are', () => {
    assert.equal(transliterateRussian('Terminal C, 1st floor (24/7)'), 'Terminal C, 1st floor (24/7)');
    assert.equal(transliterateRussian(''), '');
  });

  it('tells Cyrillic text from Latin', () => {
    assert.equal(hasCyrillic('улица Арбат, 24'), true);
    assert.equal(hasCyrillic('Arbat St 24'), false);
  });
});
