import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sendFailure } from './send-failure.js';

/** The cases the local SMTP server cannot easily stage, classified from nodemailer's error fields. */
describe('SMTP send failures: final or retryable', () => {
  it('final only when this message can never be taken', () => {
    const error = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'failed')), fields);
    const cases: Array<[Record<string, unknown>, boolean]> = [
      [{ code: 'EMESSAGE', command: 'DATA', responseCode: 552, message: 'Message failed: 552 message too large' }, false],
      [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 551 }, false],
      [{ code: 'EMESSAGE', command: 'MAIL FROM', message: 'Message size larger than allowed 1000' }, false],
      [{ code: 'EENVELOPE', command: 'API', message: 'Invalid recipient' }, false],
      [{ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 550, message: 'sender refused' }, true],
      [{ code: 'EMESSAGE', command: 'DATA', responseCode: 451 }, true],
      [{ code: 'ECONNECTION', command: 'CONN', responseCode: 421 }, true],
      [{ code: 'ETIMEDOUT', command: 'CONN' }, true],
      [{ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, true],
      [{ code: 'ETLS', command: 'CONN' }, true],
    ];
    for (const [fields, retryable] of cases) assert.equal(sendFailure(error(fields)).retryable, retryable, JSON.stringify(fields));
    assert.equal(sendFailure('boom').reason, 'ERROR: boom');
    assert.equal(sendFailure(error({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, message: '550 <li@example.cn> unknown' })).reason,
      'EENVELOPE at RCPT TO: 550 <l***@example.cn> unknown');
  });
});
