import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSOLE_MAIL_PREFIX, ConsoleMailer } from './console-mailer.js';

const MESSAGE = {
  to: 'Li.Wei@example.com', from: { name: 'roamcard', address: 'receipts@roamcard.invalid' }, subject: 'Your receipt RC-2026-000001',
  text: 'Your receipt is attached.\nhttp://localhost:3000/receipts/RC-2026-000001?t=abc',
  attachments: [{ filename: 'RC-2026-000001.pdf', content: Buffer.alloc(2_000), content_type: 'application/pdf' }],
  message_id: '<RC-2026-000001.ord_1@roamcard.invalid>',
};

describe('console mail driver', () => {
  it('writes one prefixed plain-text line to stderr, address masked, nothing to stdout', async () => {
    const written = { stdout: [] as string[], stderr: [] as string[] };
    const original = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string) => written.stdout.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => written.stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    let sent: Promise<unknown> | undefined;
    try {
      // The line is written before send() first yields: the streams are restored before the test runner can write.
      sent = new ConsoleMailer().send(MESSAGE);
    } finally {
      process.stdout.write = original.stdout;
      process.stderr.write = original.stderr;
    }
    assert.deepEqual(await sent, { sent: true, message_id: MESSAGE.message_id, accepted: [MESSAGE.to], response: '250 console: not sent' });
    assert.deepEqual(written.stdout, []);
    assert.deepEqual(written.stderr, [
      `${CONSOLE_MAIL_PREFIX} to L***@example.com <RC-2026-000001.ord_1@roamcard.invalid> "Your receipt RC-2026-000001" + RC-2026-000001.pdf (2 kB): `
      + 'Your receipt is attached. ⏎ http://localhost:3000/receipts/RC-2026-000001?t=abc\n',
    ]);
    assert.ok(!written.stderr[0]?.includes('Li.Wei'));
  });

  it('keeps what it was given for tests, by address in any case, bounded', async () => {
    const mailer = new ConsoleMailer({ write: null, messages_per_address_max: 2 });
    for (const subject of ['one', 'two', 'three']) await mailer.send({ ...MESSAGE, subject });
    assert.deepEqual(mailer.messagesTo('li.wei@example.com').map((message) => message.subject), ['two', 'three']);
    assert.deepEqual(mailer.messagesTo('other@example.com'), []);
  });
});
