import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inTransaction } from '../../db/transaction.js';
import { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { eventually } from '../../testing/waiting.js';
import { claimJobs, completeJob, enqueueJob, failJob, jobCounts, retryDeadJob } from './outbox.js';
import { OutboxWorker, PermanentJobError } from './worker.js';

const START_MS = Date.UTC(2026, 10, 25, 12, 0);

describeEachDatabase('transactional outbox', (t) => {
  it('writes a job only when the surrounding transaction commits', async () => {
    await assert.rejects(inTransaction(t.database, async (trx) => {
      await enqueueJob(trx, { kind: 'rolled-back', payload: { n: 1 } }, START_MS);
      throw new Error('the state change failed');
    }));
    const committed = await inTransaction(t.database, (trx) => enqueueJob(trx, { kind: 'committed', payload: { n: 2 } }, START_MS));
    const rows = await t.database.db.selectFrom('jobs').select(['id', 'kind']).where('kind', 'in', ['rolled-back', 'committed']).execute();
    assert.deepEqual(rows, [{ id: committed, kind: 'committed' }]);
  });

  it('enqueues an effect once per dedupe key', async () => {
    const first = await inTransaction(t.database, (trx) => enqueueJob(trx, { kind: 'dedupe', payload: 1, dedupe_key: 'receipt:o1' }, START_MS));
    const second = await inTransaction(t.database, (trx) => enqueueJob(trx, { kind: 'dedupe', payload: 1, dedupe_key: 'receipt:o1' }, START_MS));
    assert.equal(first, second);
    const count = await t.database.db.selectFrom('jobs').select('id').where('dedupe_key', '=', 'receipt:o1').execute();
    assert.equal(count.length, 1);
  });

  it('runs due jobs, retries failures with backoff, and parks them dead after the last attempt', async () => {
    const clock = new ManualClock(START_MS + 1_000_000);
    const seen: string[] = [];
    let failuresLeft = 2;
    const worker = new OutboxWorker({
      database: t.database,
      clock,
      handlers: {
        'flaky': async () => {
          seen.push('flaky');
          if (failuresLeft-- > 0) throw new Error('provider timeout');
        },
        'doomed': async () => {
          seen.push('doomed');
          throw new Error('always down');
        },
        'refused': async () => {
          seen.push('refused');
          throw new PermanentJobError('card blocked');
        },
      },
    });
    const now = clock.now_ms();
    await inTransaction(t.database, async (trx) => {
      await enqueueJob(trx, { kind: 'flaky', payload: {} }, now);
      await enqueueJob(trx, { kind: 'doomed', payload: {}, attempts_max: 3 }, now);
      await enqueueJob(trx, { kind: 'refused', payload: {} }, now);
      await enqueueJob(trx, { kind: 'flaky', payload: {}, run_after_ms: now + 3_600_000, dedupe_key: 'later' }, now);
    });
    // Each pass moves the clock past the largest possible backoff so retries are due.
    for (let pass = 0; pass < 8; pass += 1) {
      await worker.drainOnce();
      clock.advance(10 * 60_000);
    }
    const states = await t.database.db.selectFrom('jobs').select(['kind', 'status', 'attempts', 'last_error', 'dedupe_key']).where('kind', 'in', ['flaky', 'doomed', 'refused']).orderBy('kind').execute();
    const byKey = (kind: string, later = false) => states.find((row) => row.kind === kind && (row.dedupe_key === 'later') === later);
    assert.deepEqual({ ...byKey('flaky'), last_error: null }, { kind: 'flaky', status: 'done', attempts: 3, last_error: null, dedupe_key: null });
    assert.equal(byKey('doomed')?.status, 'dead');
    assert.equal(byKey('doomed')?.attempts, 3);
    assert.equal(byKey('doomed')?.last_error, 'always down');
    assert.equal(byKey('refused')?.status, 'dead');
    assert.equal(byKey('refused')?.attempts, 1);
    // The job scheduled an hour ahead ran once its time came (passes every 10 minutes).
    assert.equal(byKey('flaky', true)?.status, 'done');
    assert.equal(seen.filter((kind) => kind === 'doomed').length, 3);

    const counts = await jobCounts(t.database.db);
    assert.ok(counts.some((row) => row.kind === 'doomed' && row.status === 'dead' && row.count === 1));
    const dead = await t.database.db.selectFrom('jobs').select('id').where('kind', '=', 'doomed').executeTakeFirstOrThrow();
    assert.equal(await retryDeadJob(t.database, dead.id, clock.now_ms()), true);
    assert.equal(await retryDeadJob(t.database, dead.id, clock.now_ms()), false);
  });

  it('takes a job back when the worker that claimed it died (lease lapsed)', async () => {
    const now = START_MS + 50_000_000;
    await inTransaction(t.database, (trx) => enqueueJob(trx, { kind: 'lease', payload: {} }, now));
    const [claimed] = (await claimJobs(t.database, 100, now, 30_000)).filter((job) => job.kind === 'lease');
    assert.equal(claimed?.kind, 'lease');
    assert.deepEqual((await claimJobs(t.database, 100, now + 29_999, 30_000)).filter((job) => job.kind === 'lease'), []);
    const [again] = (await claimJobs(t.database, 100, now + 30_000, 30_000)).filter((job) => job.kind === 'lease');
    assert.equal(again?.id, claimed?.id);
    assert.equal(again?.attempts, 2);
    // The first worker wakes up late: its claim is stale, so it can neither finish nor fail the job.
    assert.equal(await completeJob(t.database, claimed!, now + 30_001), false);
    assert.equal(await failJob(t.database, claimed!, { message: 'late', retryable: true }, now + 30_001), 'not_running');
    assert.equal(await completeJob(t.database, again!, now + 30_002), true);
    assert.equal(await failJob(t.database, claimed!, { message: 'late', retryable: true }, now + 30_003), 'not_running');
    const row = await t.database.db.selectFrom('jobs').select(['status', 'last_error']).where('id', '=', claimed!.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'done', last_error: null });
  });

  it('never gives one job to two workers claiming at the same time', async () => {
    const now = START_MS + 90_000_000;
    await inTransaction(t.database, async (trx) => {
      for (let index = 0; index < 60; index += 1) await enqueueJob(trx, { kind: 'race', payload: { index } }, now);
    });
    const claims = await Promise.all(Array.from({ length: 6 }, () => claimJobs(t.database, 15, now)));
    const ids = claims.flat().filter((job) => job.kind === 'race').map((job) => job.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 60);
  });

  it('runs on while one job is slow: jobs queued behind a held one run, and the slot-holder ends last', async () => {
    const clock = new ManualClock(START_MS + 200_000_000);
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ended: string[] = [];
    let held_started = false;
    const worker = new OutboxWorker({
      database: t.database, clock, poll_interval_ms: 10, batch_size: 4,
      handlers: {
        'held-register': async () => {
          held_started = true;
          await held;
          ended.push('held');
        },
        'quick-provision': async (payload) => {
          ended.push(`quick ${String((payload as { n: number }).n)}`);
        },
      },
    });
    await inTransaction(t.database, (trx) => enqueueJob(trx, { kind: 'held-register', payload: {} }, clock.now_ms()));
    worker.start();
    try {
      await eventually(() => held_started || undefined, 'the held job to start');
      // Queued after it, more than a batch: each runs while the held one still holds its slot.
      await inTransaction(t.database, async (trx) => {
        for (let n = 1; n <= 6; n += 1) await enqueueJob(trx, { kind: 'quick-provision', payload: { n } }, clock.now_ms());
      });
      worker.nudge();
      await eventually(() => (ended.length === 6 || undefined), 'the quick jobs to end');
      assert.deepEqual([...ended].sort(), ['quick 1', 'quick 2', 'quick 3', 'quick 4', 'quick 5', 'quick 6']);
    } finally {
      release();
      await worker.stop();
    }
    assert.equal(ended.at(-1), 'held');
  });
}, { pool_size_max: 8 });
