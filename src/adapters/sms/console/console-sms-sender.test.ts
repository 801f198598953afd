import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSOLE_SMS_PREFIX, ConsoleSmsSender } from './console-sms-sender.js';

/**
 * The console driver shows the developer the text (the sign-in code is what they came for) on
 * stderr, as a plain line with a fixed prefix and the number masked — never on stdout, which
 * carries the JSON log that gets shipped and kept.
 */
describe('console SMS driver output', () => {
  it('writes one prefixed plain-text line to stderr, number masked, and nothing to stdout', async () => {
    const written = { stdout: [] as string[], stderr: [] as string[] };
    const original = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string) => written.stdout.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => written.stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    let sent: Promise<unknown> | undefined;
    try {
      // The line is written before send() first yields: the streams are restored before the test runner can write.
      sent = new ConsoleSmsSender().send({ to_msisdn: '+79001234567', text: '004217 is your roamcard sign-in code.\nNever tell it to anyone.', language: 'en', reference: 'job_1' });
    } finally {
      process.stdout.write = original.stdout;
      process.stderr.write = original.stderr;
    }
    await sent;
    assert.deepEqual(written.stdout, []);
    assert.deepEqual(written.stderr, [`${CONSOLE_SMS_PREFIX} to +7900***4567 (en, job_1): 004217 is your roamcard sign-in code. ⏎ Never tell it to anyone.\n`]);
    assert.throws(() => JSON.parse(written.stderr[0] ?? ''), 'not a JSON record a log shipper would take for one of the server\'s');
  });

  it('writes nothing when told so, and still keeps the message for tests', async () => {
    const sender = new ConsoleSmsSender({ write: null });
    await sender.send({ to_msisdn: '+79001234568', text: 'hello', language: 'ru', reference: 'job_2' });
    assert.equal(sender.lastMessageTo('+79001234568')?.text, 'hello');
  });
});
