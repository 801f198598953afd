import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDatabase } from '../testing/databases.js';
import { preparedQuery } from './prepared.js';

describeEachDatabase('prepared queries', (t) => {
  before(async () => {
    await sql`create table prepared_probe (id text primary key, n integer not null, tag text not null)`.execute(t.database.db);
    await sql`insert into prepared_probe (id, n, tag) values ('a', 1, 'x'), ('b', 2, 'x'), ('c', 3, 'y'), ('d', 4, 'x')`.execute(t.database.db);
  });

  const above = preparedQuery<{ n_min: number; tag: string }>(['n_min', 'tag'])((db, param) =>
    // A fixed value between the markers: it must stay in its place in the parameter list.
    db.selectFrom('prepared_probe' as never).select(['id' as never]).where('n' as never, '>', param('n_min') as never)
      .where('id' as never, '!=', 'zzz' as never).where('tag' as never, '=', param('tag') as never).orderBy('id' as never));

  it('runs the same compiled SQL with each call\'s values, fixed values kept in place', async () => {
    assert.deepEqual(await above(t.database.db, { n_min: 1, tag: 'x' }), [{ id: 'b' }, { id: 'd' }]);
    assert.deepEqual(await above(t.database.db, { n_min: 0, tag: 'y' }), [{ id: 'c' }]);
    assert.deepEqual(await above(t.database.db, { n_min: 9, tag: 'x' }), []);
  });

  it('refuses, when first run, a marker that did not become a parameter', async () => {
    const inlined = preparedQuery<{ tag: string }>(['tag'])((db) => db.selectFrom('prepared_probe' as never).select(['id' as never]).where(sql`tag`, '=', sql.lit('x')));
    await assert.rejects(inlined(t.database.db, { tag: 'x' }), /tag did not compile to a parameter/);
  });
});
