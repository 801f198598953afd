import { CompiledQuery, type Compilable } from 'kysely';
import type { Executor } from './transaction.js';

/**
 * A query built and compiled once, run many times with new values. Kysely builds and compiles a
 * query on every call; for the hottest reads (a #100# balance: two small indexed selects) that
 * costs more than the database's own work. So the query is built with named markers in place of
 * its values, compiled once per dialect, and each call puts the values where the markers were in
 * the parameter list and runs the same SQL text (which SQLite then finds in the statement cache).
 * Only values that Kysely passes as parameters can be markers (not identifiers, not `sql.lit`);
 * compiling checks that every marker came out as a parameter.
 */

const MARKER = '\u0000roamcard-param:';

type Slot<P> = { readonly name: keyof P } | { readonly fixed: unknown };
interface Plan<P> {
  readonly sql: string;
  readonly slots: ReadonlyArray<Slot<P>>;
}

/** `preparedQuery<{ id: string }>(['id'])((db, param) => db.selectFrom(…).where('id', '=', param('id')))` */
export function preparedQuery<P extends Record<string, string | number>>(names: ReadonlyArray<keyof P>) {
  return <R>(build: (db: Executor, param: <K extends keyof P>(name: K) => P[K]) => Compilable<R>) => prepare(names, build);
}

function prepare<P extends Record<string, string | number>, R>(
  names: ReadonlyArray<keyof P>,
  build: (db: Executor, param: <K extends keyof P>(name: K) => P[K]) => Compilable<R>,
): (db: Executor, values: P) => Promise<R[]> {
  // Keyed by the dialect's adapter: the SQL text depends on the dialect only.
  const plans = new WeakMap<object, Plan<P>>();
  const planFor = (db: Executor): Plan<P> => {
    const adapter = db.getExecutor().adapter;
    let plan = plans.get(adapter);
    if (!plan) {
      plan = compilePlan(db, names, build);
      plans.set(adapter, plan);
    }
    return plan;
  };
  return async (db, values) => {
    const plan = planFor(db);
    const parameters = plan.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.fixed));
    const result = await db.executeQuery(CompiledQuery.raw(plan.sql, parameters) as CompiledQuery<R>);
    return result.rows;
  };
}

function compilePlan<P extends Record<string, string | number>, R>(
  db: Executor,
  names: ReadonlyArray<keyof P>,
  build: (db: Executor, param: <K extends keyof P>(name: K) => P[K]) => Compilable<R>,
): Plan<P> {
  const compiled = build(db, (name) => `${MARKER}${String(name)}` as never).compile();
  const slots = compiled.parameters.map((parameter): Slot<P> =>
    typeof parameter === 'string' && parameter.startsWith(MARKER) ? { name: parameter.slice(MARKER.length) as keyof P } : { fixed: parameter });
  for (const name of names) {
    if (!slots.some((slot) => 'name' in slot && slot.name === name)) throw new Error(`prepared query: ${String(name)} did not compile to a parameter`);
  }
  return { sql: compiled.sql, slots };
}
