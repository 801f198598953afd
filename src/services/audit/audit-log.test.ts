import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inTransaction } from '../../db/transaction.js';
import { describeEachDatabase } from '../../testing/databases.js';
import type { StaffActor } from '../staff/staff-actor.js';
import { listAudit, recordAudit } from './audit-log.js';

const AGENT: StaffActor = { staff_id: 'stf_1', login: 'agent.svo', role: 'agent', store_id: 'st_svo', store_code: 'svo-hall' };
const NOW_MS = Date.UTC(2026, 11, 7, 9, 0);

describeEachDatabase('audit log', (test_db) => {
  it('records who did what to which record, before and after, with no secret or document number', async () => {
    const { database } = test_db;
    await inTransaction(database, (trx) => recordAudit(trx, {
      actor: AGENT, action: 'desk.subscriber.connect', subject_type: 'line', subject_id: 'ln_1', client_address: '10.0.0.7',
      before: null,
      after: {
        document_number: 'E12345678', password: 'hunter2', msisdn: '+79001234567', imei: '490154203237518',
        note: 'called +79001234567 about SIM 8970199000000000007', pack: 'data-1gb-1d', amount_minor: 19_000,
      },
    }, NOW_MS));
    const [entry] = await listAudit(database.db, { store_id: 'st_svo', limit: 10 });
    assert.ok(entry);
    assert.deepEqual(
      {
        staff_login: entry.staff_login, staff_role: entry.staff_role, action: entry.action,
        subject_id: entry.subject_id, at_ms: entry.at_ms,
      },
      { staff_login: 'agent.svo', staff_role: 'agent', action: 'desk.subscriber.connect', subject_id: 'ln_1', at_ms: NOW_MS },
    );
    const after = JSON.parse(entry.after_json ?? '{}') as Record<string, unknown>;
    assert.equal(after.pack, 'data-1gb-1d');
    assert.equal(after.amount_minor, 19_000);
    for (const secret of ['E12345678', 'hunter2', '9001234567', '490154203237518', '8970199000000000007']) {
      assert.ok(!entry.after_json?.includes(secret), `${secret} kept in ${entry.after_json}`);
    }
  });

  it('is append-only: the database refuses to change or delete an entry', async () => {
    const { database } = test_db;
    const id = await inTransaction(database, (trx) => recordAudit(trx, { actor: null, action: 'system.test', subject_type: 'line' }, NOW_MS));
    await assert.rejects(database.db.updateTable('audit_log').set({ action: 'rewritten' }).where('id', '=', id).execute(), /append-only/);
    await assert.rejects(database.db.deleteFrom('audit_log').where('id', '=', id).execute(), /append-only/);
    const [kept] = await listAudit(database.db, { subject: { type: 'line', id: 'nope' }, limit: 1 });
    assert.equal(kept, undefined);
    const rows = await database.db.selectFrom('audit_log').select('action').where('id', '=', id).execute();
    assert.deepEqual(rows, [{ action: 'system.test' }]);
  });

  it('pages back by time, newest first, bounded', async () => {
    const { database } = test_db;
    for (let minute = 0; minute < 5; minute += 1) {
      await inTransaction(database, (trx) => recordAudit(trx, {
        actor: AGENT, action: 'desk.lookup', subject_type: 'line', subject_id: 'ln_paged',
      }, NOW_MS + minute * 60_000));
    }
    const page = await listAudit(database.db, { subject: { type: 'line', id: 'ln_paged' }, limit: 2 });
    assert.deepEqual(page.map((entry) => entry.at_ms), [NOW_MS + 4 * 60_000, NOW_MS + 3 * 60_000]);
    const older = await listAudit(database.db, { subject: { type: 'line', id: 'ln_paged' }, limit: 10, before_ms: page[1]?.at_ms ?? 0 });
    assert.equal(older.length, 3);
  });
});
