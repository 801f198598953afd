import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * audit_log: every staff action — who (id, login, role, store), what (action, subject), when, from
 * which address, and the record before and after — append-only. The database itself refuses an
 * UPDATE or DELETE of a row (a trigger on each engine), so not even a bug in our code can rewrite
 * history; only `down` (dropping the table) removes it. Entries are read by store and by subject,
 * newest first: one index for each.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at_ms', big, (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('staff_login', 'text')
    .addColumn('staff_role', 'text')
    .addColumn('store_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('client_address', 'text')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .execute();
  await db.schema.createIndex('audit_log_store_time').on('audit_log').columns(['store_id', 'at_ms']).execute();
  await db.schema.createIndex('audit_log_subject_time').on('audit_log').columns(['subject_type', 'subject_id', 'at_ms']).execute();
  if (capabilitiesOf(db).dialect === 'postgres') {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  if (capabilitiesOf(db).dialect === 'postgres') await sql`drop function if exists audit_log_append_only()`.execute(db);
}
