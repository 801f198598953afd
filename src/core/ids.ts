import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Identifiers are a short type prefix and a UUIDv7 ("ln_0193…"), as Stripe names its resources:
 * readable in logs, time-ordered for B-tree locality, and unique across shards without a sequence.
 */
export const ID_PREFIXES = {
  account: 'acc',
  line: 'ln',
  bundle: 'bdl',
  entry: 'je',
  price: 'prc',
  store: 'st',
  job: 'job',
  order: 'ord',
  payment: 'pay',
  refund: 'rfd',
  notice: 'ntc',
  sandbox_payment: 'sbxpay',
  sandbox_refund: 'sbxrfd',
  network_block: 'blk',
  audit_entry: 'aud',
  staff: 'stf',
  staff_session: 'sts',
  shift: 'shf',
  identity_document: 'idd',
  consent: 'cns',
  partner: 'ptn',
  partner_credential: 'pcr',
  partner_payment: 'ptx',
  fiscal_document: 'fsc',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${uuidv7().replaceAll('-', '')}`;
}

/** SHA-256 over a canonical JSON rendering (sorted keys): the "same request?" test of idempotency. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
