import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SmscSimulator } from '../../../../adapters/sms/smpp/simulator/smsc-simulator.js';
import { USSD_OPS_DEFAULT } from '../../../../adapters/sms/smpp/smpp-config.js';
import { openSmppGateway, type SmppGateway } from '../../../../app/smpp-gateway.js';
import { ussdAnswerer } from '../../../../app/ussd-engine.js';
import { LANGUAGES } from '../../../../core/i18n/languages.js';
import { messagesFor } from '../../../../core/i18n/messages.js';
import { fitsOneScreen, ussdEncoding } from '../../../../core/ussd-text.js';
import { describeEachDatabase } from '../../../../testing/databases.js';
import { openDemoLikeLine, seededContext, type SeededContext } from '../../../../testing/seeded-context.js';
import { atForm, testServer } from '../../../../testing/test-server.js';

/**
 * USSD over SMPP and over POST /ussd/at run the same menus: the same #102# walk — the pack list,
 * a pack, paying from the balance, confirming, then a pack the balance cannot pay and the link by
 * SMS — dialled over both transports in every language gives the same screens, each sent as
 * GSM-7 or UCS-2 as its text needs, and over SMPP with the op that continues or ends the session.
 * Both walks buy (each in its own session), so the balance falls by the price twice.
 */
const CREDENTIALS = { system_id: 'roamcard', password: 'secret2' };
/** Pack 1 (1 GB / 1 day, 190 ₽) from the balance and confirmed; then pack 3 (20 GB, 1 990 ₽): short, so the link. */
const WALK = ['1', '1', '1'] as const;
const SHORT_WALK = ['3', '1', '1', '2'] as const;
const USSR_REQUEST = 2;
const PSSR_RESPONSE = 17;

interface Screen {
  readonly text: string;
  readonly continues: boolean;
}

describeEachDatabase('the same USSD menus over SMPP and POST /ussd/at', (test_db) => {
  let seeded: SeededContext;
  let simulator: SmscSimulator;
  let gateway: SmppGateway;
  let at_session = 0;

  before(async () => {
    seeded = await seededContext(test_db.database);
    simulator = await SmscSimulator.start(CREDENTIALS);
    gateway = openSmppGateway({
      config: {
        link: { url: simulator.url, ...CREDENTIALS, system_type: '' }, source_addr: 'roamcard', submit_per_second_max: 1_000,
        ussd: { service_type: '', operations: USSD_OPS_DEFAULT },
      },
      database: test_db.database, clock: seeded.clock,
      timing: { enquire_link_interval_ms: 5_000, response_timeout_ms: 5_000, reconnect_delay_ms_min: 5, reconnect_delay_ms_max: 40 },
    });
    gateway.start({ ussdAnswer: ussdAnswerer(seeded.context) });
    assert.equal(await gateway.link.waitUntilBound(5_000), true);
  });
  after(async () => {
    await gateway.close();
    await simulator.close();
  });

  async function overSmpp(msisdn: string, inputs: readonly string[]): Promise<Screen[]> {
    const screens: Screen[] = [];
    let reply = await simulator.dial(msisdn, '*102#');
    for (let step = 0; ; step += 1) {
      assert.ok(reply.ussd_service_op === USSR_REQUEST || reply.ussd_service_op === PSSR_RESPONSE, `op ${reply.ussd_service_op}`);
      assert.equal(reply.data_coding, ussdEncoding(reply.text) === 'gsm7' ? 0 : 8, `encoding of ${JSON.stringify(reply.text)}`);
      screens.push({ text: reply.text, continues: reply.ussd_service_op === USSR_REQUEST });
      const input = inputs[step];
      if (input === undefined || reply.ussd_service_op === PSSR_RESPONSE) return screens;
      reply = await simulator.answer(msisdn, input);
    }
  }

  async function overAt(msisdn: string, inputs: readonly string[]): Promise<Screen[]> {
    at_session += 1;
    const sessionId = `same-menus-${test_db.dialect}-${at_session}`;
    const app = testServer(seeded.context);
    try {
      const screens: Screen[] = [];
      for (let step = 0; step <= inputs.length; step += 1) {
        const text = inputs.slice(0, step).join('*');
        const response = await app.inject({
          method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: atForm({ sessionId, serviceCode: '*102#', phoneNumber: msisdn, text }),
        });
        const continues = response.body.startsWith('CON ');
        screens.push({ text: response.body.slice(4), continues });
        if (!continues) break;
      }
      return screens;
    } finally {
      await app.close();
    }
  }

  for (const language of LANGUAGES) {
    it(`gives the same #102# screens over both transports: ${language}`, async () => {
      const line = await openDemoLikeLine(seeded, language, 'Europe/Moscow');
      const menu = messagesFor(language).ussd_menu;

      const bought_smpp = await overSmpp(line.msisdn, WALK);
      const bought_at = await overAt(line.msisdn, WALK);
      assert.equal(bought_smpp.length, 4);
      assert.ok(bought_smpp.every((screen) => fitsOneScreen(screen.text)));
      assert.deepEqual(bought_smpp.map((screen) => screen.continues), [true, true, true, false]);
      // The two walks bought one pack each, so only their balance lines differ (500 ₽, then 310 ₽).
      assert.deepEqual(bought_at.slice(0, 2), bought_smpp.slice(0, 2));
      assert.equal(bought_at[3]?.text, bought_smpp[3]?.text);
      const wallet = await test_db.database.db.selectFrom('ledger_accounts').select('balance_minor')
        .where('id', '=', line.wallet_account_id).executeTakeFirstOrThrow();
      assert.equal(wallet.balance_minor, 50_000 - 2 * 19_000, 'each walk bought the pack once');

      const linked_smpp = await overSmpp(line.msisdn, SHORT_WALK);
      const linked_at = await overAt(line.msisdn, SHORT_WALK);
      assert.deepEqual(linked_at, linked_smpp);
      assert.equal(linked_smpp.at(-1)?.text, menu.link_sent);
      assert.equal(linked_smpp.at(-1)?.continues, false);
    });
  }
});
