// After the load: the server keeps running (its outbox worker and reconciliation loop) until no
// job is pending or running — webhooks delivered, packs provisioned, refunds paid back — and no
// fiscal document is still pending at the register (its `fiscal.register` job asks again after 1 s,
// doubling), or until a bounded time has passed. Read through a fresh connection of the soak's own.
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 500;
/** Quiet this many polls in a row: a job that just finished may have queued the next one. */
const QUIET_POLLS = 3;

async function unfinishedWork(db) {
  const rows = await db.selectFrom('jobs').select(['kind', 'status', (eb) => eb.fn.countAll().as('count')])
    .where('status', 'in', ['pending', 'running']).groupBy(['kind', 'status']).execute();
  // A pending document has its job queued; counted too, so a document left without one (its job dead) is waited for, bounded, and shown.
  const fiscal = await db.selectFrom('fiscal_documents').select((eb) => eb.fn.countAll().as('count')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  const left = rows.map((row) => ({ kind: row.kind, status: row.status, count: Number(row.count) }));
  return Number(fiscal.count) === 0 ? left : [...left, { kind: 'fiscal document', status: 'pending', count: Number(fiscal.count) }];
}

/** Waits until the outbox is empty and no fiscal document is pending; returns {drained, waited_ms, left: [{kind, status, count}]}. */
export async function drainOutbox(open, timeout_ms) {
  const database = open();
  const started_ms = Date.now();
  try {
    let quiet = 0;
    let left = [];
    while (Date.now() - started_ms < timeout_ms) {
      left = await unfinishedWork(database.db).catch(() => [{ kind: 'database unreachable', status: 'unknown', count: 1 }]);
      quiet = left.length === 0 ? quiet + 1 : 0;
      if (quiet >= QUIET_POLLS) return { drained: true, waited_ms: Date.now() - started_ms, left };
      await sleep(POLL_MS);
    }
    return { drained: false, waited_ms: Date.now() - started_ms, left };
  } finally {
    await database.close();
  }
}
