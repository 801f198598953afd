/**
 * The IdentityVerifier port: confirms a foreign visitor's identity before their line gets service
 * (303-FZ: through the state services portal, Gosuslugi, and the unified biometric system). The
 * desk connects the line and the outbox asks the verifier: `submit` once (idempotent on our
 * `line_id`: asking again returns the same reference), then `check` until the state is final.
 *
 *   pending → confirmed   the identity is confirmed: the line gets service
 *           → rejected    the state systems refused it (a reason in the verifier's words)
 *           → expired     the verifier gave up waiting (the visitor never completed biometrics)
 *
 * A call that fails throws: the outbox retries it with backoff. The sandbox adapter
 * (adapters/identity/sandbox/) is the only one built; the real integration is an adapter point
 * (adapters/identity/README.md).
 */

export const VERIFICATION_STATES = ['pending', 'confirmed', 'rejected', 'expired'] as const;
export type VerificationStatus =
  | { readonly state: 'pending' }
  | { readonly state: 'confirmed' }
  | { readonly state: 'rejected'; readonly reason: string }
  | { readonly state: 'expired' };

/** What the verifier is told. The document number leaves roamcard only here, to the verifier. */
export interface VerificationRequest {
  /** Our id of the subscription: the idempotency key of `submit`. */
  readonly line_id: string;
  readonly msisdn: string;
  readonly imei: string;
  readonly document: {
    readonly type: string;
    /** ISO 3166-1 alpha-2. */
    readonly issuing_country: string;
    readonly number: string;
    readonly surname: string;
    readonly given_names: string;
    readonly birth_date: string;
  };
}

export interface IdentityVerifier {
  /** Stored with each subscription, so a later change of verifier leaves old ones to the one that took them. */
  readonly name: string;
  /** Starts a verification; returns the verifier's reference for it. */
  submit(request: VerificationRequest): Promise<{ readonly reference: string }>;
  check(reference: string): Promise<VerificationStatus>;
}
