import { randomBytes } from 'node:crypto';
import type { Executor } from '../../db/transaction.js';

/**
 * Short links to an order's payment page (`/p/<token>` → `/orders/<id>`), for SMS where every
 * character counts. A token is 12 characters from 32 that cannot be misread (no 0/o, no 1/l):
 * 60 random bits, so guessing one among even a million live links takes ~10^12 tries. One link
 * per order, living as long as the order may be paid.
 */

export const SHORT_LINK_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz';
export const SHORT_LINK_TOKEN_LENGTH = 12;
const TOKEN_PATTERN = new RegExp(`^[${SHORT_LINK_ALPHABET}]{${SHORT_LINK_TOKEN_LENGTH}}$`);

/** 32 symbols: each random byte's low 5 bits pick one without bias (256 is a multiple of 32). */
export function newShortLinkToken(): string {
  return [...randomBytes(SHORT_LINK_TOKEN_LENGTH)].map((byte) => SHORT_LINK_ALPHABET[byte % SHORT_LINK_ALPHABET.length]).join('');
}

export function isShortLinkToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The order's link, if one was made. */
export async function findShortLinkOfOrder(trx: Executor, order_id: string): Promise<string | undefined> {
  const row = await trx.selectFrom('short_links').select('token').where('order_id', '=', order_id).executeTakeFirst();
  return row?.token;
}

/** A new link for the order; a second one for the same order fails on its unique order_id (the caller re-reads). */
export async function insertShortLink(
  trx: Executor,
  input: { readonly order_id: string; readonly line_id: string; readonly expires_at_ms: number },
  now_ms: number,
): Promise<string> {
  const token = newShortLinkToken();
  await trx.insertInto('short_links').values({ token, ...input, created_at_ms: now_ms }).execute();
  return token;
}

/** The order a live link leads to; undefined for a malformed, unknown or expired token. */
export async function resolveShortLink(trx: Executor, token: string, now_ms: number): Promise<string | undefined> {
  if (!isShortLinkToken(token)) return undefined;
  const row = await trx.selectFrom('short_links').select(['order_id', 'expires_at_ms']).where('token', '=', token).executeTakeFirst();
  return row !== undefined && row.expires_at_ms > now_ms ? row.order_id : undefined;
}
