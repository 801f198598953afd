import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailDomain, isEmailAddress, maskEmail, maskEmailsInText, parseMailbox } from './email-address.js';

describe('e-mail addresses', () => {
  it('masks an address to its first letter and its domain', () => {
    assert.equal(maskEmail('alice@example.com'), 'a***@example.com');
    assert.equal(maskEmail('a@example.com'), 'a***@example.com');
    assert.equal(maskEmail('not an address'), '***');
    assert.equal(maskEmail('@example.com'), '***');
  });

  it('masks every address inside a server\'s answer and leaves the rest', () => {
    assert.equal(
      maskEmailsInText('550 5.1.1 <li.wei+trip@mail.example.cn>: Recipient address rejected; also bob@x.org'),
      '550 5.1.1 <l***@mail.example.cn>: Recipient address rejected; also b***@x.org',
    );
    assert.equal(maskEmailsInText('421 4.7.0 Try again later'), '421 4.7.0 Try again later');
  });

  it('reads a sender with or without a display name, and refuses what would change the header', () => {
    assert.deepEqual(parseMailbox('receipts@example.com'), { ok: true, mailbox: { name: '', address: 'receipts@example.com' } });
    assert.deepEqual(parseMailbox('roamcard <receipts@example.com>'), { ok: true, mailbox: { name: 'roamcard', address: 'receipts@example.com' } });
    assert.deepEqual(parseMailbox('"Роумкард, чеки" <receipts@example.com>'), { ok: true, mailbox: { name: 'Роумкард, чеки', address: 'receipts@example.com' } });
    for (const bad of ['receipts', 'roamcard <receipts>', 'a <b@example.com> <c@example.com>', 'x\r\nBcc: y <receipts@example.com>', '']) {
      assert.equal(parseMailbox(bad).ok, false, bad);
    }
  });

  it('checks addresses as the renewal form does, and gives the domain in lower case', () => {
    assert.equal(isEmailAddress('payer@example.com'), true);
    assert.equal(isEmailAddress('payer@'), false);
    assert.equal(isEmailAddress(`${'a'.repeat(250)}@example.com`), false);
    assert.equal(emailDomain('Receipts@Example.COM'), 'example.com');
  });
});
