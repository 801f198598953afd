import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit, type ItemOutcome } from './group-commit.js';

/** A pretend transaction runner that records what it was asked to commit. */
function recorder(options: { batch_size_max?: number; batches_in_flight_max?: number; failBatch?: boolean; failItem?: number } = {}) {
  const batches: number[][] = [];
  const alone: number[] = [];
  let running = 0;
  let running_max = 0;
  const commit = new GroupCommit<number, string>({
    runBatch: async (items) => {
      running += 1;
      running_max = Math.max(running_max, running);
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (options.failBatch) throw new Error('the transaction failed');
      return items.map((item): ItemOutcome<string> => (item === options.failItem ? { ok: false, error: new Error(`bad ${item}`) } : { ok: true, value: `batched ${item}` }));
    },
    runOne: async (item) => {
      alone.push(item);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (item === options.failItem) throw new Error(`bad ${item}`);
      return `alone ${item}`;
    },
    batch_size_max: options.batch_size_max ?? 100,
    batches_in_flight_max: options.batches_in_flight_max ?? 1,
  });
  return { commit, batches, alone, runningMax: () => running_max };
}

describe('group commit', () => {
  it('runs a lone item at once on its own, and groups the items that arrive while it runs', async () => {
    const { commit, batches, alone } = recorder();
    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => commit.submit(item)));
    assert.deepEqual(alone, [1]);
    assert.deepEqual(batches, [[2, 3, 4, 5]]);
    assert.deepEqual(results, ['alone 1', 'batched 2', 'batched 3', 'batched 4', 'batched 5']);
    assert.equal(commit.queued, 0);
  });

  it('caps the items of one transaction and the transactions in flight', async () => {
    const { commit, batches, runningMax } = recorder({ batch_size_max: 3, batches_in_flight_max: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, index) => commit.submit(index)));
    assert.ok(batches.every((batch) => batch.length <= 3), `batches ${JSON.stringify(batches)}`);
    assert.ok(runningMax() <= 2);
    const committed = [...batches.flat()].sort((a, b) => a - b);
    assert.ok(committed.length >= 18, 'all but the lone first items went in batches');
  });

  it('gives each caller its own failure and the others their results', async () => {
    const { commit } = recorder({ failItem: 3 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((item) => commit.submit(item)));
    assert.deepEqual(settled.map((outcome) => outcome.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((settled[2] as PromiseRejectedResult).reason), /bad 3/);
  });

  it('retries every item on its own when the batch transaction fails as a whole', async () => {
    const { commit, alone } = recorder({ failBatch: true, failItem: 4 });
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map((item) => commit.submit(item)));
    assert.deepEqual([...alone].sort(), [1, 2, 3, 4, 5]);
    assert.deepEqual(settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'rejected')), ['alone 1', 'alone 2', 'alone 3', 'rejected', 'alone 5']);
  });
});
