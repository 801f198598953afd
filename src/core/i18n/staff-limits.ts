/**
 * The staff sign-in limits that people read in messages. Kept here, in core, so the message files
 * need not import a service; services/staff re-exports them and is the only place that applies them.
 */

/** New staff passwords: at least this long (NIST SP 800-63B asks 8; staff move money, so more). */
export const PASSWORD_LENGTH_MIN = 12;
/** Bounds the work one request can ask of argon2 (and the body). */
export const PASSWORD_LENGTH_MAX = 256;

/** Consecutive failed sign-ins that lock a staff account, and for how long. */
export const STAFF_FAILED_SIGN_INS_MAX = 5;
export const STAFF_LOCKOUT_MINUTES = 15;

export const STAFF_LOCK_TEXT = Object.freeze({ failures: STAFF_FAILED_SIGN_INS_MAX, minutes: STAFF_LOCKOUT_MINUTES });
