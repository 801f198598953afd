import { createHash, randomBytes } from 'node:crypto';
import { AddressList } from '../../core/address-list.js';
import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isTimeZone } from '../../core/time-zone.js';
import type { PartnersTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { sameHex, sealText, unsealText, type AuthKeys } from '../customers/auth-crypto.js';
import { ensureLedgerAccount, partnerSettlementAccountId } from '../ledger/accounts.js';
import { isValidInn } from '../receipts/bank-details.js';

/**
 * Payment agents and their credentials: who a partner is, the rules of what its sums buy, the
 * addresses it calls from, and the secrets it proves itself with. A credential is never changed in
 * place: rotation adds a new one and revokes the old, so the audit trail of who could call when
 * stays in the table.
 */

export type Partner = PartnersTable;

/** A partner's name in URLs (`/osmp/demo-store`) and on the command line. */
export const PARTNER_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;
/** Sums a partner may take at most, whatever its own setting says: a pack costs far less, and a typo of 100 000 ₽ should not pass. */
export const PARTNER_SUM_MAX_MINOR = 1_500_000;
/** Generated secrets: 32 random bytes, base64url (43 characters). */
const SECRET_BYTES = 32;
const NAME_LENGTH_MAX = 200;
/** The basic password a till sends: an operator-chosen one may be shorter, never this short. */
export const BASIC_SECRET_LENGTH_MIN = 8;

export interface NewPartner {
  readonly code: string;
  readonly name: string;
  readonly chain?: string | null | undefined;
  readonly agent_name: string;
  readonly agent_inn: string;
  readonly time_zone?: string | undefined;
  readonly sells_packs?: boolean | undefined;
  readonly sum_min_minor?: number | undefined;
  readonly sum_max_minor?: number | undefined;
  /** Comma-separated IP addresses and CIDR ranges the partner calls from. */
  readonly allowed_addresses: string;
  readonly registry_accounts?: 'masked' | 'full' | undefined;
}

/** Secrets exist in clear only in the answer that creates them: shown once, then only their hash (basic) or sealed form (HMAC) is kept. */
export interface PartnerSecrets {
  readonly basic_password: string;
  readonly hmac_key: string;
}

function invalid(field: string, reason: string, value?: string): RoamError {
  return new RoamError('ROAM_ERR_VALIDATION', { field, reason, ...(value === undefined ? {} : { value }) });
}

/** Checks a new partner's fields; every refusal names the field. Returns the row's values. */
export function checkNewPartner(input: NewPartner): Omit<PartnersTable, 'id' | 'settlement_account_id' | 'created_at_ms' | 'updated_at_ms'> {
  if (!PARTNER_CODE_PATTERN.test(input.code)) throw invalid('code', 'format', input.code);
  for (const field of ['name', 'agent_name'] as const) {
    if (input[field].trim().length === 0) throw invalid(field, 'empty');
    if (input[field].length > NAME_LENGTH_MAX) throw invalid(field, 'too_large');
  }
  if (!isValidInn(input.agent_inn)) throw new RoamError('ROAM_ERR_INN_INVALID', { field: 'agent_inn', value: input.agent_inn });
  const time_zone = input.time_zone ?? 'Europe/Moscow';
  if (!isTimeZone(time_zone)) throw invalid('time_zone', 'unknown_time_zone', time_zone);
  const sum_min_minor = input.sum_min_minor ?? 100;
  const sum_max_minor = input.sum_max_minor ?? PARTNER_SUM_MAX_MINOR;
  if (!Number.isSafeInteger(sum_min_minor) || sum_min_minor < 1) throw invalid('sum_min_minor', 'not_positive');
  if (!Number.isSafeInteger(sum_max_minor) || sum_max_minor < sum_min_minor || sum_max_minor > PARTNER_SUM_MAX_MINOR) {
    throw invalid('sum_max_minor', 'sum_range');
  }
  const addresses = AddressList.parse(input.allowed_addresses);
  if (!addresses.ok) throw invalid('allowed_addresses', 'address_list', addresses.problems.join('; '));
  return {
    code: input.code, name: input.name.trim(), chain: input.chain?.trim() || null,
    agent_name: input.agent_name.trim(), agent_inn: input.agent_inn,
    time_zone, sells_packs: input.sells_packs === false ? 0 : 1, sum_min_minor, sum_max_minor,
    allowed_addresses: addresses.list.ranges.map((range) => `${range.address}/${range.prefix_length}`).join(','),
    registry_accounts: input.registry_accounts ?? 'masked', enabled: 1,
  };
}

export function newPartnerSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * A basic password's stored form. SHA-256, not a slow password hash: the secrets are generated
 * (256 random bits) and typed by no one, so no dictionary reaches them, and a till checks them on
 * every pay — argon2's 50 ms per request would cap a chain's payments at a few dozen a second.
 */
export function basicSecretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Inserts the partner, its settlement account and a basic and an HMAC credential; the secrets are returned once. */
export async function insertPartner(
  trx: Executor,
  keys: AuthKeys,
  input: NewPartner,
  now_ms: number,
  secrets: Partial<PartnerSecrets> = {},
): Promise<{ partner: Partner; secrets: PartnerSecrets }> {
  const values = checkNewPartner(input);
  const existing = await trx.selectFrom('partners').select('id').where('code', '=', values.code).executeTakeFirst();
  if (existing) throw new RoamError('ROAM_ERR_PARTNER_EXISTS', { code: values.code });
  const settlement_account_id = partnerSettlementAccountId(values.code);
  await ensureLedgerAccount(trx, { id: settlement_account_id, kind: 'partner_settlement', name: `Settlement with agent ${values.name}` }, now_ms);
  const partner: Partner = { id: newId('partner'), ...values, settlement_account_id, created_at_ms: now_ms, updated_at_ms: now_ms };
  await trx.insertInto('partners').values(partner).execute();
  const issued: PartnerSecrets = {
    basic_password: secrets.basic_password ?? newPartnerSecret(), hmac_key: secrets.hmac_key ?? newPartnerSecret(),
  };
  if (issued.basic_password.length < BASIC_SECRET_LENGTH_MIN) throw invalid('basic_password', 'too_short');
  await insertCredential(trx, keys, partner.id, 'basic', issued.basic_password, now_ms);
  await insertCredential(trx, keys, partner.id, 'hmac', issued.hmac_key, now_ms);
  return { partner, secrets: issued };
}

async function insertCredential(
  trx: Executor, keys: AuthKeys, partner_id: string, kind: 'basic' | 'hmac', secret: string, now_ms: number,
): Promise<void> {
  await trx.insertInto('partner_credentials').values({
    id: newId('partner_credential'), partner_id, kind, created_at_ms: now_ms, revoked_at_ms: null,
    secret_hash: kind === 'basic' ? basicSecretHash(secret) : null,
    secret_sealed: kind === 'hmac' ? sealText(keys, secret) : null,
  }).execute();
}

/**
 * A new secret of one kind for the partner. The previous ones stay valid for `grace_ms` (0: revoked
 * now), time for the chain to roll the new one out to its tills; the new secret is returned once.
 */
export async function rotateCredential(
  trx: Executor,
  keys: AuthKeys,
  partner_id: string,
  kind: 'basic' | 'hmac',
  options: { now_ms: number; grace_ms: number; secret?: string | undefined },
): Promise<string> {
  const secret = options.secret ?? newPartnerSecret();
  await trx.updateTable('partner_credentials').set({ revoked_at_ms: options.now_ms + options.grace_ms })
    .where('partner_id', '=', partner_id).where('kind', '=', kind)
    .where((eb) => eb.or([eb('revoked_at_ms', 'is', null), eb('revoked_at_ms', '>', options.now_ms + options.grace_ms)]))
    .execute();
  await insertCredential(trx, keys, partner_id, kind, secret, options.now_ms);
  return secret;
}

export async function findPartner(trx: Executor, code: string): Promise<Partner | undefined> {
  if (!PARTNER_CODE_PATTERN.test(code)) return undefined;
  return trx.selectFrom('partners').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function partnerByCode(trx: Executor, code: string): Promise<Partner> {
  const partner = await findPartner(trx, code);
  if (!partner) throw new RoamError('ROAM_ERR_PARTNER_NOT_FOUND', { code });
  return partner;
}

async function liveCredentials(trx: Executor, partner_id: string, kind: 'basic' | 'hmac', now_ms: number) {
  return trx.selectFrom('partner_credentials').select(['secret_hash', 'secret_sealed']).where('partner_id', '=', partner_id).where('kind', '=', kind)
    .where((eb) => eb.or([eb('revoked_at_ms', 'is', null), eb('revoked_at_ms', '>', now_ms)])).execute();
}

/** Whether `password` is one of the partner's live basic passwords; compared in constant time. */
export async function basicPasswordMatches(trx: Executor, partner_id: string, password: string, now_ms: number): Promise<boolean> {
  const presented = basicSecretHash(password);
  const credentials = await liveCredentials(trx, partner_id, 'basic', now_ms);
  // Every live credential is compared (no early return): the time taken does not tell which one matched.
  let matched = false;
  for (const credential of credentials) if (credential.secret_hash !== null && sameHex(credential.secret_hash, presented)) matched = true;
  return matched;
}

/** The partner's live HMAC keys in clear (the signature needs the key itself); keys sealed under another secret are skipped. */
export async function hmacKeys(trx: Executor, keys: AuthKeys, partner_id: string, now_ms: number): Promise<string[]> {
  const credentials = await liveCredentials(trx, partner_id, 'hmac', now_ms);
  return credentials.flatMap((credential) => {
    const key = credential.secret_sealed === null ? undefined : unsealText(keys, credential.secret_sealed);
    return key === undefined ? [] : [key];
  });
}
