import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, describeEachDatabase } from '../testing/databases.js';
import { inTransaction, type Executor } from './transaction.js';

/**
 * Transactions under concurrency (Kysely's own test idea): many at once, some failing on purpose,
 * and each must have committed entirely or not at all, whatever its neighbours did. On SQLite this
 * is what keeps group commit honest: units share one COMMIT but not each other's failures.
 */

const rowsOf = async (db: Executor, prefix: string) =>
  (await sql<{ id: string }>`select id from tx_probe where id like ${`${prefix}%`} order by id`.execute(db)).rows.map((row) => row.id);

describeEachDatabase('transactions', (t) => {
  before(async () => {
    await sql`create table tx_probe (id text primary key, n integer not null)`.execute(t.database.db);
  });

  it('commits each of 100 concurrent transactions entirely or not at all, failures staying with their caller', async () => {
    const fails = (index: number) => index % 3 === 0;
    const settled = await Promise.allSettled(Array.from({ length: 100 }, (_, index) => inTransaction(t.database, async (trx) => {
      const id = `a${String(index).padStart(3, '0')}`;
      await sql`insert into tx_probe (id, n) values (${`${id}-1`}, ${index})`.execute(trx);
      await sql`insert into tx_probe (id, n) values (${`${id}-2`}, ${index})`.execute(trx);
      if (fails(index)) throw new Error(`unit ${index} fails`);
      return index;
    })));
    settled.forEach((outcome, index) => {
      if (fails(index)) assert.match(String((outcome as PromiseRejectedResult).reason), new RegExp(`unit ${index} fails`));
      else assert.deepEqual(outcome, { status: 'fulfilled', value: index });
    });
    const expected = Array.from({ length: 100 }, (_, index) => index).filter((index) => !fails(index))
      .flatMap((index) => [`a${String(index).padStart(3, '0')}-1`, `a${String(index).padStart(3, '0')}-2`]);
    assert.deepEqual(await rowsOf(t.database.db, 'a'), expected);
  });

  it('loses no update when 50 concurrent transactions each read and increment one counter', async () => {
    await sql`insert into tx_probe (id, n) values ('counter', 0)`.execute(t.database.db);
    const lock = t.dialect === 'postgres' ? sql` for update` : sql``;
    await Promise.all(Array.from({ length: 50 }, () => inTransaction(t.database, async (trx) => {
      const { rows } = await sql<{ n: number }>`select n from tx_probe where id = 'counter'${lock}`.execute(trx);
      await sql`update tx_probe set n = ${Number(rows[0]!.n) + 1} where id = 'counter'`.execute(trx);
    })));
    const { rows } = await sql<{ n: number }>`select n from tx_probe where id = 'counter'`.execute(t.database.db);
    assert.equal(Number(rows[0]!.n), 50);
  });

  it('fails only the transaction that breaks a constraint, not the ones committed beside it', async () => {
    const settled = await Promise.allSettled(['b1', 'b2', 'b1', 'b3'].map((id) => inTransaction(t.database, async (trx) => {
      await sql`insert into tx_probe (id, n) values (${id}, 1)`.execute(trx);
      return id;
    })));
    const [first_b1, b2, second_b1, b3] = settled.map((outcome) => outcome.status);
    assert.deepEqual([b2, b3], ['fulfilled', 'fulfilled']);
    // Which of the two b1 inserts commits first is up to the engine (PostgreSQL runs them side by side): exactly one does.
    assert.deepEqual([first_b1, second_b1].sort(), ['fulfilled', 'rejected']);
    assert.deepEqual(await rowsOf(t.database.db, 'b'), ['b1', 'b2', 'b3']);
  });
});

it('refuses a transaction on a closed database at once, instead of waiting for it (SQLite)', async () => {
  const { database, dispose } = await createTestDatabase('sqlite');
  await dispose();
  await assert.rejects(inTransaction(database, async () => 'never'), /destroyed|closed/i);
});
