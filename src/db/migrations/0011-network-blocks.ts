import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * network_blocks: the network side pauses some kinds of a line's usage (data, voice, SMS) until a
 * time, for a reason from a closed list (core/network-blocks.ts), through the network API; it may
 * lift a block early (a captcha link, the call centre). Charging refuses the kinds a block stops
 * while it is in force, and every channel explains it ("why is my service off?").
 *
 * Rows are never deleted or rewritten but for the lift: the history answers "why was I off on
 * the 3rd?". The index (line_id, ends_at_ms) serves the one question on the hot path — "which
 * blocks of this line end after this instant?" — with a range probe that reads only the blocks
 * still running (almost always none or one), however long the line's history.
 * The idempotency key and the request's hash are kept with the block (the one idempotency path).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  const flag = (column: string) => sql`${sql.ref(column)} in (0, 1)`;
  await db.schema
    .createTable('network_blocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('reason', 'text', (c) => c.notNull()
      .check(sql`reason in ('arrival_cooling_off', 'roaming_return', 'idle', 'identity_unconfirmed', 'operator')`))
    .addColumn('stops_data', 'integer', (c) => c.notNull().check(flag('stops_data')))
    .addColumn('stops_voice', 'integer', (c) => c.notNull().check(flag('stops_voice')))
    .addColumn('stops_sms', 'integer', (c) => c.notNull().check(flag('stops_sms')))
    .addColumn('starts_at_ms', big, (c) => c.notNull())
    .addColumn('ends_at_ms', big, (c) => c.notNull())
    .addColumn('lifted_at_ms', big)
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('lifted_by', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('network_blocks_stops_something', sql`stops_data + stops_voice + stops_sms >= 1`)
    .addCheckConstraint('network_blocks_ends_after_start', sql`ends_at_ms > starts_at_ms`)
    .addCheckConstraint('network_blocks_lift_recorded', sql`(lifted_at_ms is null) = (lifted_by is null)`)
    .execute();
  await db.schema.createIndex('network_blocks_line_end').on('network_blocks').columns(['line_id', 'ends_at_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('network_blocks').execute();
}
