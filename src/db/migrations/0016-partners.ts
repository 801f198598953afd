import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Payment agents (issue 13): retail chains, terminals and banks that take a customer's money for a
 * line and tell us over OSMP check/pay or the signed JSON partner API.
 * - `partners`: the agent, its rules (what a sum buys, the sums it may take), the addresses it calls
 *   from, its time zone (its registry's day) and its settlement account: what it took for us and
 *   owes us, moved to the line or the pack in the payment's own transaction.
 * - `partner_credentials`: HTTP basic passwords (SHA-256 of generated secrets) and JSON API signing keys (sealed
 *   with the installation's key: the HMAC needs the key itself); rotation adds one and revokes the
 *   previous, so a credential is never changed in place.
 * - `partner_payments`: every pay the agent sent, under its own `txn_id` (unique per partner: the
 *   database, not only the code, makes a repeated txn_id the same payment), with what it bought
 *   and the result we answered; the registry and its reconciliation read it.
 * - `stores.address_ru` (the address as a Russian sign reads it, for the store finder and the
 *   transliteration beside it) and `stores.partner_id` (the chain's stores belong to their agent).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('partners')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('chain', 'text')
    .addColumn('agent_name', 'text', (c) => c.notNull())
    .addColumn('agent_inn', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('settlement_account_id', 'text', (c) => c.notNull().unique().references('ledger_accounts.id'))
    .addColumn('sells_packs', 'integer', (c) => c.notNull().check(sql`sells_packs in (0, 1)`))
    .addColumn('sum_min_minor', big, (c) => c.notNull().check(sql`sum_min_minor > 0`))
    .addColumn('sum_max_minor', big, (c) => c.notNull())
    .addColumn('allowed_addresses', 'text', (c) => c.notNull())
    .addColumn('registry_accounts', 'text', (c) => c.notNull().check(sql`registry_accounts in ('masked', 'full')`))
    .addColumn('enabled', 'integer', (c) => c.notNull().check(sql`enabled in (0, 1)`))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('partners_sum_range', sql`sum_max_minor >= sum_min_minor`)
    .execute();

  await db.schema
    .createTable('partner_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('basic', 'hmac')`))
    .addColumn('secret_hash', 'text')
    .addColumn('secret_sealed', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('revoked_at_ms', big)
    .addCheckConstraint('partner_credentials_secret', sql`(kind = 'basic' and secret_hash is not null) or (kind = 'hmac' and secret_sealed is not null)`)
    .execute();
  await db.schema.createIndex('partner_credentials_partner').on('partner_credentials').columns(['partner_id', 'kind']).execute();

  await db.schema
    .createTable('partner_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('txn_id', 'text', (c) => c.notNull())
    .addColumn('txn_date', 'text')
    .addColumn('msisdn', 'text', (c) => c.notNull())
    .addColumn('sum_minor', big, (c) => c.notNull())
    .addColumn('api', 'text', (c) => c.notNull().check(sql`api in ('osmp', 'json')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('accepted', 'paid', 'rejected')`))
    .addColumn('purchase', 'text', (c) => c.check(sql`purchase in ('pack', 'top_up')`))
    .addColumn('package_code', 'text')
    .addColumn('line_id', 'text', (c) => c.references('lines.id'))
    .addColumn('order_id', 'text', (c) => c.references('orders.id'))
    .addColumn('payment_id', 'text', (c) => c.unique().references('payments.id'))
    .addColumn('entry_id', 'text', (c) => c.references('journal_entries.id'))
    .addColumn('result', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('completed_at_ms', big)
    .addUniqueConstraint('partner_payments_txn', ['partner_id', 'txn_id'])
    // What an accepted payment buys is decided once, when it is first accepted, and never again.
    .addCheckConstraint('partner_payments_purchase', sql`state = 'rejected' or (purchase is not null and line_id is not null)`)
    .execute();
  // The registry: a partner's paid payments over one day.
  await db.schema.createIndex('partner_payments_registry').on('partner_payments').columns(['partner_id', 'state', 'completed_at_ms']).execute();

  await db.schema.alterTable('stores').addColumn('address_ru', 'text').execute();
  await db.schema.alterTable('stores').addColumn('partner_id', 'text', (c) => c.references('partners.id')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stores').dropColumn('partner_id').execute();
  await db.schema.alterTable('stores').dropColumn('address_ru').execute();
  for (const table of ['partner_payments', 'partner_credentials', 'partners']) await db.schema.dropTable(table).execute();
}
