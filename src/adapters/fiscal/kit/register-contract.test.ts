import { describeEachDatabase } from '../../../testing/databases.js';
import { atolDriver } from '../atol/atol-contract-driver.js';
import { sandboxDriver } from '../sandbox/sandbox-contract-driver.js';
import { registerContract } from './register-contract.js';

/**
 * The fiscal register contract (register-contract.ts) over every adapter: the sandbox on each
 * database, ATOL against its local fake.
 */

describeEachDatabase('in-house registers', (test_db) => {
  registerContract(sandboxDriver(() => test_db.database));
});

registerContract(atolDriver());
