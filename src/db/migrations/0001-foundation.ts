import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * The foundation schema. One migration for both engines: the only dialect differences are the
 * 64-bit integer type and the auto-increment key, chosen through `sql` below.
 * CHECK constraints back the invariants the services also enforce (TigerBeetle: assert twice).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = capabilitiesOf(db).dialect === 'postgres';
  const big = isPostgres ? 'bigint' : 'integer';
  const identity = isPostgres ? sql`bigint generated always as identity primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable('sims')
    .addColumn('iccid', 'text', (c) => c.primaryKey())
    .addColumn('imsi', 'text', (c) => c.notNull().unique())
    .addColumn('msisdn', 'text', (c) => c.notNull().unique())
    .addColumn('form_factor', 'text', (c) => c.notNull().check(sql`form_factor in ('nano', 'esim')`))
    .addColumn('esim_activation_code', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in_stock', 'in_service', 'retired')`))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('sims_esim_code', sql`(form_factor = 'esim') = (esim_activation_code is not null)`)
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('contact_phone', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance_minor', big, (c) => c.notNull().defaultTo(0))
    .addColumn('balance_cached', 'integer', (c) => c.notNull())
    .addColumn('may_go_negative', 'integer', (c) => c.notNull())
    .addColumn('line_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('ledger_accounts_not_below_zero', sql`may_go_negative = 1 or balance_minor >= 0`)
    .addCheckConstraint('ledger_accounts_uncached_zero', sql`balance_cached = 1 or balance_minor = 0`)
    .execute();

  await db.schema
    .createTable('lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('iccid', 'text', (c) => c.notNull().unique().references('sims.iccid'))
    .addColumn('msisdn', 'text', (c) => c.notNull().unique())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'suspended', 'closed')`))
    .addColumn('wallet_account_id', 'text', (c) => c.notNull().unique().references('ledger_accounts.id'))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lines_account').on('lines').column('account_id').execute();

  await db.schema
    .createTable('journal_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('line_id', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('request_hash', 'text')
    .addColumn('reverses_entry_id', 'text', (c) => c.unique().references('journal_entries.id'))
    .addColumn('memo', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('journal_entries_line').on('journal_entries').columns(['line_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('postings')
    .addColumn('id', identity)
    .addColumn('entry_id', 'text', (c) => c.notNull().references('journal_entries.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('line_id', 'text')
    .addColumn('amount_minor', big, (c) => c.notNull().check(sql`amount_minor <> 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('postings_entry').on('postings').column('entry_id').execute();
  await db.schema.createIndex('postings_account').on('postings').column('account_id').execute();

  await db.schema
    .createTable('packages')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('data', 'voice', 'sms', 'combo')`))
    .addColumn('data_mb', 'integer', (c) => c.notNull().check(sql`data_mb >= 0`))
    .addColumn('voice_minutes', 'integer', (c) => c.notNull().check(sql`voice_minutes >= 0`))
    .addColumn('sms_count', 'integer', (c) => c.notNull().check(sql`sms_count >= 0`))
    .addColumn('validity_hours', 'integer', (c) => c.notNull().check(sql`validity_hours > 0`))
    .addColumn('name_zh_hans', 'text', (c) => c.notNull())
    .addColumn('name_zh_hant', 'text', (c) => c.notNull())
    .addColumn('name_ru', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('package_prices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('package_code', 'text', (c) => c.notNull().references('packages.code'))
    .addColumn('amount_minor', big, (c) => c.notNull().check(sql`amount_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('effective_from_ms', big, (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addUniqueConstraint('package_prices_version', ['package_code', 'effective_from_ms'])
    .execute();

  await db.schema
    .createTable('bundles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('package_code', 'text', (c) => c.notNull().references('packages.code'))
    .addColumn('package_price_id', 'text', (c) => c.references('package_prices.id'))
    .addColumn('price_minor', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('data_bytes_total', big, (c) => c.notNull())
    .addColumn('data_bytes_remaining', big, (c) => c.notNull().check(sql`data_bytes_remaining >= 0`))
    .addColumn('voice_seconds_total', big, (c) => c.notNull())
    .addColumn('voice_seconds_remaining', big, (c) => c.notNull().check(sql`voice_seconds_remaining >= 0`))
    .addColumn('sms_total', big, (c) => c.notNull())
    .addColumn('sms_remaining', big, (c) => c.notNull().check(sql`sms_remaining >= 0`))
    .addColumn('activated_at_ms', big, (c) => c.notNull())
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'expired', 'revoked')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('entry_id', 'text', (c) => c.references('journal_entries.id'))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('request_hash', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bundles_line_expiry').on('bundles').columns(['line_id', 'expires_at_ms']).execute();
  await db.schema.createIndex('bundles_expiry').on('bundles').columns(['status', 'expires_at_ms']).execute();

  await db.schema
    .createTable('usage_events')
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('data', 'voice', 'sms')`))
    .addColumn('quantity', big, (c) => c.notNull().check(sql`quantity >= 0`))
    .addColumn('occurred_at_ms', big, (c) => c.notNull())
    .addColumn('from_bundles', big, (c) => c.notNull())
    .addColumn('from_wallet', big, (c) => c.notNull())
    .addColumn('denied', big, (c) => c.notNull())
    .addColumn('denial_reason', 'text')
    .addColumn('wallet_charge_minor', big, (c) => c.notNull())
    .addColumn('entry_id', 'text', (c) => c.references('journal_entries.id'))
    .addColumn('draws', 'text', (c) => c.notNull())
    .addColumn('charged_at_ms', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_events_pk', ['line_id', 'event_id'])
    .addCheckConstraint('usage_events_accounted', sql`from_bundles + from_wallet + denied = quantity`)
    .execute();
  await db.schema.createIndex('usage_events_line_time').on('usage_events').columns(['line_id', 'occurred_at_ms']).execute();

  await db.schema
    .createTable('stores')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('service_hall', 'partner_store')`))
    .addColumn('chain', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('latitude', 'real', (c) => c.notNull())
    .addColumn('longitude', 'real', (c) => c.notNull())
    .addColumn('opening_hours', 'text', (c) => c.notNull())
    .addColumn('renews', 'integer', (c) => c.notNull())
    .addColumn('cash_account_id', 'text', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['stores', 'usage_events', 'bundles', 'package_prices', 'packages', 'postings', 'journal_entries', 'lines', 'ledger_accounts', 'accounts', 'sims']) {
    await db.schema.dropTable(table).execute();
  }
}
