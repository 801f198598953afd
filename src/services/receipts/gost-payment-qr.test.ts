import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, SELLER_DEFAULTS } from '../../config.js';
import { isValidBic, isValidCorrespondentAccount, isValidInn, isValidKpp, isValidSettlementAccount } from './bank-details.js';
import { GostPaymentError, gostPaymentText, type GostPayment } from './gost-payment-qr.js';
import { invoicePurpose } from './invoice.js';

const DEMO: GostPayment = {
  Name: 'ООО «Роумкард Демо»',
  PersonalAcc: '40702810600000012345',
  BankName: 'АО «Демо Банк»',
  BIC: '044525999',
  CorrespAcc: '30101810600000000999',
};

function failsOn(payment: GostPayment, field: string): void {
  assert.throws(() => gostPaymentText(payment), (error: unknown) => error instanceof GostPaymentError && error.field === field);
}

describe('GOST R 56042-2014 payment text', () => {
  it('writes the service block, the mandatory details in order, then the additional ones, with no trailing separator', () => {
    const text = gostPaymentText({ ...DEMO, sum_minor: 19_000, Purpose: 'Оплата по счёту RC-7KQ2M9XPAB', PayeeINN: '7701000019', KPP: '770101001' });
    assert.equal(text, 'ST00012|Name=ООО «Роумкард Демо»|PersonalAcc=40702810600000012345|BankName=АО «Демо Банк»|BIC=044525999'
      + '|CorrespAcc=30101810600000000999|Sum=19000|Purpose=Оплата по счёту RC-7KQ2M9XPAB|PayeeINN=7701000019|KPP=770101001');
  });

  it('leaves optional details out rather than writing them empty', () => {
    assert.equal(gostPaymentText(DEMO), 'ST00012|Name=ООО «Роумкард Демо»|PersonalAcc=40702810600000012345|BankName=АО «Демо Банк»|BIC=044525999|CorrespAcc=30101810600000000999');
    failsOn({ ...DEMO, Purpose: '' }, 'Purpose');
  });

  it('refuses values longer than the standard allows', () => {
    assert.doesNotThrow(() => gostPaymentText({ ...DEMO, Name: 'Я'.repeat(160), BankName: 'Б'.repeat(45), Purpose: 'П'.repeat(210) }));
    failsOn({ ...DEMO, Name: 'Я'.repeat(161) }, 'Name');
    failsOn({ ...DEMO, BankName: 'Б'.repeat(46) }, 'BankName');
    failsOn({ ...DEMO, Purpose: 'П'.repeat(211) }, 'Purpose');
    failsOn({ ...DEMO, sum_minor: 10 ** 18 }, 'Sum');
  });

  it('refuses a separator or a line break inside a value, and wrong digits', () => {
    failsOn({ ...DEMO, Purpose: 'a|b' }, 'Purpose');
    failsOn({ ...DEMO, Name: 'two\nlines' }, 'Name');
    failsOn({ ...DEMO, BIC: '04452599' }, 'BIC');
    failsOn({ ...DEMO, PersonalAcc: '4070281060000001234X' }, 'PersonalAcc');
    failsOn({ ...DEMO, CorrespAcc: '3010181060000000099' }, 'CorrespAcc');
    failsOn({ ...DEMO, PayeeINN: '77010000' }, 'PayeeINN');
    failsOn({ ...DEMO, sum_minor: 0 }, 'Sum');
    failsOn({ ...DEMO, sum_minor: 190.5 }, 'Sum');
  });

  it('names the VAT in the purpose, in Russian for the bank', () => {
    assert.equal(invoicePurpose('RC-7KQ2M9XPAB', 'data-1gb-1d', 22, 3_426), 'Оплата по счёту RC-7KQ2M9XPAB: пакет связи data-1gb-1d. В т.ч. НДС 22% 34.26 руб.');
    assert.equal(invoicePurpose('RC-7KQ2M9XPAB', 'data-1gb-1d', null, 0), 'Оплата по счёту RC-7KQ2M9XPAB: пакет связи data-1gb-1d. НДС не облагается');
  });
});

describe('Russian payee details', () => {
  it('checks INN check digits (10 and 12 digits) and KPP', () => {
    assert.ok(isValidInn('7701000019'));
    assert.ok(isValidInn('7707083893')); // a published organisation INN
    assert.ok(isValidInn('500100732259')); // a published entrepreneur INN (12 digits)
    assert.ok(!isValidInn('7701000018'));
    assert.ok(!isValidInn('500100732258'));
    assert.ok(!isValidInn('77010000'));
    assert.ok(isValidKpp('770101001'));
    assert.ok(!isValidKpp('77010100'));
  });

  it('checks account control keys against the BIC (Bank of Russia algorithm)', () => {
    assert.ok(isValidBic('044525225'));
    assert.ok(isValidCorrespondentAccount('044525225', '30101810400000000225')); // a published bank's details
    assert.ok(!isValidCorrespondentAccount('044525225', '30101810500000000225'));
    assert.ok(isValidSettlementAccount(SELLER_DEFAULTS.SELLER_BANK_BIC, SELLER_DEFAULTS.SELLER_BANK_ACCOUNT));
    assert.ok(!isValidSettlementAccount(SELLER_DEFAULTS.SELLER_BANK_BIC, '40702810700000012345'));
  });

  it('stops the configuration on a seller account that does not match its bank', () => {
    assert.equal(loadConfig({}).seller.bank.account, SELLER_DEFAULTS.SELLER_BANK_ACCOUNT);
    assert.throws(() => loadConfig({ SELLER_BANK_ACCOUNT: '40702810700000012345' }), /SELLER_BANK_ACCOUNT/);
    assert.throws(() => loadConfig({ SELLER_INN: '7701000018' }), /SELLER_INN/);
    assert.throws(() => loadConfig({ SELLER_BANK_NAME: 'Б'.repeat(46) }), /SELLER_BANK_NAME/);
    assert.deepEqual(loadConfig({ VAT_RATES: 'none', SELLER_KPP: 'none' }).seller.vat_rates.map((period) => period.rate_percent), [null]);
    assert.deepEqual(loadConfig({}).seller.vat_rates.map((period) => [period.from, period.rate_percent]), [['2019-01-01', 20], ['2026-01-01', 22]]);
    assert.throws(() => loadConfig({ VAT_RATE_PERCENT: '22' }), /VAT_RATE_PERCENT.*replaced by VAT_RATES/);
    assert.throws(() => loadConfig({ VAT_RATES: '2026-01-01:22,2019-01-01:20' }), /VAT_RATES.*ascending/);
    assert.throws(() => loadConfig({ VAT_RATES: '2026-02-30:22' }), /VAT_RATES/);
  });
});
