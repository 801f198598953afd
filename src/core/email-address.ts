import { z } from 'zod';

/**
 * E-mail addresses: a payer's is personal data, so it is shown and logged masked
 * ("a***@example.com": the domain tells which provider, the first letter lets the payer recognise
 * it, nothing is left to harvest), and a sender is parsed from "Name <address>" once, at start.
 */

/** RFC 5321's limit on a path; the site's and the API's e-mail fields use the same. */
export const EMAIL_LENGTH_MAX = 254;
/** A sender's display name longer than this is a mistake, not a name. */
export const DISPLAY_NAME_LENGTH_MAX = 100;

const addressSchema = z.email().max(EMAIL_LENGTH_MAX);

export function isEmailAddress(text: string): boolean {
  return addressSchema.safeParse(text).success;
}

/** "alice@example.com" → "a***@example.com"; anything without an "@" is masked whole. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}

/** Every address inside a text (a server's answer often quotes the recipient) masked like maskEmail. */
export function maskEmailsInText(text: string): string {
  return text.replace(/[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*/gu, maskEmail);
}

/** A sender: its address, and the name a mail reader shows (may be empty). */
export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

/**
 * "receipts@example.com" or "roamcard <receipts@example.com>" (the name may be quoted); a problem
 * naming what is wrong otherwise. The name may not hold control characters, "<", ">" or '"' inside
 * it: those would change the header's meaning, not only its look.
 */
export function parseMailbox(text: string): { ok: true; mailbox: Mailbox } | { ok: false; problem: string } {
  const trimmed = text.trim();
  const named = /^(.*?)\s*<([^<>]*)>$/s.exec(trimmed);
  const raw_name = named ? (named[1] ?? '').trim() : '';
  const address = named ? (named[2] ?? '').trim() : trimmed;
  const name = /^".*"$/s.test(raw_name) ? raw_name.slice(1, -1) : raw_name;
  if (!isEmailAddress(address)) return { ok: false, problem: 'must be an e-mail address, e.g. receipts@example.com or "roamcard <receipts@example.com>"' };
  if (name.length > DISPLAY_NAME_LENGTH_MAX) return { ok: false, problem: `the name before <address> must be at most ${DISPLAY_NAME_LENGTH_MAX} characters` };
  if (/[\p{Cc}<>"]/u.test(name)) return { ok: false, problem: 'the name before <address> must be one line without <, > or "' };
  return { ok: true, mailbox: Object.freeze({ name, address }) };
}

/** The part after the "@", lower-cased: what DKIM signs for and a Message-ID is made unique under. */
export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
