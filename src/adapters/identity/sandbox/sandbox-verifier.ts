import type { Clock } from '../../../ports/clock.js';
import type { IdentityVerifier, VerificationRequest, VerificationStatus } from '../../../ports/identity-verifier.js';

/**
 * A test tool, never a way to confirm anyone (like the payments sandbox, it exists only in test
 * mode: the context builds it only when PAYMENTS_SANDBOX is on). It answers after a delay
 * (IDENTITY_SANDBOX_DELAY_MS): a document number ending in 9 is rejected, any other confirmed.
 *
 * It keeps no state: the reference carries when it was submitted and the verdict, so every worker
 * of the installation, and a restarted one, answers the same. The reference holds no document
 * number, only the verdict its last character decided.
 */
export const SANDBOX_VERIFIER_NAME = 'sandbox';
export const SANDBOX_REJECTION_REASON = 'sandbox: document numbers ending in 9 are rejected';

const REFERENCE = /^sandbox:([a-z0-9_]+):(\d+):(confirm|reject)$/;

export interface SandboxVerifierOptions {
  readonly clock: Clock;
  readonly delay_ms: number;
}

export class SandboxIdentityVerifier implements IdentityVerifier {
  readonly name = SANDBOX_VERIFIER_NAME;
  readonly #options: SandboxVerifierOptions;

  constructor(options: SandboxVerifierOptions) {
    this.#options = options;
  }

  async submit(request: VerificationRequest): Promise<{ reference: string }> {
    const verdict = request.document.number.endsWith('9') ? 'reject' : 'confirm';
    return { reference: `sandbox:${request.line_id}:${this.#options.clock.now_ms()}:${verdict}` };
  }

  async check(reference: string): Promise<VerificationStatus> {
    const match = REFERENCE.exec(reference);
    if (!match) throw new Error('not a sandbox verification reference');
    const submitted_at_ms = Number(match[2]);
    if (this.#options.clock.now_ms() < submitted_at_ms + this.#options.delay_ms) return { state: 'pending' };
    return match[3] === 'confirm' ? { state: 'confirmed' } : { state: 'rejected', reason: SANDBOX_REJECTION_REASON };
  }
}
