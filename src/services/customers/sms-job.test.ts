import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsoleSmsSender } from '../../adapters/sms/console/console-sms-sender.js';
import { ManualClock } from '../../ports/clock.js';
import type { Job } from '../jobs/outbox.js';
import { PermanentJobError } from '../jobs/worker.js';
import { deriveAuthKeys, sealText } from './auth-crypto.js';
import { parsedJobHandler } from '../jobs/job-kinds.js';
import { sendSmsJobHandler } from './sms-job.js';

const keys = deriveAuthKeys('s'.repeat(64));
const job = { id: 'job_test' } as Job;

describe('sms.send job and the console driver', () => {
  it('sends the unsealed text, skips a text past its use, refuses one sealed under another secret', async () => {
    const sender = new ConsoleSmsSender({ write: null });
    const clock = new ManualClock(1_000);
    // As the worker runs it: the stored payload parsed against the sms.send schema first.
    const handler = parsedJobHandler('sms.send', sendSmsJobHandler({ sender, keys, clock }));
    const payload = (text: string, send_before_ms: number | null, sealing = keys) =>
      ({ to_msisdn: '+79001234567', language: 'en', text_sealed: sealText(sealing, text), send_before_ms });

    await handler(payload('hello', 2_000), job);
    assert.equal(sender.lastMessageTo('+79001234567')?.text, 'hello');
    assert.equal(sender.lastMessageTo('+79001234567')?.reference, 'job_test');
    clock.set(2_000);
    await handler(payload('too late', 2_000), job);
    assert.equal(sender.lastMessageTo('+79001234567')?.text, 'hello');
    await assert.rejects(handler(payload('other secret', null, deriveAuthKeys('x'.repeat(64))), job), PermanentJobError);
    await assert.rejects(handler({ to_msisdn: 1 }, job), PermanentJobError);
    await assert.rejects(parsedJobHandler('sms.send', sendSmsJobHandler(undefined))(payload('no sender', null), job), PermanentJobError);
  });

  it('keeps a bounded memory: the newest messages per number, the most recent numbers', async () => {
    const lines: string[] = [];
    const sender = new ConsoleSmsSender({ write: (line) => lines.push(line), messages_per_number_max: 2, numbers_max: 2 });
    for (const [to, text] of [['+79001234567', 'a'], ['+79001234567', 'b'], ['+79001234567', 'c'], ['+79001234568', 'd'], ['+79001234569', 'e']] as const) {
      await sender.send({ to_msisdn: to, text, language: 'en', reference: text });
    }
    assert.equal(sender.messagesTo('+79001234567').length, 0, 'the least recent number was evicted');
    assert.deepEqual(sender.messagesTo('+79001234569').map((message) => message.text), ['e']);
    assert.equal(lines.length, 5);
    assert.ok(!lines.join('\n').includes('+79001234567'), 'numbers are masked in the output');
    assert.equal(lines[0], '[console SMS, not sent] to +7900***4567 (en, a): a');
  });
});
