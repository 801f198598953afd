/**
 * eSIM activation code (GSMA SGP.22):
 *   1$<SM-DP+ FQDN>$<Matching ID>[$<SM-DP+ OID>[$<Confirmation Code Required Flag = 1>]]
 * In a QR code it carries the "LPA:" prefix. We store it with the prefix, as the QR shows it.
 */

export type EsimCodeResult =
  | { ok: true; activationCode: string; smdpAddress: string; matchingId: string }
  | { ok: false; problem: 'format' };

const FQDN = /^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const MATCHING_ID = /^[A-Za-z0-9-]{1,255}$/;
const OID = /^\d+(\.\d+)+$/;

export function parseEsimActivationCode(input: string): EsimCodeResult {
  const trimmed = input.trim();
  const body = trimmed.startsWith('LPA:') ? trimmed.slice(4) : trimmed;
  const fields = body.split('$');
  if (fields.length < 3 || fields.length > 5 || fields[0] !== '1') return { ok: false, problem: 'format' };
  const [, smdpAddress = '', matchingId = '', oid, confirmationFlag] = fields;
  if (!FQDN.test(smdpAddress) || !MATCHING_ID.test(matchingId)) return { ok: false, problem: 'format' };
  if (oid !== undefined && oid !== '' && !OID.test(oid)) return { ok: false, problem: 'format' };
  if (confirmationFlag !== undefined && confirmationFlag !== '1') return { ok: false, problem: 'format' };
  return { ok: true, activationCode: `LPA:${body}`, smdpAddress, matchingId };
}
