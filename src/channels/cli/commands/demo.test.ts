import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO_PARTNER } from '../../../services/demo/seed.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { TEST_IDENTITY_KEYS } from '../../../testing/identity-keys.js';
import { processSuite, runRoamcard } from '../../../testing/roamcard-process.js';

/**
 * `roamcard demo` and the demo payment agent: its credentials are in the README, so it may pay for
 * packs only where no money is real — it is seeded in test mode and never beside a real provider.
 */

const AUTH_SECRET = 'demo-cli-test-secret-0123456789abcdef0123456';
const REAL_PROVIDER = { YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key_0123456789', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS };

describeEachDatabase('roamcard demo (CLI)', (test_db) => {
  const suite = processSuite(test_db, 'roamcard-demo-', () => ({ AUTH_SECRET, LOG_LEVEL: 'silent' }));

  async function demoPartnerRows(): Promise<number> {
    const rows = await suite.database().db.selectFrom('partners').select('id').where('code', '=', DEMO_PARTNER.code).execute();
    return rows.length;
  }

  it('leaves the demo partner out beside a real payment provider, and says why', async () => {
    const seeded = await runRoamcard(['demo'], { ...suite.env(), ...REAL_PROVIDER });
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stdout, /no demo partner: payments are not in test mode/);
    assert.equal(await demoPartnerRows(), 0);
  });

  it('adds the demo partner in test mode, with the chain\'s stores, once', async () => {
    for (const run of [1, 2]) {
      const seeded = await runRoamcard(['demo'], suite.env());
      assert.equal(seeded.code, 0, seeded.stderr);
      assert.match(seeded.stdout, /demo partner demo-store \(Perekrestok\): OSMP at \/osmp\/demo-store/, `run ${run}`);
    }
    assert.equal(await demoPartnerRows(), 1);
    const stores = await suite.database().db.selectFrom('stores').innerJoin('partners', 'partners.id', 'stores.partner_id')
      .select('stores.code').where('partners.code', '=', DEMO_PARTNER.code).orderBy('stores.code').execute();
    assert.deepEqual(stores.map((store) => store.code), ['perekrestok-arbat', 'perekrestok-nevsky', 'perekrestok-tverskaya']);
  });
});
