import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryReceiptText, isDeliveryReceipt, parseDeliveryReceipt } from './delivery-receipt.js';
import { addressOf, msisdnOf, sourceAddressProblem } from './smpp-address.js';
import { classifySubmitStatus } from './submit-status.js';

describe('SMPP delivery receipts, addresses and submit statuses', () => {
  it('reads the receipt text of SMPP 3.4 appendix B', () => {
    const text = 'id:0a1b2c3d sub:001 dlvrd:001 submit date:2612070435 done date:2612070436 stat:DELIVRD err:000 text:004217 is your';
    assert.deepEqual(parseDeliveryReceipt({ text }), { message_id: '0a1b2c3d', status: 'delivered', error: null });
    assert.deepEqual(parseDeliveryReceipt({ text: 'id:77 sub:001 dlvrd:000 stat:UNDELIV err:034' }), { message_id: '77', status: 'undeliverable', error: 'err:034' });
    assert.equal(parseDeliveryReceipt({ text: 'id:77 stat:EXPIRED err:0' })?.status, 'expired');
    assert.equal(parseDeliveryReceipt({ text: 'id:77 stat:REJECTD' })?.status, 'rejected');
    assert.equal(parseDeliveryReceipt({ text: 'id:77 stat:ENROUTE' })?.status, null, 'intermediate: nothing to record');
    assert.equal(parseDeliveryReceipt({ text: 'no id here stat:DELIVRD' }), null);
  });

  it('prefers the receipted_message_id and message_state TLVs when the SMSC sends them', () => {
    const receipt = parseDeliveryReceipt({ text: 'id:wrong stat:DELIVRD', receipted_message_id: 'right', message_state: 3 });
    assert.deepEqual(receipt, { message_id: 'right', status: 'expired', error: null });
  });

  it('tells a receipt by the message type bits of esm_class, whatever the other bits', () => {
    assert.equal(isDeliveryReceipt(0x04), true);
    assert.equal(isDeliveryReceipt(0x44), true);
    assert.equal(isDeliveryReceipt(0x00), false);
    assert.equal(isDeliveryReceipt(0x40), false);
    assert.equal(isDeliveryReceipt(undefined), false);
    assert.match(deliveryReceiptText('00000001', 'DELIVRD', new Date(Date.UTC(2026, 11, 7, 4, 35))), /^id:00000001 sub:001 dlvrd:001 submit date:2612070435 .* stat:DELIVRD err:000 text:$/);
  });

  it('sends numbers as international, names as alphanumeric, and reads callers back as E.164', () => {
    assert.deepEqual(addressOf('+79001234567'), { ton: 1, npi: 1, address: '79001234567' });
    assert.deepEqual(addressOf('roamcard'), { ton: 5, npi: 0, address: 'roamcard' });
    assert.deepEqual(addressOf('0900'), { ton: 0, npi: 1, address: '0900' });
    assert.equal(msisdnOf('79001234567', 1), '+79001234567');
    assert.equal(msisdnOf('89001234567', 2), '89001234567');
    assert.equal(sourceAddressProblem('roamcard'), null);
    assert.equal(sourceAddressProblem('+79001234567'), null);
    assert.match(sourceAddressProblem('a very long sender') ?? '', /at most 11/);
  });

  it('classifies submit_sm_resp statuses: throttled and system errors retry, a bad destination is final', () => {
    assert.deepEqual([0x58, 0x08, 0x14].map((status) => classifySubmitStatus(status).retryable), [true, true, true]);
    assert.equal(classifySubmitStatus(0x0b).retryable, false);
    assert.equal(classifySubmitStatus(0x0b).name, 'ESME_RINVDSTADR');
    assert.deepEqual(classifySubmitStatus(0x4242), { name: '0x00004242', retryable: false, reason: 'refused by the SMSC' });
  });
});
