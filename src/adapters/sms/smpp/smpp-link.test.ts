import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UssdRequest, UssdScreen } from '../../../channels/ussd/session.js';
import { SmppUssdTransport } from '../../../channels/ussd/transports/smpp/smpp-ussd.js';
import { UssdSessions } from '../../../channels/ussd/transports/smpp/ussd-sessions.js';
import { USSD_OPS_DEFAULT } from './smpp-config.js';
import { SmppLink, type SmppLinkEvent, type SmppLinkTiming } from './smpp-link.js';
import { SmscSimulator } from './simulator/smsc-simulator.js';
import { ESME_ROK } from './submit-status.js';

/**
 * The link against the SMSC simulator on loopback: real sockets, node-smpp on both sides, timers
 * shortened so a keep-alive or a reconnect takes milliseconds.
 */
const FAST: Partial<SmppLinkTiming> = {
  bind_timeout_ms: 2_000, response_timeout_ms: 1_000, enquire_link_interval_ms: 40, reconnect_delay_ms_min: 5, reconnect_delay_ms_max: 40,
};
const CREDENTIALS = { system_id: 'roamcard', password: 'secret1' };

function linkTo(simulator: SmscSimulator, password = CREDENTIALS.password, events: SmppLinkEvent[] = []): SmppLink {
  return new SmppLink({
    settings: { url: simulator.url, system_id: CREDENTIALS.system_id, password, system_type: '' },
    timing: FAST,
    onEvent: (event) => events.push(event),
  });
}

describe('SMPP link on loopback', () => {
  let simulator: SmscSimulator;
  before(async () => {
    simulator = await SmscSimulator.start({ ...CREDENTIALS });
  });
  after(async () => {
    await simulator.close();
  });

  it('binds as transceiver, keeps the link alive both ways, and unbinds on close', async () => {
    const events: SmppLinkEvent[] = [];
    const link = linkTo(simulator, CREDENTIALS.password, events);
    link.start();
    try {
      assert.equal(await link.waitUntilBound(2_000), true);
      assert.equal(simulator.bound_links, 1);
      const enquired = simulator.counts.enquire_link;
      await simulator.waitFor(() => simulator.counts.enquire_link >= enquired + 2);
      assert.equal(await simulator.enquireLinks(), 1, 'our side answers the peer\'s enquire_link');
    } finally {
      await link.close();
    }
    assert.equal(simulator.counts.unbind, 1, 'close() unbinds before closing the socket');
    assert.equal(link.bound, false);
    await simulator.waitFor(() => simulator.bound_links === 0);
    assert.deepEqual(events.map((event) => event.type), ['bound', 'closed']);
    assert.equal(JSON.stringify(events).includes(CREDENTIALS.password), false);
  });

  it('is refused with a wrong password and keeps trying with growing, bounded delays', async () => {
    const events: SmppLinkEvent[] = [];
    const refused_before = simulator.counts.bind_refused;
    const link = linkTo(simulator, 'wrong', events);
    link.start();
    try {
      await simulator.waitFor(() => simulator.counts.bind_refused >= refused_before + 3);
      assert.equal(link.bound, false);
      assert.equal((await link.submit({ destination_addr: '79001234567' })).kind, 'link_down', 'sending while down answers at once');
    } finally {
      await link.close();
    }
    assert.ok(events.some((event) => event.type === 'bind_refused' && event.status === 'ESME_RINVPASWD'));
    const delays = events.flatMap((event) => (event.type === 'reconnecting' ? [event] : []));
    assert.ok(delays.length >= 2);
    assert.deepEqual(delays.slice(0, 3).map((event) => event.attempt), [1, 2, 3]);
    for (const event of delays) assert.ok(event.delay_ms >= 5 && event.delay_ms <= 40, `delay ${event.delay_ms} within bounds`);
  });

  it('comes back by itself after the link is cut, and ends what was in flight as link_down', async () => {
    const events: SmppLinkEvent[] = [];
    const link = linkTo(simulator, CREDENTIALS.password, events);
    link.start();
    try {
      assert.equal(await link.waitUntilBound(2_000), true);
      // Sent, then the link cut before the simulator can read it: no answer will ever come.
      const in_flight = link.submit({ destination_addr: '79001234567', short_message: Buffer.from('lost'), data_coding: 0 });
      simulator.dropLinks();
      assert.equal((await in_flight).kind, 'link_down', 'ended as soon as the link went down, not at its timeout');
      await simulator.waitFor(() => events.some((event) => event.type === 'down'));
      assert.equal(await link.waitUntilBound(2_000), true, 'rebound after the drop');
      assert.deepEqual(events.filter((event) => event.type !== 'reconnecting').map((event) => event.type), ['bound', 'down', 'bound']);
      const outcome = await link.submit({ destination_addr: '79001234567', short_message: Buffer.from('hi'), data_coding: 0 });
      assert.equal(outcome.kind, 'response');
      assert.equal(outcome.kind === 'response' && outcome.pdu.command_status, ESME_ROK);
    } finally {
      await link.close();
    }
  });

  it('takes a link down whose peer stops answering enquire_link, and builds a new one', async () => {
    const events: SmppLinkEvent[] = [];
    const link = new SmppLink({
      settings: { url: simulator.url, ...CREDENTIALS, system_type: '' },
      timing: { ...FAST, response_timeout_ms: 100 },
      onEvent: (event) => events.push(event),
    });
    link.start();
    try {
      assert.equal(await link.waitUntilBound(2_000), true);
      simulator.answerEnquireLinks(false);
      await simulator.waitFor(() => events.some((event) => event.type === 'down'));
      simulator.answerEnquireLinks(true);
      const down = events.find((event) => event.type === 'down');
      assert.match(down?.type === 'down' ? down.reason : '', /enquire_link unanswered within 100 ms/);
      await simulator.waitFor(() => events.filter((event) => event.type === 'bound').length === 2);
    } finally {
      simulator.answerEnquireLinks(true);
      await link.close();
    }
  });

  it('answers USSD steps with op 2 then 17, its_session_info copied back, inputs joined as /ussd/at would', async () => {
    const requests: UssdRequest[] = [];
    const screens: UssdScreen[] = [
      { text: '1 Pack A 100 RUB\n2 Pack B', continues: true, page: 0, page_count: 1, outcome: 'ok', code: '*102#', language: 'en' },
      { text: '套餐已激活', continues: false, page: 0, page_count: 1, outcome: 'ok', code: '*102#', language: 'zh-Hans' },
      { text: 'Invalid request', continues: true, page: 0, page_count: 1, outcome: 'invalid_request', code: 'unknown', language: 'en' },
    ];
    const link = linkTo(simulator);
    const sessions = new UssdSessions({ sessions_max: 10, session_ttl_ms: 60_000 });
    const transport = new SmppUssdTransport({
      answer: async (request) => {
        requests.push(request);
        return screens[requests.length - 1] ?? assert.fail('one screen too many');
      },
      reply: (options) => link.submit(options),
      operations: USSD_OPS_DEFAULT,
      service_type: 'USSD',
      sessions,
    });
    link.onDeliverSm(async (pdu) => {
      void transport.handle(pdu);
      return ESME_ROK;
    });
    link.start();
    try {
      assert.equal(await link.waitUntilBound(2_000), true);
      const responses_before = simulator.counts.deliver_sm_resp;
      const first = await simulator.dial('+79001234567', '*102*1#');
      assert.equal(first.ussd_service_op, 2, 'USSR request: the session continues');
      assert.equal(first.text, '1 Pack A 100 RUB\n2 Pack B');
      assert.equal(first.data_coding, 0);
      assert.equal(first.service_type, 'USSD');
      assert.deepEqual([...(first.its_session_info ?? [])], [simulator_session(first), 0]);
      const second = await simulator.answer('+79001234567', '2');
      assert.equal(second.ussd_service_op, 17, 'PSSR response: the session ends');
      assert.equal(second.text, '套餐已激活');
      assert.equal(second.data_coding, 8);
      assert.deepEqual([...(second.its_session_info ?? [])], [simulator_session(first), 2]);
      assert.deepEqual(requests.map(({ msisdn, service_code, text }) => ({ msisdn, service_code, text })), [
        { msisdn: '+79001234567', service_code: '*102#', text: '1' },
        { msisdn: '+79001234567', service_code: '*102#', text: '1*2' },
      ]);
      assert.equal(requests[0]?.session_id, requests[1]?.session_id);
      assert.equal(sessions.size, 0, 'an ended session is forgotten');
      // An input for a session we do not know (expired, evicted, another server): the engine's
      // answer to a request without a code, and the session is ended whatever the engine says.
      const stray = await simulator.answer('+79001234567', '3');
      assert.equal(stray.ussd_service_op, 17);
      assert.deepEqual({ service_code: requests[2]?.service_code, text: requests[2]?.text }, { service_code: '', text: '3' });
      await simulator.waitFor(() => simulator.counts.deliver_sm_resp >= responses_before + 2);
    } finally {
      await link.close();
    }
  });
});

function simulator_session(reply: { its_session_info: Buffer | undefined }): number {
  return reply.its_session_info?.[0] ?? -1;
}
