import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getCountries, getCountryCallingCode, Metadata } from 'libphonenumber-js/max';
import { CODE_DIGITS, newSessionToken } from '../services/customers/auth-crypto.js';
import { luhnCheckDigit } from './iccid.js';
import { newId } from './ids.js';
import { maskPhoneNumbersInText } from './phone.js';
import {
  isRedactedName, maskPersonalDataInText, matcherBudget, PHONE_DIGITS_MIN, PHONE_STRETCH_DIGITS_MAX, PHONE_STRETCHES_MATCHED_MAX, REDACTED,
  redactedField, redactUrl,
} from './redaction.js';

/** Any digit of any script: what must not be left of a number. */
const ANY_DIGIT = /\p{Nd}/u;

describe('free text: phone numbers, found by the phone parser', () => {
  it('masks the demo number in every notation the parser accepts, alone and inside text', () => {
    const notations = [
      '+79001234567', '79001234567', '89001234567', '9001234567', '+7 900 123-45-67', '8 (900) 123 45 67', '+7 (900) 123-45-67',
      '8-900-123-45-67', '+7.900.123.45.67', '8 900 1234567', '900 123-45-67',
      '＋７９００１２３４５６７', '８９００１２３４５６７', '٨٩٠٠١٢٣٤٥٦٧', '+7\u00a0900\u00a0123\u201145\u201167', '+7 900 123–45–67',
    ];
    for (const notation of notations) {
      for (const text of [notation, `tel:${notation}`, `значение «${notation}» неверно`, `号码${notation}无效`, `"msisdn":"${notation}"`, `(${notation})`]) {
        const masked = maskPersonalDataInText(text);
        assert.ok(!ANY_DIGIT.test(masked), `${text} → ${masked}`);
        assert.ok(masked.includes('[phone]'), `${text} → ${masked}`);
      }
    }
  });

  it('masks numbers glued to letters, which the parser\'s matcher skips', () => {
    assert.equal(maskPersonalDataInText('msisdn79001234567 failed'), 'msisdn[phone] failed');
    assert.equal(maskPersonalDataInText('x+79001234567y'), 'x[phone]y');
  });

  it('masks foreign numbers written with their country code, and keeps the text around', () => {
    assert.equal(maskPersonalDataInText('payer +86 138 0013 8000 declined'), 'payer [phone] declined');
    assert.equal(maskPersonalDataInText('lookup of 8 900 123 45 67 failed: timeout after 5000 ms'), 'lookup of [phone] failed: timeout after 5000 ms');
  });

  it('the CLI\'s masking uses the same parser and shows the number the way the pages do', () => {
    assert.equal(maskPhoneNumbersInText('row 12: 8 (900) 123-45-67 is not in stock'), 'row 12: +7900***4567 is not in stock');
    assert.equal(maskPhoneNumbersInText('receipt RC-2026-000123 at 1765000000000'), 'receipt RC-2026-000123 at 1765000000000');
  });

  it('fails closed past the matcher\'s budget: later stretches of digits are masked whole, unexamined', () => {
    const budget = matcherBudget();
    const amounts = Array.from({ length: PHONE_STRETCHES_MATCHED_MAX + 3 }, (_, index) => `${1_500_000 + index}`);
    const masked = amounts.map((amount) => maskPersonalDataInText(`amount ${amount}`, budget));
    assert.deepEqual(masked.slice(0, PHONE_STRETCHES_MATCHED_MAX), amounts.slice(0, PHONE_STRETCHES_MATCHED_MAX).map((amount) => `amount ${amount}`));
    assert.deepEqual(masked.slice(PHONE_STRETCHES_MATCHED_MAX), ['amount [phone]', 'amount [phone]', 'amount [phone]']);
    assert.equal(maskPersonalDataInText('short 19000', budget), 'short 19000', 'too few digits for a number: no budget needed');
  });

  it('masks whole a stretch too long to be one or two numbers side by side', () => {
    const stretch = '8 9 0 '.repeat(Math.ceil(PHONE_STRETCH_DIGITS_MAX / 3) + 1).trim();
    assert.equal(maskPersonalDataInText(`got ${stretch} here`), 'got [phone] here');
    assert.equal(maskPersonalDataInText('call 89001234567 89001234568'), 'call [phone] [phone]', 'two numbers side by side are still found one by one');
  });

  it('skips the matcher only below the fewest digits a valid number has anywhere', () => {
    const metadata = new Metadata();
    const shortest = Math.min(...getCountries().map((country) => {
      metadata.selectNumberingPlan(country);
      return Math.min(...metadata.numberingPlan!.possibleLengths()) + getCountryCallingCode(country).length;
    }));
    assert.equal(PHONE_DIGITS_MIN, shortest);
  });
});

describe('free text: ICCIDs and one-time codes', () => {
  it('masks ICCIDs (19–20 digits from 89), also written in groups or in full-width digits', () => {
    const twenty = `8970199000000000012${luhnCheckDigit('8970199000000000012')}`;
    for (const iccid of ['8970199000000000007', '8970199000000000015', '8970199000000000239', twenty, '8970 1990 0000 0000 007', '8970-1990-0000-0000-007', '８９７０１９９０００００００００００７']) {
      assert.equal(maskPersonalDataInText(`SIM ${iccid} is not in stock`), 'SIM [iccid] is not in stock', iccid);
      assert.equal(maskPersonalDataInText(`/sims/${iccid}`), '/sims/[iccid]', iccid);
    }
  });

  it('masks a code next to a word that names it, in our four languages', () => {
    assert.equal(maskPersonalDataInText('004217 is your roamcard sign-in code. It is valid for 5 min.'), '[code] is your roamcard sign-in code. It is valid for 5 min.');
    assert.equal(maskPersonalDataInText('004217 — код входа roamcard. Действует 5 мин.'), '[code] — код входа roamcard. Действует 5 мин.');
    assert.equal(maskPersonalDataInText('004217是您的远游卡登录验证码，5分钟内有效。'), '[code]是您的远游卡登录验证码，5分钟内有效。');
    assert.equal(maskPersonalDataInText('004217是您的遠遊卡登入驗證碼，5分鐘內有效。'), '[code]是您的遠遊卡登入驗證碼，5分鐘內有效。');
    assert.equal(maskPersonalDataInText('wrong code: 123456'), 'wrong code: [code]');
    assert.equal(maskPersonalDataInText('PIN １２３４'), 'PIN [code]');
  });

  it('leaves unlabelled short numbers alone: amounts, ports, counts, years', () => {
    for (const text of ['paid 19000 kopecks', 'listening on 127.0.0.1:5432', '123456 rows imported', 'VAT 22% from 2026', 'HTTP 404 after 3 attempts']) {
      assert.equal(maskPersonalDataInText(text), text);
    }
    assert.ok(CODE_DIGITS >= 4 && CODE_DIGITS <= 8, 'the sign-in code length is within what labelled codes cover');
  });
});

describe('free text: our own identifiers stay whole (operators search logs by them)', () => {
  /** Ids whose hex happens to hold a long digit run: the old digit-run guessing cut these. */
  const identifiers = [
    newId('order'), newId('payment'), newId('line'), 'ord_01936f2e5b7a7c3d8e9f0123456789ab', 'pay_0193a1b2c3d47e5f8900123456789012',
    'cus_01936f2e5b7a7c3d8e9f790012345670', 'RC-2026-000123', 'RC-2026-9001234567', 'RC-7KQ2M9XW3B',
    '0193a1b2-c3d4-7e5f-8a9b-446655440000', '550e8400-e29b-41d4-a716-446655440000',
    '2026-01-05T12:00:00.000Z', '2026-01-05 12:00:00+03:00', '2026-01-05 12:00:00',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ];

  it('leaves ids, receipt and transfer references, request ids, timestamps and hashes as they are', () => {
    for (const identifier of identifiers) {
      for (const text of [identifier, `order ${identifier} failed`, `code ${identifier}`]) assert.equal(maskPersonalDataInText(text), text, text);
    }
  });

  it('leaves epoch times, amounts in kopecks, long ids and ports as they are', () => {
    for (const text of ['at 1765000000000', 'at 1765000000', 'amount_minor 150000000', 'provider id 1234567890123456789', 'id 7340000000000000000', 'port 5432', 'localhost:3000']) {
      assert.equal(maskPersonalDataInText(text), text, text);
    }
  });

  it('still masks a number beside an identifier', () => {
    const order_id = newId('order');
    assert.equal(maskPersonalDataInText(`${order_id} for +79001234567 at 2026-01-05T12:00:00Z`), `${order_id} for [phone] at 2026-01-05T12:00:00Z`);
    assert.equal(maskPersonalDataInText(`RC-2026-000123 sent to 89001234567`), 'RC-2026-000123 sent to [phone]');
  });
});

describe('free text: secrets recognisable by their shape', () => {
  it('masks session tokens, bearer credentials, eSIM activation codes and passwords in connection strings', () => {
    const token = newSessionToken();
    assert.equal(maskPersonalDataInText(`session ${token} expired`), 'session [token] expired');
    assert.equal(maskPersonalDataInText(`Authorization: Bearer ${token}`), 'Authorization: Bearer [token]');
    assert.equal(maskPersonalDataInText('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln'), 'Authorization: Bearer [token]');
    assert.equal(maskPersonalDataInText('profile LPA:1$smdp.example.com$04386-AGYFT-A74Y8-3F815 ready'), 'profile LPA:1$[token] ready');
    assert.equal(maskPersonalDataInText('cannot reach postgres://roam:hunter2@db.internal:5432/roamcard'), 'cannot reach postgres://roam:[redacted]@db.internal:5432/roamcard');
  });
});

describe('fields: redaction by name', () => {
  it('knows the names of phone numbers, SIM identities, secrets, e-mails, documents and cards', () => {
    for (const name of [
      'msisdn', 'to_msisdn', 'line_msisdn', 'payer_phone', 'phone', 'phoneNumber', 'contact_phone', 'iccid', 'imsi', 'imei', 'esim_activation_code',
      'token', 'session_token', 'csrf_token', 'x-csrf-token', 'csrf', '_csrf', 'authorization', 'Cookie', 'set-cookie', 'password', 'auth_secret', 'api_key',
      'email', 'payer_email', 'document_number', 'passport_number', 'passport', 'date_of_birth', 'full_name', 'card_number', 'cvc', 'pan', 'otp', 't', 'verification_token',
    ]) {
      assert.ok(isRedactedName(name), name);
    }
  });

  it('keeps what operators need: ids, codes of packs and errors, amounts, routes', () => {
    for (const name of ['order_id', 'payment_id', 'line_id', 'request_id', 'package_code', 'idempotency_key', 'amount_minor', 'status_code', 'route', 'url', 'reason', 'kind', 'timespan', 'at', 'line_msisdn_masked']) {
      assert.ok(!isRedactedName(name), name);
    }
  });

  it('redacts a `code` only when it is all digits: one-time codes go, error and USSD codes stay', () => {
    assert.equal(redactedField('code', '004217'), REDACTED);
    assert.equal(redactedField('code', 4217), REDACTED);
    assert.equal(redactedField('code', '０４２１７'), REDACTED);
    assert.equal(redactedField('code', 'ROAM_ERR_MSISDN_INVALID'), undefined);
    assert.equal(redactedField('code', '#100#'), undefined);
  });

  it('replaces any value under a redacted name, but keeps flags', () => {
    assert.equal(redactedField('msisdn', '+79001234567'), REDACTED);
    assert.equal(redactedField('msisdn', 79001234567), REDACTED);
    assert.equal(redactedField('contacts_phone', ['+79001234567']), REDACTED);
    assert.equal(redactedField('has_email', false), undefined);
    assert.equal(redactedField('email', null), undefined);
  });
});

describe('addresses', () => {
  it('redacts the values of known query parameters, encoded or not', () => {
    assert.equal(redactUrl('/renew/packs?msisdn=%2B79001234567'), '/renew/packs?msisdn=[redacted]');
    assert.equal(redactUrl('/renew/packs?msisdn=+79001234567&cur=EUR'), '/renew/packs?msisdn=[redacted]&cur=EUR');
    assert.equal(redactUrl('/receipts/RC-2026-000123?t=Qx3v0Zr8aW1yYt5bN2mK7g'), '/receipts/RC-2026-000123?t=[redacted]');
    assert.equal(redactUrl('/receipts/RC-2026-000123.pdf?t=Qx3v0Zr8aW1yYt5bN2mK7g'), '/receipts/RC-2026-000123.pdf?t=[redacted]');
    assert.equal(redactUrl('/signin/code?by=iccid&iccid=8970199000000000007&next=%2Flines'), '/signin/code?by=iccid&iccid=[redacted]&next=%2Flines');
    assert.equal(
      redactUrl('/osmp/demo-store?command=pay&txn_id=1001&account=900123456&sum=690.00'),
      '/osmp/demo-store?command=pay&txn_id=1001&account=[redacted]&sum=690.00',
      'an OSMP account, even one digit short of a number',
    );
    for (const name of ['code', 'email', 'phoneNumber', 'token', 'access_token', 'payer_email', 'CSRF']) {
      assert.equal(redactUrl(`/x?${name}=secret-value&lang=ru`), `/x?${name}=[redacted]&lang=ru`, name);
    }
  });

  it('redacts a position in the address, and keeps what else the query says', () => {
    assert.equal(redactUrl('/stores?lat=55.758&lon=37.613'), '/stores?lat=[redacted]&lon=[redacted]');
    assert.equal(redactUrl('/stores?lat=-33.868&lon=151.209&lang=zh-Hans'), '/stores?lat=[redacted]&lon=[redacted]&lang=zh-Hans');
    assert.equal(redactUrl('/x?latitude=55.7&longitude=37.6&lng=37.6'), '/x?latitude=[redacted]&longitude=[redacted]&lng=[redacted]');
    assert.equal(redactUrl('/lang/en?next=%2Fstores%3Flat%3D55.758%26lon%3D37.613'), '/lang/en?next=/stores?lat=[redacted]&lon=[redacted]');
    assert.equal(redactUrl('/stores?city=Moscow'), '/stores?city=Moscow');
  });

  it('keeps flags and empty values under those names', () => {
    assert.equal(redactUrl('/api/v1/auth/sessions?cookie=1'), '/api/v1/auth/sessions?cookie=1');
    assert.equal(redactUrl('/renew?msisdn='), '/renew?msisdn=');
  });

  it('masks numbers in other parameters, in addresses nested in them, and in the path', () => {
    assert.equal(redactUrl('/search?q=8+900+123+45+67'), '/search?q=[phone]');
    assert.equal(redactUrl('/signin?next=%2Frenew%2Fpacks%3Fmsisdn%3D89001234567'), '/signin?next=/renew/packs?msisdn=[redacted]');
    assert.equal(redactUrl('/lines/%2B79001234567/overview'), '/lines/[phone]/overview');
    assert.equal(redactUrl('/lines/+79001234567'), '/lines/[phone]');
    assert.equal(redactUrl('/sims/8970199000000000239'), '/sims/[iccid]');
  });

  it('leaves our own addresses exactly as they were sent', () => {
    const order_id = newId('order');
    for (const url of [`/orders/${order_id}/status.json`, `/api/v1/orders/${order_id}/payments?lang=zh-Hans`, '/receipts/RC-2026-000123', '/metrics', '/x?bad=%E0%A4%A', '/api/v1/me/orders?limit=20&before=MTc2NTAwMDAwMDAwMA']) {
      assert.equal(redactUrl(url), url);
    }
  });
});
