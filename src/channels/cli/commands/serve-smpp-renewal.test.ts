import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SmscSimulator, type ReceivedSms, type UssdReply } from '../../../adapters/sms/smpp/simulator/smsc-simulator.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { freePort } from '../../../testing/net.js';
import { eventually } from '../../../testing/waiting.js';
import {
  exitWithin, processSuite, runRoamcard, START_TIMEOUT_MS, startRoamcard, waitUntilHealthy, type RunningRoamcard,
} from '../../../testing/roamcard-process.js';

/**
 * What issue 11 promises a traveller, through the real server with SMS_DRIVER=smpp against the
 * SMSC simulator: renew over #102# dialled over SMPP, from the balance and by an SMS payment link,
 * get the activation notice and the usage alert by SMS, and the same menus over POST /ussd/at.
 */
const PASSWORD = 'pw-e2e01';
const NETWORK_TOKEN = 'network-token-for-the-e2e-test-0123456789';
const EXIT_TIMEOUT_MS = 15_000;
/** The demo line with 500.00 RUB on its balance, in zh-Hans until the menu switches it to English. */
const RICH_LINE = '+79001234567';
const MIB = 1024 * 1024;

describeEachDatabase('#102# and SMS notices over SMPP (end to end)', (test_db) => {
  let simulator: SmscSimulator;
  let running: RunningRoamcard;
  let base_url = '';
  const suite = processSuite(test_db, 'roamcard-smpp-renewal-');

  before(async () => {
    simulator = await SmscSimulator.start({ system_id: 'roamcard', password: PASSWORD });
    const port = await freePort();
    base_url = `http://127.0.0.1:${port}`;
    running = startRoamcard(['serve', '--demo-if-empty'], {
      ...suite.env(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NETWORK_API_TOKEN: NETWORK_TOKEN,
      SMS_DRIVER: 'smpp', SMPP_URL: simulator.url, SMPP_SYSTEM_ID: 'roamcard', SMPP_PASSWORD: PASSWORD, SMPP_SOURCE_ADDR: 'roamcard',
    });
    await waitUntilHealthy(base_url, running);
    await simulator.waitFor(() => simulator.bound_links === 1, START_TIMEOUT_MS);
  });
  after(async () => {
    running.child.kill('SIGTERM');
    await exitWithin(running, EXIT_TIMEOUT_MS);
    await simulator.close();
  });

  it('signs the customer in with the code that arrived by SMS, and shows why a service is off in the app API', async () => {
    const asked = await fetch(`${base_url}/api/v1/auth/codes`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msisdn: RICH_LINE }),
    });
    assert.equal(asked.status, 202);
    const sms = await smsTo(RICH_LINE, (message) => /\d{6}/.test(message.text));
    assert.equal(sms.encoding, 'ucs2', 'the line reads zh-Hans');
    const code = /(\d{6})/.exec(sms.text)?.[1];
    const signed_in = await fetch(`${base_url}/api/v1/auth/sessions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msisdn: RICH_LINE, code }),
    });
    assert.equal(signed_in.status, 201, await signed_in.clone().text());
    const { token } = (await signed_in.json()) as { token: string };
    const lines = (await (await fetch(`${base_url}/api/v1/me/lines`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      lines: { id: string }[];
    };
    const line_id = lines.lines[0]?.id;
    assert.ok(line_id);
    const line = await fetch(`${base_url}/api/v1/me/lines/${line_id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(line.status, 200);
    const { service } = (await line.json()) as { service: Record<string, { available: boolean }> };
    assert.deepEqual(Object.keys(service).sort(), ['data', 'sms', 'voice']);
    assert.equal(service.data?.available, true, 'the demo line has data left');
  });

  it('switches the line to English from the menu, then buys a pack from the balance: active at once, and texted', async () => {
    const first = await simulator.dial(RICH_LINE, '*102#');
    assert.equal(first.ussd_service_op, 2, 'the menu waits for a choice (USSR request)');
    const languages = await simulator.answer(RICH_LINE, '00');
    const english = await simulator.answer(RICH_LINE, choiceFor(languages, 'English'));
    assert.match(english.text, /^Buy a pack:/);
    assert.equal(english.data_coding, 0, 'an English screen goes as GSM-7');

    const offer = await simulator.answer(RICH_LINE, choiceFor(english, '1 GB data, 1 day'));
    assert.match(offer.text, /190\.00/);
    const question = await simulator.answer(RICH_LINE, choiceFor(offer, 'From my balance'));
    assert.match(question.text, /^Buy 1 GB data, 1 day for .*190\.00.* from your balance .*500\.00/s);
    const done = await simulator.answer(RICH_LINE, choiceFor(question, 'Confirm'));
    assert.equal(done.ussd_service_op, 17, 'the last screen ends the session (PSSR response)');
    assert.match(done.text, /^Done! 1 GB data, 1 day is active until /);

    const balance = await simulator.dial(RICH_LINE, '#100#');
    assert.match(balance.text, /310\.00/, 'paid once from the balance: 500.00 - 190.00');
    const notice = await smsTo(RICH_LINE, (sms) => sms.text.includes('1 GB data, 1 day'));
    assert.equal(notice.encoding, 'gsm7', 'the notice follows the line into English');
    await eventually(async () => {
      const outbox = await runRoamcard(['sms', 'outbox'], suite.env());
      return /done +1\/5 pack_active +to \+7900\*\*\*4567: 1\/1 delivered/.test(outbox.stdout) ? true : undefined;
    }, 'the notice, delivered, in `roamcard sms outbox`', { timeout_ms: START_TIMEOUT_MS, interval_ms: 200 });
  });

  it('answers not enough balance with the amount missing, and texts a payment link that opens the order', async () => {
    const english = await simulator.dial(RICH_LINE, '*102#');
    const offer = await simulator.answer(RICH_LINE, choiceFor(english, '20 GB data, 30 days'));
    const question = await simulator.answer(RICH_LINE, choiceFor(offer, 'From my balance'));
    const short = await simulator.answer(RICH_LINE, choiceFor(question, 'Confirm'));
    assert.match(short.text, /Not enough balance: .*1,?680\.00.* missing/s, 'costs 1990.00, holds 310.00');
    assert.equal(short.ussd_service_op, 2, 'the link is still offered');
    const sent = await simulator.answer(RICH_LINE, choiceFor(short, 'Payment link by SMS'));
    assert.equal(sent.ussd_service_op, 17);
    const sms = await smsTo(RICH_LINE, (message) => /\/p\/[A-Za-z0-9]+/.test(message.text));
    const link = /(https?:\/\/\S+\/p\/[A-Za-z0-9]+)/.exec(sms.text)?.[1];
    assert.ok(link, sms.text);
    const opened = await fetch(link.replace(/^https?:\/\/[^/]+/, base_url), { redirect: 'manual' });
    assert.equal(opened.status, 302);
    assert.match(opened.headers.get('location') ?? '', /^\/orders\/ord_/);
  });

  it('texts a usage alert once when the new pack is 80 % used', async () => {
    await useData('e2e-data-1', 700);
    await useData('e2e-data-2', 150);
    const alert = await smsTo(RICH_LINE, (sms) => /80 ?%/.test(sms.text));
    assert.match(alert.text, /#102#/, 'every alert says how to renew');
    await useData('e2e-data-3', 20);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(simulator.messages.filter((sms) => /80 ?%/.test(sms.text)).length, 1, 'the 80 % threshold fires once per pack');
  });

  it('explains a network block on #100# over both transports and refuses the usage it stops', async () => {
    const ends_at = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const blocked = await fetch(`${base_url}/api/v1/network/blocks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${NETWORK_TOKEN}`, 'idempotency-key': 'e2e-block-1' },
      body: JSON.stringify({ msisdn: RICH_LINE, reason: 'arrival_cooling_off', kinds: ['data', 'sms'], ends_at }),
    });
    assert.equal(blocked.status, 201, await blocked.text());
    const over_smpp = await simulator.dial(RICH_LINE, '#100#');
    assert.match(over_smpp.text, /^Balance: .*\nData and SMS paused until .*: 24 h pause on arrival\./);
    const over_http = await fetch(`${base_url}/ussd/at`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId: 'e2e-at-0', serviceCode: '#100#', phoneNumber: RICH_LINE, text: '' }).toString(),
    });
    assert.equal(await over_http.text(), `END ${over_smpp.text}`);
    const refused = await fetch(`${base_url}/api/v1/usage-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${NETWORK_TOKEN}` },
      body: JSON.stringify({ event_id: 'e2e-blocked-1', msisdn: RICH_LINE, kind: 'data', quantity: MIB, at: new Date().toISOString() }),
    });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { code: string }).code, 'ROAM_ERR_LINE_BLOCKED');
  });

  it('runs the same menu over POST /ussd/at', async () => {
    const over_smpp = await simulator.dial(RICH_LINE, '*102#');
    const over_http = await fetch(`${base_url}/ussd/at`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId: 'e2e-at-1', serviceCode: '*102#', phoneNumber: RICH_LINE, text: '' }).toString(),
    });
    assert.equal(await over_http.text(), `CON ${over_smpp.text}`);
  });

  async function useData(event_id: string, megabytes: number): Promise<void> {
    const charged = await fetch(`${base_url}/api/v1/usage-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${NETWORK_TOKEN}` },
      body: JSON.stringify({ event_id, msisdn: RICH_LINE, kind: 'data', quantity: megabytes * MIB, at: new Date().toISOString() }),
    });
    assert.equal(charged.status, 201, await charged.text());
  }

  /** The number to type for the item whose label contains `label`. */
  function choiceFor(screen: UssdReply, label: string): string {
    const line = screen.text.split('\n').find((text) => text.includes(label));
    const choice = line === undefined ? undefined : /^(\d+)\s/.exec(line)?.[1];
    assert.ok(choice, `no item "${label}" on the screen:\n${screen.text}`);
    return choice;
  }

  function smsTo(msisdn: string, matches: (sms: ReceivedSms) => boolean): Promise<ReceivedSms> {
    const address = msisdn.replace(/^\+/, '');
    return eventually(() => simulator.messages.find((sms) => sms.destination_addr === address && matches(sms)), `an SMS to ${address}`,
      { timeout_ms: START_TIMEOUT_MS });
  }
});
