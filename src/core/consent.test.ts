import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSENT_TEXT_VERSION, consentText, consentTextsShown } from './consent.js';
import { LANGUAGES } from './i18n/languages.js';

describe('consent to personal data processing (152-FZ)', () => {
  it('has the current version in every language, naming 303-FZ and Gosuslugi', () => {
    for (const language of LANGUAGES) {
      const text = consentText(language);
      assert.equal(text?.version, CONSENT_TEXT_VERSION);
      assert.match(text?.body ?? '', /303-(FZ|ФЗ)/);
      assert.match(text?.body ?? '', /Gosuslugi|Госуслуги/);
    }
    assert.equal(consentText('en', '1999-01'), undefined);
  });

  it('is shown in the visitor\'s language and in Russian, once for a Russian reader', () => {
    assert.deepEqual(consentTextsShown('zh-Hans').map((text) => text.title), ['个人数据处理同意书', 'Согласие на обработку персональных данных']);
    assert.deepEqual(consentTextsShown('ru').map((text) => text.title), ['Согласие на обработку персональных данных']);
  });
});
