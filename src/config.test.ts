import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, paygTariff } from './config.js';
import { TEST_IDENTITY_KEYS } from './testing/identity-keys.js';

describe('configuration from the environment', () => {
  it('has working defaults: SQLite in ./data on port 3000', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.database_url, undefined);
    assert.equal(config.sqlite_file, 'data/roamcard.db');
    assert.equal(config.default_time_zone, 'Europe/Moscow');
  });

  it('stops with a message naming each bad variable', () => {
    assert.throws(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', DEFAULT_TIME_ZONE: 'Mars/Olympus' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT/);
      assert.match(error.message, /DATABASE_URL/);
      assert.match(error.message, /DEFAULT_TIME_ZONE/);
      return true;
    });
  });

  it('turns pay-as-you-go off per kind', () => {
    const tariffFor = paygTariff(loadConfig({ PAYG_VOICE_KOPECKS_PER_MINUTE: 'off', PAYG_DATA_KOPECKS_PER_MB: '990' }));
    assert.equal(tariffFor('voice'), null);
    assert.equal(tariffFor('data')?.data_minor_per_mb, 990);
    assert.throws(() => loadConfig({ PAYG_SMS_KOPECKS_PER_MESSAGE: '4.5' }), ConfigError);
  });

  it('is in test mode (sandbox, console SMS, bank transfers) only while no real provider is configured', () => {
    const fresh = loadConfig({});
    assert.deepEqual(fresh.payments, { sandbox: true, bank_transfer: true });
    assert.equal(fresh.sms_driver, 'console');
    assert.ok(fresh.warnings.some((warning) => warning.startsWith('TEST MODE')));

    const real = loadConfig({ YOOKASSA_SHOP_ID: '123456', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS });
    assert.deepEqual(real.payments, { sandbox: false, bank_transfer: false });
    assert.ok(!real.warnings.some((warning) => warning.startsWith('TEST MODE')));
    assert.ok(real.warnings.some((warning) => warning.startsWith('SMS_DRIVER=console')), 'the console driver is named in a warning');

    assert.equal(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x', PAYMENTS_SANDBOX: 'on' }).payments.sandbox, true);
    assert.equal(loadConfig({ PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS }).payments.sandbox, false);
    assert.throws(() => loadConfig({ PAYMENTS_SANDBOX: 'yes' }), /PAYMENTS_SANDBOX: must be "on" or "off"/);
  });

  it('identity document keys: required outside test mode, both or neither in test mode, checked, apart', () => {
    const real = { PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console' };
    assert.throws(() => loadConfig(real), (error: unknown) => error instanceof ConfigError
      && error.problems.some((problem) => problem.startsWith('IDENTITY_DOCUMENT_KEYS: must be set (identity documents are encrypted'))
      && error.problems.some((problem) => problem.startsWith('IDENTITY_LOOKUP_KEY: must be set')));
    const keys = loadConfig({ ...real, ...TEST_IDENTITY_KEYS }).identity.keys;
    assert.deepEqual(keys?.document_keys.map((key) => key.id), ['t1']);
    assert.equal(keys?.lookup_key.length, 32);
    assert.equal(loadConfig({}).identity.keys, undefined, 'test mode derives them from the installation secret');
    assert.throws(() => loadConfig({ IDENTITY_LOOKUP_KEY: TEST_IDENTITY_KEYS.IDENTITY_LOOKUP_KEY }), /IDENTITY_DOCUMENT_KEYS: must be set \(set both/);
    assert.throws(() => loadConfig({ ...TEST_IDENTITY_KEYS, IDENTITY_DOCUMENT_KEYS: 'k1:c2hvcnQ=' }), /IDENTITY_DOCUMENT_KEYS: key 1 \("k1"\): must be 32 bytes/);
    const same = Buffer.alloc(32, 7).toString('base64');
    assert.throws(() => loadConfig({ IDENTITY_DOCUMENT_KEYS: `k1:${same}`, IDENTITY_LOOKUP_KEY: same }), /IDENTITY_LOOKUP_KEY: must differ/);
    const defaults = loadConfig({}).identity;
    assert.deepEqual([defaults.numbers_per_person_max, defaults.deadline_ms, defaults.sandbox_delay_ms], [10, 72 * 3_600_000, 60_000]);
    assert.equal(loadConfig({ FOREIGN_NUMBERS_PER_PERSON_MAX: '3' }).identity.numbers_per_person_max, 3);
    assert.throws(() => loadConfig({ FOREIGN_NUMBERS_PER_PERSON_MAX: '0' }), /FOREIGN_NUMBERS_PER_PERSON_MAX/);
  });

  it('refuses to send SMS to the log silently when payments are real', () => {
    assert.throws(() => loadConfig({ PAYPAL_CLIENT_ID: 'client' }), (error: unknown) => error instanceof ConfigError && /SMS_DRIVER: must be set/.test(error.message));
  });

  it('takes bank transfers for real money only into the seller\'s own bank account', () => {
    assert.throws(() => loadConfig({ PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', PAYMENTS_BANK_TRANSFER: 'on', ...TEST_IDENTITY_KEYS }), /PAYMENTS_BANK_TRANSFER: .*SELLER_BANK_/);
    const own_bank = loadConfig({
      PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', PAYMENTS_BANK_TRANSFER: 'on', ...TEST_IDENTITY_KEYS,
      SELLER_BANK_BIC: '044525225', SELLER_BANK_CORRESPONDENT_ACCOUNT: '30101810400000000225', SELLER_BANK_ACCOUNT: '40702810938000000001',
    });
    assert.deepEqual(own_bank.payments, { sandbox: false, bank_transfer: true });
  });

  it('TRUST_PROXY: false, a hop count, or the proxies\' addresses — never "true"', () => {
    assert.equal(loadConfig({}).trust_proxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trust_proxy, false);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '2' }).trust_proxy, { hops: 2 });
    const addresses = loadConfig({ TRUST_PROXY: '10.0.0.0/8, 2001:db8::1' }).trust_proxy;
    assert.ok(addresses !== false && 'addresses' in addresses);
    assert.deepEqual(addresses.addresses.toCidrs(), ['10.0.0.0/8', '2001:db8::1/128']);
    const refused: [string, RegExp][] = [
      ['true', /TRUST_PROXY: must not be "true".*any client could choose its address.*number of proxies.*CIDR/],
      ['0', /TRUST_PROXY: must be a number of proxies from 1 to 10/],
      ['11', /TRUST_PROXY: must be a number of proxies from 1 to 10/],
      ['yes', /TRUST_PROXY: "yes" is not an IPv4\/IPv6 address or CIDR range/],
      ['10.0.0.0/8, lb.internal', /TRUST_PROXY: "lb\.internal" is not/],
    ];
    for (const [value, message] of refused) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: value }),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        value,
      );
    }
  });

  it('USSD gateway: loopback by default; allow-list and basic credentials checked, both credentials or neither', () => {
    const defaults = loadConfig({}).ussd_gateway;
    assert.deepEqual(defaults.allow.toCidrs(), ['127.0.0.0/8', '::1/128']);
    assert.equal(defaults.credentials, undefined);
    const set = loadConfig({ USSD_GATEWAY_ALLOW: '203.0.113.0/24,2001:db8:5::/48', USSD_GATEWAY_USERNAME: 'at-gateway', USSD_GATEWAY_PASSWORD: 'p4ss:word-0123456789' }).ussd_gateway;
    assert.deepEqual(set.allow.toCidrs(), ['203.0.113.0/24', '2001:db8:5::/48']);
    assert.deepEqual(set.credentials, { username: 'at-gateway', password: 'p4ss:word-0123456789' });
    const refused: [Record<string, string>, RegExp][] = [
      [{ USSD_GATEWAY_ALLOW: '203.0.113.0/24,gateway.example' }, /USSD_GATEWAY_ALLOW: "gateway\.example" is not/],
      [{ USSD_GATEWAY_ALLOW: ',' }, /USSD_GATEWAY_ALLOW: must list at least one/],
      [{ USSD_GATEWAY_USERNAME: 'at-gateway' }, /USSD_GATEWAY_PASSWORD: must be set as well/],
      [{ USSD_GATEWAY_PASSWORD: 'p4ssword-0123456789' }, /USSD_GATEWAY_USERNAME: must be set as well/],
      [{ USSD_GATEWAY_USERNAME: 'at:gateway', USSD_GATEWAY_PASSWORD: 'p4ssword-0123456789' }, /USSD_GATEWAY_USERNAME: must be 1–64 visible ASCII characters without ":"/],
      [{ USSD_GATEWAY_USERNAME: 'at-gateway', USSD_GATEWAY_PASSWORD: 'short' }, /USSD_GATEWAY_PASSWORD: must be at least 16 characters/],
    ];
    for (const [environment, message] of refused) {
      assert.throws(
        () => loadConfig(environment),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(environment),
      );
    }
  });

  it('fiscal register: the sandbox in test mode, with the demo seller and the documented item defaults', () => {
    const { fiscal } = loadConfig({});
    assert.equal(fiscal.register, 'sandbox');
    assert.ok(fiscal.register === 'sandbox');
    assert.deepEqual(fiscal.company, { inn: '7701000019', sno: 'osn', email: 'receipts@roamcard.example', payment_address: 'http://localhost:3000' });
    assert.deepEqual(fiscal.items, {
      pack: { payment_method: 'full_payment', payment_object: 4 },
      top_up: { payment_method: 'advance', payment_object: 10 },
    });
    assert.equal(fiscal.sandbox_delay_ms, 2_000);
    const custom = loadConfig({
      SELLER_SNO: 'usn_income', VAT_RATES: 'none', SELLER_PAYMENT_ADDRESS: 'г. Москва, ул. Тверская, д. 1', FISCAL_SANDBOX_DELAY_MS: '0',
      FISCAL_PACK_PAYMENT_METHOD: 'full_prepayment', FISCAL_TOP_UP_PAYMENT_OBJECT: '13',
    }).fiscal;
    assert.ok(custom.register === 'sandbox');
    assert.deepEqual([custom.company.sno, custom.company.payment_address, custom.sandbox_delay_ms], ['usn_income', 'г. Москва, ул. Тверская, д. 1', 0]);
    assert.deepEqual(custom.items.pack, { payment_method: 'full_prepayment', payment_object: 4 });
    assert.deepEqual(custom.items.top_up, { payment_method: 'advance', payment_object: 13 });
    assert.throws(() => loadConfig({ VAT_RATES: '2019-01-01:20,2026-01-01:23' }), /VAT_RATES: a fiscal register takes VAT at 0, 5, 7, 10, 20 or 22 %, or none \(not 23% from 2026-01-01\)/);
  });

  it('fiscal register: none with real payments until configured (and said at start); the sandbox refused there', () => {
    const real = { YOOKASSA_SHOP_ID: '123456', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS };
    const config = loadConfig(real);
    assert.deepEqual(config.fiscal, { register: undefined });
    assert.ok(config.warnings.some((warning) => warning.startsWith('No fiscal register is configured')));
    assert.throws(() => loadConfig({ ...real, FISCAL_REGISTER: 'sandbox' }), /FISCAL_REGISTER: the sandbox register makes test documents, not fiscal receipts/);
    assert.throws(() => loadConfig({ FISCAL_REGISTER: 'orangedata' }), /FISCAL_REGISTER: must be one of sandbox, atol/);
  });

  it('fiscal register: ATOL by its credentials, with the seller\'s own INN and e-mail; the password never enumerable', () => {
    const real = { YOOKASSA_SHOP_ID: '123456', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS };
    const atol = { ATOL_LOGIN: 'v5-online-atol-ru', ATOL_PASSWORD: 'atol-secret-password', ATOL_GROUP_CODE: 'v5-online-atol-ru_5179' };
    const seller = { SELLER_INN: '7707083893', SELLER_EMAIL: 'receipts@operator.example' };
    const config = loadConfig({ ...real, ...atol, ...seller, PUBLIC_BASE_URL: 'https://renew.operator.example/' });
    assert.equal(config.fiscal.register, 'atol');
    assert.ok(config.fiscal.register === 'atol');
    assert.deepEqual(config.fiscal.company, { inn: '7707083893', sno: 'osn', email: 'receipts@operator.example', payment_address: 'https://renew.operator.example' });
    assert.deepEqual([config.fiscal.atol.login, config.fiscal.atol.group_code, config.fiscal.atol.base_url], [atol.ATOL_LOGIN, atol.ATOL_GROUP_CODE, 'https://online.atol.ru/possystem/']);
    assert.equal(config.fiscal.atol.password, 'atol-secret-password');
    assert.ok(!JSON.stringify(config).includes('atol-secret-password'), 'a logged configuration never shows the password');
    assert.ok(!config.warnings.some((warning) => warning.startsWith('No fiscal register')));

    const refused: [Record<string, string>, RegExp][] = [
      [{ ...real, ...atol, SELLER_INN: '7707083893' }, /SELLER_EMAIL: must be set with a real fiscal register/],
      [{ ...real, ...atol, SELLER_EMAIL: 'receipts@operator.example' }, /SELLER_INN: is the demo company's/],
      [{ ...real, ...seller, FISCAL_REGISTER: 'atol' }, /ATOL_LOGIN: must be set with FISCAL_REGISTER=atol/],
      [{ ...real, ...seller, ATOL_LOGIN: 'v5-online-atol-ru' }, /ATOL_PASSWORD: must be set as well/],
      [{ ...real, ...atol, ...seller, VAT_RATES: '2019-01-01:18' }, /VAT_RATES: a fiscal register takes VAT at 0, 5, 7, 10, 20 or 22 %/],
      [{ SELLER_EMAIL: 'not an address' }, /SELLER_EMAIL: must be an e-mail address/],
      [{ SELLER_SNO: 'envd' }, /SELLER_SNO: must be a taxation system/],
      [{ FISCAL_TOP_UP_PAYMENT_OBJECT: '34' }, /FISCAL_TOP_UP_PAYMENT_OBJECT: must be a tag 1212 payment object 1–33/],
      [{ FISCAL_PACK_PAYMENT_METHOD: 'cash' }, /FISCAL_PACK_PAYMENT_METHOD: must be a tag 1214 payment method/],
    ];
    for (const [environment, message] of refused) {
      assert.throws(
        () => loadConfig(environment),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(environment),
      );
    }
    // ATOL's test registers in test mode: allowed, and the sandbox is then not the default.
    const trying = loadConfig({ ...atol, ...seller, ATOL_BASE_URL: 'https://testonline.atol.ru/possystem/' });
    assert.ok(trying.fiscal.register === 'atol' && trying.fiscal.atol.test_environment);
  });

  it('METRICS_TOKEN: unset by default, a bearer token when set', () => {
    assert.equal(loadConfig({}).metrics_token, undefined);
    assert.equal(loadConfig({ METRICS_TOKEN: 'metrics-token-0123456789' }).metrics_token, 'metrics-token-0123456789');
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN: must be at least 16 characters/);
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'has spaces in it 0123456789' }), /METRICS_TOKEN: must be one bearer token/);
  });
  it('mail: none by default; SMTP_URL with MAIL_FROM sends; credentials and the DKIM key never shown', () => {
    assert.deepEqual(loadConfig({}).mail, { driver: 'none', from: undefined, smtp: undefined });
    const mail = loadConfig({
      SMTP_URL: 'smtp://receipts%40roamcard.example:p%40ss%3Aword@mail.example.com', MAIL_FROM: 'roamcard <receipts@roamcard.example>',
      SMTP_CONNECT_TIMEOUT_MS: '5000',
    }).mail;
    assert.equal(mail.driver, 'smtp');
    assert.deepEqual(mail.from, { name: 'roamcard', address: 'receipts@roamcard.example' });
    assert.deepEqual({ ...mail.smtp?.server }, { host: 'mail.example.com', port: 587, secure: false, require_tls: true, username: 'receipts@roamcard.example' });
    assert.equal(mail.smtp?.server.password, 'p@ss:word', 'percent-decoded');
    assert.deepEqual([mail.smtp?.connect_timeout_ms, mail.smtp?.socket_timeout_ms], [5_000, 60_000]);
    assert.ok(!JSON.stringify(mail).includes('p@ss') && !JSON.stringify(mail).includes('p%40ss'), 'the password is not in a serialised configuration');
    const implicit_tls = loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com', MAIL_FROM: 'receipts@roamcard.example' }).mail.smtp?.server;
    assert.deepEqual([implicit_tls?.port, implicit_tls?.secure, implicit_tls?.require_tls], [465, true, false]);
    const local_relay = loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'receipts@roamcard.example' }).mail.smtp?.server;
    assert.deepEqual([local_relay?.port, local_relay?.require_tls, local_relay?.username], [2525, false, undefined]);
    assert.ok(loadConfig({ SMTP_URL: 'smtp://u:p@127.0.0.1', MAIL_FROM: 'receipts@roamcard.example', MAIL_DRIVER: 'none' }).warnings.some((text) => /SMTP_URL is set but MAIL_DRIVER=none/.test(text)));
  });

  it('mail: refuses a bad or half setting, naming the variable and never repeating a secret', () => {
    const refused: [Record<string, string>, RegExp][] = [
      [{ SMTP_URL: 'smtp://u:secret-one@mail.example.com' }, /MAIL_FROM: must be set when SMTP_URL is/],
      [{ SMTP_URL: 'http://u:secret-one@mail.example.com', MAIL_FROM: 'a@example.com' }, /SMTP_URL: must start with smtp:\/\/ or smtps:\/\//],
      [{ SMTP_URL: 'not a url secret-one', MAIL_FROM: 'a@example.com' }, /SMTP_URL: must look like smtp:\/\/user:password@/],
      [{ SMTP_URL: 'smtp://u:secret-one@mail.example.com/?pool=true', MAIL_FROM: 'a@example.com' }, /SMTP_URL: must have no path, query or fragment/],
      [{ SMTP_URL: 'smtp://u@mail.example.com', MAIL_FROM: 'a@example.com' }, /SMTP_URL: must give both a user name and a password/],
      [{ SMTP_URL: 'smtp://u:secret-one%zz@mail.example.com', MAIL_FROM: 'a@example.com' }, /SMTP_URL: has a user name or password that is not valid percent-encoding/],
      [{ SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'receipts' }, /MAIL_FROM: must be an e-mail address/],
      [{ MAIL_DRIVER: 'smtp' }, /SMTP_URL: must be set when MAIL_DRIVER=smtp/],
      [{ MAIL_DRIVER: 'pigeon' }, /MAIL_DRIVER: must be one of smtp, console, none/],
      [{ SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'a@example.com', MAIL_DKIM_DOMAIN: 'example.com' }, /MAIL_DKIM_SELECTOR: must be set as well/],
      [{ SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'a@example.com', MAIL_DKIM_DOMAIN: 'example.com', MAIL_DKIM_SELECTOR: 'rc', MAIL_DKIM_PRIVATE_KEY: 'secret-one' }, /MAIL_DKIM_PRIVATE_KEY: must be an RSA private key in PEM/],
      [{ SMTP_URL: 'smtp://mail.example.com', SMTP_SOCKET_TIMEOUT_MS: '10' }, /SMTP_SOCKET_TIMEOUT_MS: must be a number of milliseconds from 1000 to 600000/],
    ];
    for (const [environment, message] of refused) {
      assert.throws(
        () => loadConfig(environment),
        (error: unknown) => error instanceof ConfigError && message.test(error.message) && !error.message.includes('secret-one'),
        JSON.stringify(environment),
      );
    }
  });

  it('mail: DKIM with an RSA key of 1024 bits or more, one-line PEM accepted; console only in test mode', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const signed = loadConfig({
      SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'receipts@mail.roamcard.example',
      MAIL_DKIM_DOMAIN: 'Roamcard.Example', MAIL_DKIM_SELECTOR: 'rc2026', MAIL_DKIM_PRIVATE_KEY: pem.trim().replace(/\n/g, '\\n'),
    });
    assert.deepEqual({ ...signed.mail.smtp?.dkim }, { domain: 'roamcard.example', selector: 'rc2026' });
    assert.equal(signed.mail.smtp?.dkim?.private_key, pem.trim());
    assert.ok(!JSON.stringify(signed.mail).includes('PRIVATE KEY'));
    assert.ok(!signed.warnings.some((text) => /MAIL_DKIM_DOMAIN/.test(text)), 'a subdomain of the signing domain aligns');
    const other_domain = loadConfig({ SMTP_URL: 'smtp://mail.example.com', MAIL_FROM: 'receipts@other.example', MAIL_DKIM_DOMAIN: 'roamcard.example', MAIL_DKIM_SELECTOR: 'rc', MAIL_DKIM_PRIVATE_KEY: pem });
    assert.ok(other_domain.warnings.some((text) => /MAIL_DKIM_DOMAIN roamcard\.example is not the domain of MAIL_FROM/.test(text)));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.throws(() => loadConfig({ MAIL_DKIM_DOMAIN: 'roamcard.example', MAIL_DKIM_SELECTOR: 'rc', MAIL_DKIM_PRIVATE_KEY: ec }), /MAIL_DKIM_PRIVATE_KEY: must be an RSA private key \(/);

    const console_mail = loadConfig({ MAIL_DRIVER: 'console' }).mail;
    assert.equal(console_mail.driver, 'console');
    assert.equal(console_mail.from?.address, 'receipts@roamcard.invalid');
    assert.throws(
      () => loadConfig({ MAIL_DRIVER: 'console', PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS }),
      (error: unknown) => error instanceof ConfigError && /MAIL_DRIVER: "console" is for test mode only/.test(error.message),
    );
    assert.throws(() => loadConfig({ MAIL_DRIVER: 'console', YOOKASSA_SHOP_ID: '1', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS }), /MAIL_DRIVER: "console" is for test mode only/);
    assert.equal(loadConfig({ PAYMENTS_SANDBOX: 'off', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS }).mail.driver, 'none');
  });
});
