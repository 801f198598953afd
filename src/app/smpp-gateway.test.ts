import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SmscSimulator } from '../adapters/sms/smpp/simulator/smsc-simulator.js';
import { USSD_OPS_DEFAULT, type SmppConfig } from '../adapters/sms/smpp/smpp-config.js';
import { concatenationReference } from '../core/sms-encoding.js';
import { inTransaction } from '../db/transaction.js';
import { ManualClock } from '../ports/clock.js';
import { deriveAuthKeys } from '../services/customers/auth-crypto.js';
import { queueSms, sendSmsJobHandler } from '../services/customers/sms-job.js';
import { signInSmsText } from '../services/customers/sms-text.js';
import { parsedJobHandler } from '../services/jobs/job-kinds.js';
import { OutboxWorker } from '../services/jobs/worker.js';
import { smsOutbox } from '../services/sms/sms-deliveries.js';
import { describeEachDatabase } from '../testing/databases.js';
import type { Language } from '../core/i18n/languages.js';
import { SmppSmsSender } from '../adapters/sms/smpp/smpp-sms-sender.js';
import { openSmppGateway, type SmppGateway, type SmppGatewayEvent } from './smpp-gateway.js';

/**
 * SMS over SMPP end to end: sms.send jobs in the outbox, the worker, the SMPP driver and its
 * sms_deliveries table, against the SMSC simulator on loopback (real node-smpp on both sides), on
 * SQLite and PostgreSQL. Job time is a manual clock (a retry is due when the test says so); link
 * timers are real but short.
 */
const keys = deriveAuthKeys('k'.repeat(64));
const CREDENTIALS = { system_id: 'roamcard', password: 'secret1' };
const MINUTE_MS = 60_000;

function smppConfig(url: string): SmppConfig {
  return {
    link: { url, ...CREDENTIALS, system_type: '' },
    source_addr: 'roamcard',
    submit_per_second_max: 1_000,
    ussd: { service_type: '', operations: USSD_OPS_DEFAULT },
  };
}

describeEachDatabase('SMS over SMPP through the outbox', (test_db) => {
  let simulator: SmscSimulator;
  let gateway: SmppGateway;
  let worker: OutboxWorker;
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 4, 0));
  const events: SmppGatewayEvent[] = [];

  before(async () => {
    simulator = await SmscSimulator.start({ ...CREDENTIALS });
    gateway = openSmppGateway({
      config: smppConfig(simulator.url), database: test_db.database, clock,
      timing: { enquire_link_interval_ms: 1_000, response_timeout_ms: 2_000, reconnect_delay_ms_min: 5, reconnect_delay_ms_max: 40 },
    });
    gateway.start({ onEvent: (event) => events.push(event) });
    const handler = parsedJobHandler('sms.send', sendSmsJobHandler({ sender: gateway.sender, keys, clock }));
    worker = new OutboxWorker({ database: test_db.database, clock, handlers: { 'sms.send': handler } });
    assert.equal(await gateway.link.waitUntilBound(2_000), true);
  });
  after(async () => {
    await gateway.close();
    await simulator.close();
  });

  const queue = (to_msisdn: string, text: string, language: Language = 'en') =>
    inTransaction(test_db.database, (trx) => queueSms(trx, keys, { to_msisdn, language, text }, clock.now_ms()));
  const job = (id: string) => test_db.database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const deliveries = (reference: string) => test_db.database.db
    .selectFrom('sms_deliveries').selectAll().where('reference', '=', reference).orderBy('part').execute();
  const partsTo = (address: string) => simulator.parts.filter((part) => part.destination_addr === address);
  /** Runs due jobs, then moves the clock past any backoff so retries are due at the next call. */
  const drain = async () => {
    await worker.drainOnce();
    clock.advance(30 * MINUTE_MS);
  };

  it('sends an English sign-in code as GSM-7 and records its delivery receipt', async () => {
    const text = signInSmsText('en', '004217', 10);
    const id = await queue('+79001230001', text);
    await drain();
    assert.equal((await job(id)).status, 'done');
    const [part, ...rest] = partsTo('79001230001');
    assert.ok(part);
    assert.equal(rest.length, 0);
    assert.equal(part.data_coding, 0);
    assert.equal(part.esm_class, 0);
    assert.equal(part.registered_delivery, 1);
    assert.equal(part.source_addr, 'roamcard');
    // Letters, digits and ". - :" have the same code in GSM 03.38 as in ASCII: one octet each, unpacked.
    assert.match(text, /^[A-Za-z0-9 .,:-]+$/);
    assert.equal(part.short_message.toString('hex'), Buffer.from(text, 'ascii').toString('hex'));
    assert.equal(simulator.messages.find((sms) => sms.destination_addr === '79001230001')?.text, text);
    await waitFor(async () => (await deliveries(id))[0]?.status === 'delivered');
    const [row] = await deliveries(id);
    assert.deepEqual({ part: row?.part, parts_total: row?.parts_total, message_id: row?.message_id, to: row?.to_masked },
      { part: 1, parts_total: 1, message_id: part.message_id, to: '+7900***0001' });
  });

  it('sends a zh-Hans sign-in code as UCS-2 (UTF-16BE)', async () => {
    const text = signInSmsText('zh-Hans', '004217', 10);
    const id = await queue('+79001230002', text, 'zh-Hans');
    await drain();
    assert.equal((await job(id)).status, 'done');
    const parts = partsTo('79001230002');
    assert.equal(parts.length, 1);
    assert.equal(parts[0]?.data_coding, 8);
    assert.equal(parts[0]?.short_message.toString('hex'), Buffer.from(text, 'utf16le').swap16().toString('hex'));
    assert.equal(simulator.messages.find((sms) => sms.destination_addr === '79001230002')?.encoding, 'ucs2');
  });

  it('splits a long text into concatenated parts, byte by byte as the SMSC received them', async () => {
    const text = `${'Your pack is active until 9 December. '.repeat(9)}Renew: #102#`;
    assert.equal(text.length, 354);
    const id = await queue('+79001230003', text);
    await drain();
    const parts = partsTo('79001230003');
    const reference = concatenationReference(id);
    assert.deepEqual(parts.map((part) => part.short_message.subarray(0, 6).toString('hex')), [1, 2, 3].map((sequence) =>
      Buffer.from([0x05, 0x00, 0x03, reference, 3, sequence]).toString('hex')));
    assert.deepEqual(parts.map((part) => part.short_message.subarray(6).toString('latin1')), [text.slice(0, 153), text.slice(153, 306), text.slice(306)]);
    for (const part of parts) assert.equal(part.esm_class & 0x40, 0x40, 'UDHI set');
    const sms = simulator.messages.find((message) => message.destination_addr === '79001230003');
    assert.equal(sms?.text, text, 'reassembled by the simulator from node-smpp\'s own decoding');
    await waitFor(async () => (await deliveries(id)).filter((row) => row.status === 'delivered').length === 3);
  });

  it('holds messages in the outbox while the link is down and delivers each exactly once when it is back', async () => {
    simulator.acceptBinds(false);
    simulator.dropLinks();
    await waitFor(async () => !gateway.link.bound);
    const ids = await Promise.all(['+79001230011', '+79001230012', '+79001230013'].map((to) => queue(to, `Hello ${to.slice(-2)}`)));
    for (let outage_round = 0; outage_round < 8; outage_round += 1) await drain();
    for (const id of ids) {
      const row = await job(id);
      assert.equal(row.status, 'pending', 'waits in the outbox, however long the outage');
      assert.equal(row.attempts, 0, 'a try that could not reach the SMSC is not an attempt: eight rounds park nothing as dead');
      assert.match(row.last_error ?? '', /SMS waiting for the network: the SMPP link is down/);
    }
    simulator.acceptBinds(true);
    assert.equal(await gateway.link.waitUntilBound(2_000), true);
    await drain();
    await drain();
    for (const id of ids) assert.equal((await job(id)).status, 'done');
    for (const address of ['79001230011', '79001230012', '79001230013']) assert.equal(partsTo(address).length, 1, `${address} once`);
  });

  it('answers throttling by a retry that sends only the parts the SMSC did not take', async () => {
    const text = 'x'.repeat(400);
    simulator.throttleNext(1, 1);
    const id = await queue('+79001230021', text);
    await drain();
    const throttled = await job(id);
    assert.equal(throttled.status, 'pending');
    assert.match(throttled.last_error ?? '', /ESME_RTHROTTLED/);
    assert.deepEqual((await deliveries(id)).map((row) => row.part), [1], 'part 1 recorded right after its submit_sm_resp');
    await drain();
    assert.equal((await job(id)).status, 'done');
    const sequences = partsTo('79001230021').map((part) => part.concatenation?.sequence);
    assert.deepEqual(sequences, [1, 2, 3], 'part 1 was not sent again');
    assert.equal(simulator.messages.filter((sms) => sms.destination_addr === '79001230021').length, 1);
  });

  it('parks a message the SMSC refuses for good as dead, with the reason', async () => {
    simulator.refuseDestination('79001230031');
    const id = await queue('+79001230031', 'Hello');
    await drain();
    const dead = await job(id);
    assert.equal(dead.status, 'dead');
    assert.match(dead.last_error ?? '', /ESME_RINVDSTADR/);
    const [row] = await deliveries(id);
    assert.equal(row?.status, 'rejected');
    assert.equal(row?.error, 'ESME_RINVDSTADR');
  });

  it('keeps to SMPP_SUBMIT_PER_SECOND_MAX: beyond a burst of a tenth of the rate, parts wait their turn', async () => {
    const sender = new SmppSmsSender({
      link: gateway.link, database: test_db.database, clock, settings: { source_addr: 'roamcard', submit_per_second_max: 50 },
    });
    const started_ms = performance.now();
    const results = await Promise.all(Array.from({ length: 15 }, (_, index) =>
      sender.send({ to_msisdn: '+79001230041', text: `Rate ${index}`, language: 'en', reference: `rate-${index}` })));
    const elapsed_ms = performance.now() - started_ms;
    assert.ok(results.every((result) => result.accepted));
    // A burst of 5 goes at once; the other 10 wait 20 ms each at 50/s: 200 ms at the least, whatever the machine.
    assert.ok(elapsed_ms >= 195, `15 submits at 50/s took only ${Math.round(elapsed_ms)} ms`);
  });

  it('lists the outbox with masked numbers, parts and delivery states, never the text', async () => {
    const entries = await smsOutbox(test_db.database.db, { limit: 50 });
    assert.ok(entries.length >= 8);
    const long = entries.find((entry) => entry.to_masked === '+7900***0003');
    assert.deepEqual(long?.parts.map((part) => [part.part, part.parts_total, part.status]), [[1, 3, 'delivered'], [2, 3, 'delivered'], [3, 3, 'delivered']]);
    assert.equal(entries.find((entry) => entry.to_masked === '+7900***0031')?.job_status, 'dead');
    assert.ok(!JSON.stringify(entries).includes('004217'), 'no text, no code');
    assert.ok(!JSON.stringify(entries).includes('79001230001'), 'no full number');
    assert.deepEqual((await smsOutbox(test_db.database.db, { limit: 50, job_status: 'dead' })).map((entry) => entry.to_masked), ['+7900***0031']);
    assert.ok(events.some((event) => event.type === 'receipt' && event.recorded));
  });
});

async function waitFor(condition: () => Promise<boolean>, timeout_ms = 5_000): Promise<void> {
  const deadline_ms = Date.now() + timeout_ms;
  while (!(await condition())) {
    if (Date.now() > deadline_ms) throw new Error(`condition not met within ${timeout_ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
