// SMS throughput: sign-in codes queued as sms.send jobs, sent by the outbox worker through the SMPP
// driver (SMS_DRIVER=smpp) to the SMSC simulator on loopback, each part recorded in sms_deliveries
// and each delivery receipt recorded when it comes back. Baseline in the same run: a bare
// node-smpp client bound to the same simulator, a loop of submit_sm with as many in flight as the
// worker runs jobs at once — what the wire and the simulator allow with no outbox and no database.
import { createRequire } from 'node:module';
import { fromDist } from '../lib/dist.mjs';
import { scenarioRow } from '../lib/report.mjs';
import { openTempDatabase } from '../lib/temp-database.mjs';
import { round } from '../lib/timing.mjs';

const smpp = createRequire(import.meta.url)('smpp');
const { SmscSimulator } = await fromDist('adapters/sms/smpp/simulator/smsc-simulator.js');
const { openSmppGateway } = await fromDist('app/smpp-gateway.js');
const { USSD_OPS_DEFAULT } = await fromDist('adapters/sms/smpp/smpp-config.js');
const { inTransaction } = await fromDist('db/transaction.js');
const { systemClock } = await fromDist('ports/clock.js');
const { deriveAuthKeys } = await fromDist('services/customers/auth-crypto.js');
const { queueSms, sendSmsJobHandler } = await fromDist('services/customers/sms-job.js');
const { signInSmsText } = await fromDist('services/customers/sms-text.js');
const { parsedJobHandler } = await fromDist('services/jobs/job-kinds.js');
const { OutboxWorker, WORKER_BATCH_SIZE_DEFAULT } = await fromDist('services/jobs/worker.js');

export const names = ['sms-smpp'];

const CREDENTIALS = { system_id: 'bench', password: 'bench' };
/** The configured rate limit must not be what is measured: the highest SMPP_SUBMIT_PER_SECOND_MAX allows. */
const SUBMIT_PER_SECOND_MAX = 10_000;
/** The product default a real SMSC contract is usually near. */
const PRODUCT_DEFAULT_PER_SECOND = 50;
const QUEUE_TRANSACTION_MESSAGES = 100;
const keys = deriveAuthKeys('b'.repeat(64));

const msisdnAt = (index) => `+7901${String(index).padStart(7, '0')}`;

async function rawBaseline(simulator, count, in_flight, text) {
  const session = smpp.connect({ url: simulator.url });
  session.on('error', () => undefined);
  session.on('deliver_sm', (pdu) => session.send(pdu.response()));
  await new Promise((resolve, reject) => session.on('connect', () => session.bind_transceiver(CREDENTIALS, (pdu) =>
    (pdu.command_status === 0 ? resolve() : reject(new Error(`bind refused ${pdu.command_status}`))))));
  const short_message = Buffer.from(text, 'ascii');
  let next = 0;
  const started_ms = performance.now();
  await Promise.all(Array.from({ length: in_flight }, async () => {
    while (next < count) {
      const index = next++;
      await new Promise((resolve) => session.submit_sm({
        destination_addr: msisdnAt(index).slice(1), source_addr: 'bench', data_coding: 0, registered_delivery: 1, short_message,
      }, resolve));
    }
  }));
  const elapsed_s = (performance.now() - started_ms) / 1000;
  await new Promise((resolve) => session.unbind(() => session.close(resolve)));
  return count / elapsed_s;
}

async function throughOutbox(temp, simulator, count) {
  const gateway = openSmppGateway({
    config: {
      link: { url: simulator.url, ...CREDENTIALS, system_type: '' }, source_addr: 'roamcard', submit_per_second_max: SUBMIT_PER_SECOND_MAX,
      ussd: { service_type: '', operations: USSD_OPS_DEFAULT },
    },
    database: temp.database, clock: systemClock,
  });
  let receipts = 0;
  gateway.start({ onEvent: (event) => { if (event.type === 'receipt' && event.recorded) receipts += 1; } });
  try {
    if (!(await gateway.link.waitUntilBound(5_000))) throw new Error('the SMPP link did not bind');
    const text = signInSmsText('en', '004217', 5);
    for (let start = 0; start < count; start += QUEUE_TRANSACTION_MESSAGES) {
      await inTransaction(temp.database, async (trx) => {
        for (let index = start; index < Math.min(start + QUEUE_TRANSACTION_MESSAGES, count); index += 1) {
          await queueSms(trx, keys, { to_msisdn: msisdnAt(index), language: 'en', text }, systemClock.now_ms());
        }
      });
    }
    const handler = parsedJobHandler('sms.send', sendSmsJobHandler({ sender: gateway.sender, keys, clock: systemClock }));
    const worker = new OutboxWorker({ database: temp.database, clock: systemClock, handlers: { 'sms.send': handler } });
    const parts_before = simulator.parts.length;
    const started_ms = performance.now();
    let sent = 0;
    while (sent < count) {
      const ran = await worker.drainOnce();
      if (ran === 0) throw new Error(`the outbox ran dry after ${sent} of ${count} messages`);
      sent += ran;
    }
    const elapsed_s = (performance.now() - started_ms) / 1000;
    const accepted = simulator.parts.length - parts_before;
    const done = await temp.database.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('count')).where('status', '=', 'done').executeTakeFirst();
    if (accepted !== count || Number(done?.count) !== count) throw new Error(`sent ${accepted} parts, ${done?.count} jobs done, of ${count}`);
    // Receipts come back on their own; wait for them (briefly) so the run counts them.
    const deadline_ms = Date.now() + 10_000;
    while (receipts < count && Date.now() < deadline_ms) await new Promise((resolve) => setTimeout(resolve, 20));
    return { per_second: count / elapsed_s, elapsed_s, receipts };
  } finally {
    await gateway.close();
  }
}

export async function run(bench) {
  const { messages } = bench.sizes.sms;
  const temp = await openTempDatabase(bench.target, { label: 'sms_smpp' });
  const simulator = await SmscSimulator.start({ ...CREDENTIALS });
  try {
    const text = signInSmsText('en', '004217', 5);
    await rawBaseline(simulator, Math.min(200, messages), WORKER_BATCH_SIZE_DEFAULT, text);
    const baseline = await rawBaseline(simulator, messages, WORKER_BATCH_SIZE_DEFAULT, text);
    const roamcard = await throughOutbox(temp, simulator, messages);
    return [scenarioRow({
      name: 'sms-smpp',
      value: roamcard.per_second,
      unit: 'messages/s',
      baseline,
      target: `>= ${PRODUCT_DEFAULT_PER_SECOND}/s (SMPP_SUBMIT_PER_SECOND_MAX default)`,
      met: roamcard.per_second >= PRODUCT_DEFAULT_PER_SECOND,
      details: {
        messages, jobs_at_once: WORKER_BATCH_SIZE_DEFAULT, submit_per_second_max: SUBMIT_PER_SECOND_MAX,
        elapsed_s: round(roamcard.elapsed_s, 3), receipts_recorded: roamcard.receipts,
      },
    })];
  } finally {
    await simulator.close();
    await temp.dispose();
  }
}
