import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../config.js';
import type { MailMessage } from '../../../ports/mailer.js';
import { drawText, FONT_SIZE_PT, renderPdf } from '../../../services/receipts/pdf.js';
import { mimeAttachments, mimeText, splitMimePart } from '../../../testing/mime.js';
import { freePort } from '../../../testing/net.js';
import { startSmtpSink, type SmtpSink } from '../../../testing/smtp-sink.js';
import { SmtpMailer } from './smtp-mailer.js';

/**
 * The SMTP driver against a real SMTP server (smtp-server) on loopback: what arrives (the PDF as an
 * attachment, our Message-ID, the login from SMTP_URL), and how each failure is classified.
 */

const CREDENTIALS = { username: 'receipts@roamcard.example', password: 'p@ss:w0rd/42' };
const REFUSED = 'nobody@example.org';
const LATER = 'greylisted@example.org';

function mailerFor(url: string, extra: Record<string, string> = {}): SmtpMailer {
  const config = loadConfig({ SMTP_URL: url, MAIL_FROM: 'roamcard <receipts@roamcard.example>', SMTP_CONNECT_TIMEOUT_MS: '5000', ...extra });
  assert.ok(config.mail.smtp);
  return new SmtpMailer(config.mail.smtp);
}

function message(pdf: Buffer, to = 'li.wei@example.com'): MailMessage {
  return {
    to, from: { name: 'roamcard', address: 'receipts@roamcard.example' },
    subject: 'Your roamcard receipt RC-2026-000001', text: 'Your receipt is attached.\nCheck it: http://localhost:3000/receipts/RC-2026-000001?t=x',
    html: '<p>Your receipt is attached.</p>',
    attachments: [{ filename: 'RC-2026-000001.pdf', content: pdf, content_type: 'application/pdf' }],
    message_id: '<RC-2026-000001.ord_1@roamcard.example>',
  };
}

describe('SMTP mail driver against a local SMTP server', () => {
  let sink: SmtpSink;
  let pdf: Buffer;

  before(async () => {
    sink = await startSmtpSink({ credentials: CREDENTIALS, refuse: (to) => (to === REFUSED ? 550 : to === LATER ? 450 : undefined) });
    pdf = await renderPdf('en', 'Receipt', (document) => drawText(document, 'Payment receipt RC-2026-000001', 50, 50, { size: FONT_SIZE_PT.body }));
  });
  after(async () => sink.close());

  it('delivers the message with its PDF attachment and our Message-ID, logged in with the credentials from SMTP_URL', async () => {
    const mailer = mailerFor(sink.url);
    const result = await mailer.send(message(pdf));
    await mailer.close();
    assert.ok(result.sent, JSON.stringify(result));
    assert.equal(result.message_id, '<RC-2026-000001.ord_1@roamcard.example>');
    assert.deepEqual(result.accepted, ['li.wei@example.com']);
    assert.match(result.response, /^250 .*queued as sink-1/);
    assert.equal(sink.received.length, 1);
    const [mail] = sink.received;
    assert.equal(mail?.user, CREDENTIALS.username);
    assert.equal(mail?.from, 'receipts@roamcard.example');
    assert.deepEqual(mail?.to, ['li.wei@example.com']);
    const { headers } = splitMimePart(mail?.raw ?? '');
    assert.equal(headers.get('message-id'), '<RC-2026-000001.ord_1@roamcard.example>');
    assert.equal(headers.get('auto-submitted'), 'auto-generated');
    assert.equal(headers.get('subject'), 'Your roamcard receipt RC-2026-000001');
    const [attachment, ...others] = mimeAttachments(mail?.raw ?? '');
    assert.deepEqual(others, []);
    assert.equal(attachment?.filename, 'RC-2026-000001.pdf');
    assert.equal(attachment?.content_type, 'application/pdf');
    assert.equal(attachment?.content.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(attachment?.content.equals(pdf), 'the attachment arrives byte for byte');
    assert.match(mimeText(mail?.raw ?? '') ?? '', /Check it: http:\/\/localhost:3000\/receipts\/RC-2026-000001\?t=x/);
  });

  it('signs with DKIM when configured', async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const mailer = mailerFor(sink.url, { MAIL_DKIM_DOMAIN: 'roamcard.example', MAIL_DKIM_SELECTOR: 'rc2026', MAIL_DKIM_PRIVATE_KEY: key });
    const result = await mailer.send(message(pdf));
    assert.ok(result.sent);
    const signature = splitMimePart(sink.received.at(-1)?.raw ?? '').headers.get('dkim-signature') ?? '';
    assert.match(signature, /a=rsa-sha256/);
    assert.match(signature, /d=roamcard\.example/);
    assert.match(signature, /s=rc2026/);
  });

  it('a recipient refused with 5xx is final; with 4xx, retryable; the address never appears in full', async () => {
    const mailer = mailerFor(sink.url);
    const before_count = sink.received.length;
    const refused = await mailer.send(message(pdf, REFUSED));
    assert.equal(refused.sent, false);
    assert.ok(!refused.sent && !refused.retryable, JSON.stringify(refused));
    assert.match(refused.reason, /RCPT TO.*550/);
    assert.ok(refused.reason.includes('n***@example.org') && !refused.reason.includes(REFUSED), refused.reason);
    const later = await mailer.send(message(pdf, LATER));
    assert.ok(!later.sent && later.retryable, JSON.stringify(later));
    assert.match(later.reason, /450/);
    assert.equal(sink.received.length, before_count, 'nothing delivered');
  });

  it('a wrong password is retryable (our settings, fixed without changing the message)', async () => {
    const mailer = mailerFor(sink.url.replace(encodeURIComponent(CREDENTIALS.password), 'wrong'));
    const refused_before = sink.logins_refused;
    const result = await mailer.send(message(pdf));
    assert.ok(!result.sent && result.retryable, JSON.stringify(result));
    assert.match(result.reason, /EAUTH.*535/);
    assert.equal(sink.logins_refused, refused_before + 1);
  });

  it('a server that refuses the connection is retryable', async () => {
    const port = await freePort();
    const result = await mailerFor(`smtp://127.0.0.1:${port}`).send(message(pdf));
    assert.ok(!result.sent && result.retryable, JSON.stringify(result));
    assert.match(result.reason, /ECONNECTION|ECONNREFUSED|ESOCKET/);
  });
});
