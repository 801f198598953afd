import { bundleUnits, expiresAtMs } from '../../core/catalog.js';
import { newId } from '../../core/ids.js';
import type { BundlesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { CatalogPackage } from '../catalog/catalog.js';
import type { ProvisioningRequest } from '../../ports/network-provisioner.js';

export type Bundle = BundlesTable;

export interface NewBundle {
  readonly line_id: string;
  readonly pack: CatalogPackage;
  readonly package_price_id: string | null;
  readonly price_minor: number;
  readonly currency: string;
  readonly source: 'wallet' | 'external';
  readonly entry_id: string | null;
  readonly idempotency_key: string | null;
  readonly request_hash: string | null;
}

/** Activates a pack on a line now: full allowance, validity rolling from this instant. */
export async function insertBundle(trx: Executor, input: NewBundle, now_ms: number): Promise<Bundle> {
  const units = bundleUnits(input.pack);
  const bundle: Bundle = {
    id: newId('bundle'),
    line_id: input.line_id,
    package_code: input.pack.code,
    package_price_id: input.package_price_id,
    price_minor: input.price_minor,
    currency: input.currency,
    data_bytes_total: units.data_bytes,
    data_bytes_remaining: units.data_bytes,
    voice_seconds_total: units.voice_seconds,
    voice_seconds_remaining: units.voice_seconds,
    sms_total: units.sms_count,
    sms_remaining: units.sms_count,
    activated_at_ms: now_ms,
    expires_at_ms: expiresAtMs(now_ms, input.pack.validity_hours),
    status: 'active',
    source: input.source,
    entry_id: input.entry_id,
    idempotency_key: input.idempotency_key,
    request_hash: input.request_hash,
    created_at_ms: now_ms,
  };
  await trx.insertInto('bundles').values(bundle).execute();
  return bundle;
}

/** Bundles usable at `at_ms` (activated, not yet expired), earliest expiry first. */
export async function liveBundles(trx: Executor, line_id: string, at_ms: number): Promise<Bundle[]> {
  return trx
    .selectFrom('bundles')
    .selectAll()
    .where('line_id', '=', line_id)
    .where('expires_at_ms', '>', at_ms)
    .where('activated_at_ms', '<=', at_ms)
    .where('status', '!=', 'revoked')
    .orderBy('expires_at_ms')
    .orderBy('id')
    .execute();
}

export const EXPIRE_BATCH_SIZE_MAX = 5_000;

/**
 * Marks bundles past their expiry as expired, a bounded batch at a time; returns how many.
 * Charging never relies on this flag (it compares times), so running it late is harmless.
 */
export async function expireBundles(trx: Executor, now_ms: number, batch_size = EXPIRE_BATCH_SIZE_MAX): Promise<number> {
  const due = await trx
    .selectFrom('bundles')
    .select('id')
    .where('status', '=', 'active')
    .where('expires_at_ms', '<=', now_ms)
    .limit(batch_size)
    .execute();
  if (due.length === 0) return 0;
  const result = await trx
    .updateTable('bundles')
    .set({ status: 'expired' })
    .where('id', 'in', due.map((row) => row.id))
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What the network needs to turn a bundle on (NetworkProvisioner); undefined for an unknown bundle. */
export async function provisioningRequest(db: Executor, bundle_id: string): Promise<ProvisioningRequest | undefined> {
  const row = await db
    .selectFrom('bundles')
    .innerJoin('lines', 'lines.id', 'bundles.line_id')
    .select(['bundles.id', 'bundles.line_id', 'bundles.package_code', 'bundles.data_bytes_total', 'bundles.voice_seconds_total', 'bundles.sms_total', 'bundles.expires_at_ms', 'lines.msisdn', 'lines.iccid'])
    .where('bundles.id', '=', bundle_id)
    .executeTakeFirst();
  return row && {
    bundle_id: row.id, line_id: row.line_id, msisdn: row.msisdn, iccid: row.iccid, package_code: row.package_code,
    data_bytes: row.data_bytes_total, voice_seconds: row.voice_seconds_total, sms_count: row.sms_total, expires_at_ms: row.expires_at_ms,
  };
}
