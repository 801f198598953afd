import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * The few cryptographic operations of customer sign-in, each with its own key derived from the one
 * server secret (AUTH_SECRET), so a key used for one purpose never serves another.
 */

export const CODE_DIGITS = 6;
/** 256 random bits: a session token is beyond guessing, so a fast hash of it is enough to store. */
const SESSION_TOKEN_BYTES = 32;
const SESSION_TOKEN_PREFIX = 'rcs_';
/** What a well-formed token looks like; anything else is refused before it reaches the database. */
export const SESSION_TOKEN_PATTERN = /^rcs_[A-Za-z0-9_-]{43}$/;
const SEAL_VERSION = 'v1';
const GCM_IV_BYTES = 12;

export interface AuthKeys {
  /** HMAC key for one-time codes. */
  readonly code_key: Buffer;
  /** AES-256-GCM key for SMS texts waiting in the outbox (they may hold a code). */
  readonly outbox_key: Buffer;
}

export function deriveAuthKeys(auth_secret: string): AuthKeys {
  const derive = (label: string) => createHmac('sha256', auth_secret).update(`roamcard:${label}`).digest();
  return Object.freeze({ code_key: derive('one-time-code:v1'), outbox_key: derive('sms-outbox:v1') });
}

/** Six uniformly random digits ("004217" included). */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

/** Keyed by the server secret and bound to the code's row, so equal codes never share a hash. */
export function codeHmac(keys: AuthKeys, code_id: string, code: string): string {
  return createHmac('sha256', keys.code_key).update(`${code_id}:${code}`).digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function newSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
}

export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Identifiers in the house style ("cus_0193…"): a prefix and a time-ordered UUIDv7. */
export function newCustomerId(kind: 'customer' | 'session' | 'code'): string {
  const prefix = { customer: 'cus', session: 'ses', code: 'otc' }[kind];
  return `${prefix}_${uuidv7().replaceAll('-', '')}`;
}

/** Encrypts a text for the outbox table: "v1.<iv>.<tag>.<ciphertext>", base64url parts. */
export function sealText(keys: AuthKeys, text: string): string {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.outbox_key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

/** The text, or undefined when it was sealed under another secret (AUTH_SECRET changed, or another process's random one). */
export function unsealText(keys: AuthKeys, sealed: string): string | undefined {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== SEAL_VERSION || !iv || !tag || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.outbox_key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
