import type { VerificationState } from '../../db/schema.js';
import type { UnverifiedIdentity } from '../lines/service-state.js';

/**
 * What a line's verification state means for its service at `at_ms`: nothing when the line was not
 * connected at the desk or its owner is confirmed; otherwise off, and why. A pending verification
 * whose deadline has passed reads as expired at once, before the deadline job gets to it.
 */
export function unverifiedIdentity(
  state: VerificationState | null | undefined,
  deadline_at_ms: number | null | undefined,
  at_ms: number,
): UnverifiedIdentity | null {
  if (state === null || state === undefined || state === 'confirmed' || deadline_at_ms === null || deadline_at_ms === undefined) return null;
  const deadline = Number(deadline_at_ms);
  if (state === 'pending' && at_ms >= deadline) return { state: 'expired', deadline_at_ms: deadline };
  return { state, deadline_at_ms: deadline };
}
