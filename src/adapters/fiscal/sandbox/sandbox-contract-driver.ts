import type { Database } from '../../../db/database.js';
import { ManualClock } from '../../../ports/clock.js';
import type { RegisterDriver } from '../kit/register-contract.js';
import { SandboxRegister } from './sandbox-register.js';

const START_MS = Date.UTC(2026, 0, 15, 9, 0);
/** The sandbox takes its time, as a cloud register does: the contract sees pending before registered. */
const DELAY_MS = 2_000;

/** The sandbox register on a test database (`database` is read at start); the clock moves when it prints. */
export function sandboxDriver(database: () => Database): RegisterDriver {
  const clock = new ManualClock(START_MS);
  return {
    label: 'sandbox',
    is_test: true,
    start: async () => new SandboxRegister({ database: database(), clock, delay_ms: DELAY_MS }),
    stop: async () => {},
    async documentCount() {
      const { count } = await database().db.selectFrom('fiscal_sandbox_documents').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return Number(count);
    },
    printAll: async () => clock.advance(DELAY_MS),
    lost_answer: {
      does_not_apply: 'the sandbox answers in-process, from its own transaction: no answer is lost on the way, and a caller that stopped after the commit asks again, which "repeat" covers',
    },
    outage: {
      does_not_apply: 'the sandbox is the database itself: when that is down the call throws and the outbox retries it, as any database write',
    },
  };
}
