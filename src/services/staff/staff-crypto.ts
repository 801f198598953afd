import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';
import { sealText, unsealText, type AuthKeys } from '../customers/auth-crypto.js';

/**
 * The cryptography of staff sign-in: argon2id password hashes, TOTP (RFC 6238) codes, the sealing
 * of TOTP secrets at rest, and session tokens.
 */

/**
 * argon2id with OWASP's first recommended setting (Password Storage Cheat Sheet): 19 MiB, two
 * passes, one lane — about 80 ms on one core. @node-rs/argon2 runs it on libuv's thread pool, so
 * the event loop keeps serving while a sign-in hashes.
 */
/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which this build cannot import by name). */
const ARGON2ID = 2 as Algorithm;
export const PASSWORD_HASH_OPTIONS = Object.freeze({ algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
export { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN } from '../../core/i18n/staff-limits.js';
/** A one-time password from `roamcard staff add`: 16 characters of an alphabet without look-alikes (~90 bits). */
const ONE_TIME_PASSWORD_LENGTH = 16;
const ONE_TIME_PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** One step either side: a phone clock 30 s off still signs in (RFC 6238 §5.2). */
export const TOTP_WINDOW_STEPS = 1;
/** 160 bits, as RFC 4226 recommends for HMAC-SHA1. */
const TOTP_SECRET_BYTES = 20;
export const TOTP_ISSUER = 'roamcard';

const STAFF_TOKEN_BYTES = 32;
/** Staff tokens look unlike customer ones (rcs_), so one is never mistaken for the other in a log or a bug report. */
const STAFF_TOKEN_PREFIX = 'rcst_';
export const STAFF_TOKEN_PATTERN = /^rcst_[A-Za-z0-9_-]{43}$/;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

/** False for a wrong password and for a malformed hash alike (never throws on the caller's input). */
export async function passwordMatches(password_hash: string, password: string): Promise<boolean> {
  try {
    return await verify(password_hash, password);
  } catch {
    return false;
  }
}

let decoy_hash: Promise<string> | undefined;
/**
 * A hash of a password nobody knows, verified when there is no account to check (an unknown
 * login, a locked one): so every failed sign-in costs one argon2 verification, and an unknown
 * login answers as slowly as a wrong password.
 */
export function decoyPasswordHash(): Promise<string> {
  decoy_hash ??= hashPassword(randomBytes(32).toString('base64url'));
  return decoy_hash;
}

export function newOneTimePassword(): string {
  let password = '';
  for (let index = 0; index < ONE_TIME_PASSWORD_LENGTH; index += 1) {
    password += ONE_TIME_PASSWORD_ALPHABET[randomInt(ONE_TIME_PASSWORD_ALPHABET.length)];
  }
  return password;
}

export function newTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

function totpFor(secret_base32: string, login: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER, label: login, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secret_base32),
  });
}

/** The otpauth:// URI an authenticator app enrols from (as text or QR code). */
export function totpEnrolmentUri(secret_base32: string, login: string): string {
  return totpFor(secret_base32, login).toString();
}

/** The code for a time (tests and the CLI's own checks; the demo agent's code by hand is `oathtool --totp -b`). */
export function totpCode(secret_base32: string, at_ms: number): string {
  return totpFor(secret_base32, 'code').generate({ timestamp: at_ms });
}

/** The 30-second step a valid code belongs to, within one step of now; undefined for a wrong code. */
export function totpStepOf(secret_base32: string, code: string, now_ms: number): number | undefined {
  const delta = totpFor(secret_base32, 'code').validate({ token: code, timestamp: now_ms, window: TOTP_WINDOW_STEPS });
  if (delta === null) return undefined;
  return Math.floor(now_ms / (TOTP_PERIOD_S * 1_000)) + delta;
}

/**
 * The key TOTP secrets are sealed under: derived from AUTH_SECRET with its own label (so it
 * serves nothing else), and its id — a fingerprint stored beside each sealed secret, so a secret
 * sealed under another AUTH_SECRET is recognised as such rather than taken for a wrong code.
 */
export interface TotpSealingKey {
  readonly keys: AuthKeys;
  readonly key_id: string;
}

export function deriveTotpSealingKey(auth_secret: string): TotpSealingKey {
  const key = createHmac('sha256', auth_secret).update('roamcard:staff-totp:v1').digest();
  const key_id = createHash('sha256').update(key).digest('hex').slice(0, 16);
  // sealText takes its key from AuthKeys.outbox_key; code_key is unused here.
  return Object.freeze({ keys: Object.freeze({ code_key: Buffer.alloc(0), outbox_key: key }), key_id });
}

export function sealTotpSecret(key: TotpSealingKey, secret_base32: string): string {
  return sealText(key.keys, secret_base32);
}

export function unsealTotpSecret(key: TotpSealingKey, sealed: string): string | undefined {
  return unsealText(key.keys, sealed);
}

export function newStaffToken(): string {
  return STAFF_TOKEN_PREFIX + randomBytes(STAFF_TOKEN_BYTES).toString('base64url');
}

export function staffTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
