import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AtolFake } from '../adapters/fiscal/atol/atol-fake-server.js';
import { saleRequest } from '../adapters/fiscal/kit/register-testing.js';
import { loadConfig } from '../config.js';
import { ManualClock } from '../ports/clock.js';
import type { FiscalRequest } from '../ports/fiscal-register.js';
import { describeEachDatabase } from '../testing/databases.js';
import { TEST_IDENTITY_KEYS } from '../testing/identity-keys.js';
import { fiscalRegisterFromConfig } from './fiscal.js';

/** The register the configuration names, built and used: what the receipts will be given. */

const START_MS = Date.UTC(2026, 0, 15, 9, 0);
const REAL_PAYMENTS = { YOOKASSA_SHOP_ID: '123456', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS };

/** A sale as the configuration itemises a pack, for its company. */
function packSale(config: ReturnType<typeof loadConfig>): FiscalRequest {
  assert.ok(config.fiscal.register !== undefined);
  const { company, items } = config.fiscal;
  const sale = saleRequest(19_000);
  return { ...sale, company, items: sale.items.map((item) => ({ ...item, ...items.pack })) };
}

describeEachDatabase('fiscal register from the configuration', (t) => {
  let fake: AtolFake;
  before(async () => {
    fake = await AtolFake.start({ inn: '7707083893' });
  });
  after(() => fake.close());

  it('test mode: the sandbox, whose documents say they are tests', async () => {
    const config = loadConfig({ FISCAL_SANDBOX_DELAY_MS: '0' });
    const register = fiscalRegisterFromConfig(config, { database: t.database, clock: new ManualClock(START_MS) });
    assert.equal(register?.name, 'sandbox');
    const result = await register.register(packSale(config));
    assert.ok(result.status === 'registered', JSON.stringify(result));
    assert.equal(result.is_test, true);
  });

  it('ATOL when its credentials are set: documents go to the register named in ATOL_BASE_URL', async () => {
    const config = loadConfig({
      ...REAL_PAYMENTS, SELLER_INN: '7707083893', SELLER_EMAIL: 'receipts@operator.example',
      ATOL_LOGIN: fake.login, ATOL_PASSWORD: fake.password, ATOL_GROUP_CODE: fake.group_code, ATOL_BASE_URL: fake.base_url,
    });
    const register = fiscalRegisterFromConfig(config, { database: t.database, clock: new ManualClock(START_MS) });
    assert.equal(register?.name, 'atol');
    const request = packSale(config);
    const result = await register.register(request);
    assert.equal(result.status, 'pending', JSON.stringify(result));
    assert.equal(fake.documentFor(request.external_id)?.status, 'wait');
  });

  it('none configured with real payments: no register', () => {
    const dependencies = { database: t.database, clock: new ManualClock(START_MS) };
    assert.equal(fiscalRegisterFromConfig(loadConfig(REAL_PAYMENTS), dependencies), undefined);
  });
});
