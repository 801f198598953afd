import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../ports/clock.js';
import type { VerificationRequest } from '../../../ports/identity-verifier.js';
import { SANDBOX_REJECTION_REASON, SandboxIdentityVerifier } from './sandbox-verifier.js';

const request = (number: string): VerificationRequest => ({
  line_id: 'ln_0193abc', msisdn: '+79001234567', imei: '490154203237518',
  document: { type: 'passport', issuing_country: 'CN', number, surname: 'WANG', given_names: 'XIAO MING', birth_date: '1990-05-17' },
});

describe('sandbox identity verifier (test mode only)', () => {
  it('answers pending until its delay has passed, then confirmed — or rejected for a number ending in 9', async () => {
    const clock = new ManualClock(1_000_000);
    const verifier = new SandboxIdentityVerifier({ clock, delay_ms: 60_000 });
    const confirmed = await verifier.submit(request('E12345670'));
    const rejected = await verifier.submit(request('E12345679'));
    assert.deepEqual(await verifier.check(confirmed.reference), { state: 'pending' });
    clock.advance(59_999);
    assert.deepEqual(await verifier.check(rejected.reference), { state: 'pending' });
    clock.advance(1);
    assert.deepEqual(await verifier.check(confirmed.reference), { state: 'confirmed' });
    assert.deepEqual(await verifier.check(rejected.reference), { state: 'rejected', reason: SANDBOX_REJECTION_REASON });
  });

  it('keeps no document number in its reference, and answers the same to any worker (no state of its own)', async () => {
    const clock = new ManualClock(5_000);
    const { reference } = await new SandboxIdentityVerifier({ clock, delay_ms: 0 }).submit(request('E12345670'));
    assert.ok(!reference.includes('E12345670') && !reference.includes('5670'));
    assert.deepEqual(await new SandboxIdentityVerifier({ clock, delay_ms: 0 }).check(reference), { state: 'confirmed' });
    await assert.rejects(new SandboxIdentityVerifier({ clock, delay_ms: 0 }).check('gosuslugi:123'), /not a sandbox verification reference/);
  });
});
